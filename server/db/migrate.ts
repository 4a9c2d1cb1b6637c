// Forward-only migrations: migrations/NNNN_name.sql, each applied once in its own transaction and recorded
// with its sha256; an applied file whose hash changed stops startup (docs/style.md §2.6).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Queryable } from './types.js';
import { distribute, type DistributionMode } from './distribute.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export type Migration = { version: number; name: string; sql: string; sha256: string };

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(join(dir, f), 'utf8');
      return { version: Number(f.slice(0, 4)), name: f.slice(5, -4), sql, sha256: createHash('sha256').update(sql).digest('hex') };
    });
}

export type MigrateOptions = {
  /** After the migrations, the Citus distribution step (db/distribute.ts): 'auto' (default) runs it on a Citus coordinator. */
  distributed?: DistributionMode;
  /** Told what the distribution step converted (nothing when there was nothing to do). */
  onDistributed?: (done: string[]) => void;
};

/** Applies the pending migrations in order, then distributes on Citus; returns the names of the migrations applied. */
export async function migrate(db: Queryable, migrations = readMigrations(), opts: MigrateOptions = {}): Promise<string[]> {
  await db.exec(`create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    sha256 text not null,
    applied_at timestamptz not null default now()
  )`);
  const { rows } = await db.query<{ version: number; name: string; sha256: string }>(
    'select version, name, sha256 from schema_migrations order by version',
  );
  const applied = new Map(rows.map((r) => [r.version, r]));
  for (const m of migrations) {
    const a = applied.get(m.version);
    if (a && a.sha256 !== m.sha256) {
      throw new Error(`Migration ${m.version}_${m.name} was changed after it was applied (sha256 ${a.sha256.slice(0, 12)} → ${m.sha256.slice(0, 12)}); write a new migration instead`);
    }
  }
  const done: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (version, name, sha256) values ($1, $2, $3)', [m.version, m.name, m.sha256]);
    });
    done.push(`${String(m.version).padStart(4, '0')}_${m.name}`);
  }
  const converted = await distribute(db, opts.distributed ?? 'auto');
  if (converted.length) opts.onDistributed?.(converted);
  return done;
}
