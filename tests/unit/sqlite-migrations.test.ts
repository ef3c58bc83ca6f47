import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../service/db/sqlite';
import { SQLITE_MIGRATIONS } from '../../service/db/migrations';

describe('SQLite migrations', () => {
  it('bring an empty database to the latest version, once', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toBe(SQLITE_MIGRATIONS.length);
    expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length);
    // Running again changes nothing and does not fail on existing tables.
    expect(migrate(db)).toBe(SQLITE_MIGRATIONS.length);
  });

  it('apply only the migrations a database has not had, in order', () => {
    const db = new Database(':memory:');
    const steps = ['CREATE TABLE a (x INTEGER)', 'ALTER TABLE a ADD COLUMN y TEXT'];
    migrate(db, steps.slice(0, 1));
    db.prepare('INSERT INTO a (x) VALUES (1)').run();
    migrate(db, steps);
    expect(db.prepare('SELECT x, y FROM a').all()).toEqual([{ x: 1, y: null }]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
  });

  it('roll back a failing migration whole and keep the data', () => {
    const db = new Database(':memory:');
    migrate(db, ['CREATE TABLE a (x INTEGER)']);
    db.prepare('INSERT INTO a (x) VALUES (7)').run();
    expect(() => migrate(db, ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE b (y INTEGER); SELECT * FROM missing'])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    expect(db.prepare('SELECT x FROM a').all()).toEqual([{ x: 7 }]);
  });

  it('refuse a database made by a newer service', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 99');
    expect(() => migrate(db)).toThrow(/newer than this service/);
  });

  it('make the audit table append-only', () => {
    const db = new Database(':memory:');
    migrate(db);
    db.prepare("INSERT INTO audit_events (seq, at, action, detail, prev_hash, hash) VALUES (1, 't', 'x', '{}', 'p', 'h')").run();
    expect(() => db.prepare("UPDATE audit_events SET action = 'y'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
  });
});
