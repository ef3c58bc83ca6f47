import { describe, expect, it } from 'vitest';
import { formatNhsNumber, isSyntheticNhsNumber, isValidNhsNumber, nhsCheckDigit, syntheticNhsNumber } from '../../shared/domain/nhs-number';

describe('NHS number modulus 11', () => {
  it.each(['9434765919', '9990000018', '4010232137', '943 476 5919'])('accepts the valid number %s', (n) => {
    expect(isValidNhsNumber(n)).toBe(true);
  });

  it.each([
    ['9434765918', 'wrong check digit'],
    ['9990000017', 'wrong check digit'],
    ['123456789', 'nine digits'],
    ['12345678901', 'eleven digits'],
    ['94347659l9', 'a letter'],
    ['', 'empty'],
  ])('rejects %s (%s)', (n) => {
    expect(isValidNhsNumber(n)).toBe(false);
  });

  it('rejects every number whose check value would be 10', () => {
    // 100000001x: weighted sum 12, remainder 1, so the check value is 10 and no digit can match.
    expect(nhsCheckDigit('100000001')).toBeNull();
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`100000001${d}`)).toBe(false);
  });

  it('formats 3-3-4 for display and leaves anything else alone', () => {
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
    expect(formatNhsNumber('abc')).toBe('abc');
  });

  it('makes valid synthetic numbers only in the 999 range', () => {
    const made = Array.from({ length: 200 }, (_, i) => syntheticNhsNumber(i));
    for (const n of made) {
      expect(isSyntheticNhsNumber(n)).toBe(true);
      expect(n.startsWith('999')).toBe(true);
    }
    expect(isSyntheticNhsNumber('9434765919')).toBe(false);
  });
});
