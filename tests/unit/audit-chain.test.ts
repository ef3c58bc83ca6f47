import { describe, expect, it } from 'vitest';
import { auditHash, auditHashInput, canonicalJson, GENESIS_HASH } from '../../service/repo/audit-hash';
import { SqliteRepository } from '../../service/repo/sqlite-repository';
import { openSqlite } from '../../service/db/sqlite';

describe('audit hash chain', () => {
  it('encodes canonically: key order does not change the hash', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
    expect(auditHash(GENESIS_HASH, { a: 1, b: 2 })).toBe(auditHash(GENESIS_HASH, { b: 2, a: 1 }));
    expect(auditHash(GENESIS_HASH, { a: 1 })).not.toBe(auditHash(GENESIS_HASH, { a: 2 }));
  });

  it('links each event to the one before, so the stored hashes recompute', async () => {
    const repo = new SqliteRepository(openSqlite(':memory:'));
    await repo.transaction(async (tx) => {
      await tx.appendAudit({ actorId: null, action: 'session.sign-in-failed' }, '2026-11-24T10:00:00.000Z');
      await tx.appendAudit({ actorId: 'u1', action: 'referral.view', entityType: 'referral', entityId: 'r1' }, '2026-11-24T10:01:00.000Z');
      await tx.appendAudit({ actorId: 'u1', action: 'outcome.submit', entityType: 'outcome', entityId: 'r1', detail: { version: 1 } }, '2026-11-24T10:02:00.000Z');
    });
    const events = await repo.read((tx) => tx.auditForEntity('r1'));
    expect(events.map((e) => e.seq)).toEqual([2, 3]);
    let prev: string | undefined;
    for (const e of events) {
      if (prev) expect(e.prevHash).toBe(prev);
      expect(e.hash).toBe(auditHash(e.prevHash, auditHashInput(e)));
      prev = e.hash;
    }
    // An edited field no longer matches its stored hash.
    const tampered = { ...events[1]!, detail: { version: 2 } };
    expect(auditHash(tampered.prevHash, auditHashInput(tampered))).not.toBe(events[1]!.hash);
    await repo.close();
  });

  it('rolls an audit event back with the transaction it belongs to', async () => {
    const repo = new SqliteRepository(openSqlite(':memory:'));
    await expect(
      repo.transaction(async (tx) => {
        await tx.appendAudit({ actorId: 'u1', action: 'referral.view', entityId: 'r9' }, '2026-11-24T10:00:00.000Z');
        throw new Error('later step failed');
      }),
    ).rejects.toThrow('later step failed');
    expect(await repo.read((tx) => tx.auditForEntity('r9'))).toEqual([]);
    await repo.close();
  });
});
