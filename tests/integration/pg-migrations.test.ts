import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../service/db/sqlite';
import { SQLITE_MIGRATIONS } from '../../service/db/migrations';
import { migratePg, PG_MIGRATIONS } from '../../service/db/pg-migrations';
import { createTestDatabase, type TestDatabase } from './harness';

/**
 * PostgreSQL's versioned migrations (this file runs only in the integration-postgres project;
 * SQLite's are covered by tests/unit/sqlite-migrations.test.ts).
 */
const open: { pools: pg.Pool[]; dbs: TestDatabase[] } = { pools: [], dbs: [] };
afterEach(async () => {
  await Promise.all(open.pools.splice(0).map((p) => p.end()));
  await Promise.all(open.dbs.splice(0).map((d) => d.drop()));
});

function poolOn(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  open.pools.push(pool);
  return pool;
}

async function freshPool(): Promise<pg.Pool> {
  const db = await createTestDatabase();
  open.dbs.push(db);
  return poolOn(db.url);
}

async function versions(pool: pg.Pool): Promise<number[]> {
  return (await pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
}

describe('PostgreSQL migrations', () => {
  it('mirror SQLite: one version each, the same tables, columns and indexes', async () => {
    expect(PG_MIGRATIONS.length).toBe(SQLITE_MIGRATIONS.length);
    const pool = await freshPool();
    await migratePg(pool);

    const sqlite = new Database(':memory:');
    migrate(sqlite);
    const sqliteTables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    const sqliteColumns = Object.fromEntries(
      sqliteTables.map((t) => [t, (sqlite.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name).sort()]),
    );
    const sqliteIndexes = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((i) => i.name);

    const { rows } = await pool.query<{ table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations'",
    );
    const pgColumns: Record<string, string[]> = {};
    // `ord` stands in for SQLite's rowid (insertion order); nothing else may differ.
    for (const r of rows) if (r.column_name !== 'ord') (pgColumns[r.table_name] ??= []).push(r.column_name);
    for (const t of Object.keys(pgColumns)) pgColumns[t]!.sort();
    expect(pgColumns).toEqual(sqliteColumns);

    const pgIndexes = (await pool.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' ORDER BY indexname",
    )).rows.map((r) => r.indexname);
    expect(pgIndexes).toEqual(sqliteIndexes);
    sqlite.close();
  });

  it('bring an empty database to the latest version once, even when instances start together', async () => {
    const db = await createTestDatabase();
    open.dbs.push(db);
    const [pool, other] = [poolOn(db.url), poolOn(db.url)];
    // Two instances starting at once: the advisory lock makes the second wait, then find
    // nothing to do (without it both would try to create the same tables).
    expect(await Promise.all([migratePg(pool), migratePg(other), migratePg(pool)])).toEqual([PG_MIGRATIONS.length, PG_MIGRATIONS.length, PG_MIGRATIONS.length]);
    expect(await versions(pool)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
    expect(await migratePg(pool)).toBe(PG_MIGRATIONS.length);
  });

  it('apply only the versions a database has not had, in order, and roll back a failing one whole', async () => {
    const pool = await freshPool();
    const steps = ['CREATE TABLE a (x integer)', 'ALTER TABLE a ADD COLUMN y text'];
    await migratePg(pool, steps.slice(0, 1));
    await pool.query('INSERT INTO a (x) VALUES (1)');
    await migratePg(pool, steps);
    expect((await pool.query('SELECT x, y FROM a')).rows).toEqual([{ x: 1, y: null }]);
    expect(await versions(pool)).toEqual([1, 2]);

    await expect(migratePg(pool, [...steps, 'CREATE TABLE b (y integer); SELECT * FROM missing'])).rejects.toThrow(/missing/);
    expect(await versions(pool)).toEqual([1, 2]);
    expect((await pool.query("SELECT to_regclass('b') AS t")).rows[0].t).toBeNull();
    expect((await pool.query('SELECT x FROM a')).rows).toEqual([{ x: 1 }]);
  });

  it('refuse a database made by a newer service', async () => {
    const pool = await freshPool();
    await migratePg(pool);
    await pool.query('INSERT INTO schema_migrations (version) VALUES ($1)', [PG_MIGRATIONS.length + 1]);
    await expect(migratePg(pool)).rejects.toThrow(/newer than this service/);
  });

  it('make the audit table append-only: no UPDATE, DELETE or TRUNCATE', async () => {
    const pool = await freshPool();
    await migratePg(pool);
    await pool.query("INSERT INTO audit_events (seq, at, action, detail, prev_hash, hash) VALUES (1, 't', 'x', '{}', 'p', 'h')");
    await expect(pool.query("UPDATE audit_events SET action = 'y'")).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
    expect((await pool.query('SELECT action FROM audit_events')).rows).toEqual([{ action: 'x' }]);
  });
});
