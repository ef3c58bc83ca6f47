import { describe, expect, it } from 'vitest';
import { viewOfChange } from '../../service/domain/referrer-view';

const by = { id: '3b8f9a4e-3d7c-4c56-9a3a-1f2e3d4c5b6a', name: 'Dr C', role: 'consultant' };
const outcome = {
  id: 'o1',
  status: 'final',
  decision: 'discharge',
  returned: { by, at: '2026-11-24T10:00:00Z', comment: 'Add the size.' },
  signedOff: { by, at: '2026-11-24T11:00:00Z', amended: true, comment: 'Discharge instead.', before: { decision: 'advice' }, amendedFields: ['decision'] },
};

describe('viewOfChange', () => {
  it('shows clinicians the outcome as stored', () => {
    expect(viewOfChange('outcome', outcome, 'consultant')).toBe(outcome);
    expect(viewOfChange('outcome', outcome, 'registrar')).toBe(outcome);
  });

  it('shows referrers and administrators the outcome without the supervision around it', () => {
    for (const role of ['referrer', 'admin'] as const) {
      expect(viewOfChange('outcome', outcome, role)).toEqual({
        id: 'o1',
        status: 'final',
        decision: 'discharge',
        returned: null,
        signedOff: { by, at: '2026-11-24T11:00:00Z', amended: true },
      });
    }
    expect(viewOfChange('outcome', { ...outcome, signedOff: null, returned: null }, 'referrer')).toEqual({ ...outcome, signedOff: null, returned: null });
  });

  it('leaves other entities and deletions alone', () => {
    const referral = { id: 'r1', infoRequests: [] };
    expect(viewOfChange('referral', referral, 'referrer')).toBe(referral);
    expect(viewOfChange('outcome', null, 'referrer')).toBeNull();
  });
});
