import { describe, expect, test } from 'vitest';
import { migrate, readMigrations, type Migration } from '../../../server/db/migrate.js';
import { testBackends, withTestDb } from '../../helpers/backends.js';

describe.each(testBackends())('migrations on %s', (backend) => {
  test('every migration is recorded once with its hash, and a second run applies nothing', () => withTestDb(backend, async (db) => {
    const { rows } = await db.query<{ version: number; sha256: string }>('select version, sha256 from schema_migrations order by version');
    const files = readMigrations();
    expect(rows.map((r) => r.version)).toEqual(files.map((m) => m.version));
    expect(rows.map((r) => r.sha256)).toEqual(files.map((m) => m.sha256));
    expect(await migrate(db)).toEqual([]);
  }));

  test('an applied migration whose file changed stops the runner', () => withTestDb(backend, async (db) => {
    const files = readMigrations();
    const changed: Migration[] = files.map((m, i) => (i === 1 ? { ...m, sha256: 'f'.repeat(64) } : m));
    await expect(migrate(db, changed)).rejects.toThrow(/was changed after it was applied/);
  }));

  test('a failing migration leaves the database as it was', () => withTestDb(backend, async (db) => {
    const bad: Migration = {
      version: 9999, name: 'broken', sha256: 'x',
      sql: 'create table half_done (id int); insert into half_done values (1); select no_such_function();',
    };
    await expect(migrate(db, [...readMigrations(), bad])).rejects.toThrow();
    const t = await db.query<{ n: number }>(`select count(*)::int as n from pg_tables where tablename = 'half_done'`);
    expect(t.rows[0].n).toBe(0);
    const m = await db.query<{ n: number }>('select count(*)::int as n from schema_migrations where version = 9999');
    expect(m.rows[0].n).toBe(0);
  }));

  test('every geometry column has a GiST index', () => withTestDb(backend, async (db) => {
    const { rows } = await db.query<{ table_name: string; column_name: string; indexed: boolean }>(`
      select c.table_name, c.column_name,
             exists (select 1 from pg_index i join pg_class t on t.oid = i.indrelid join pg_class ix on ix.oid = i.indexrelid
                       join pg_am am on am.oid = ix.relam join pg_attribute a on a.attrelid = t.oid and a.attnum = any(i.indkey)
                      where t.relname = c.table_name and a.attname = c.column_name and am.amname = 'gist') as indexed
        from information_schema.columns c
       where c.table_schema = 'public' and c.udt_name = 'geometry'`);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.filter((r) => !r.indexed)).toEqual([]);
  }));
});
