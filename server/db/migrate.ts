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

/**
 * The statements of a SQL script, each without its `;`: splits at the semicolons outside quotes ('…' with '' and,
 * in E'…', backslash escapes), quoted identifiers, dollar-quoted bodies ($$…$$, $tag$…$tag$) and comments (-- and
 * nested /* *\/). Pieces holding only comments and blanks are left out.
 */
export function splitSql(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  let code = false; // the current piece has something besides comments and blanks
  const push = (end: number) => {
    if (code) out.push(sql.slice(start, end).trim());
    start = end + 1;
    code = false;
  };
  while (i < sql.length) {
    const c = sql[i];
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') { depth++; i += 2; } else if (sql[i] === '*' && sql[i + 1] === '/') { depth--; i += 2; } else i++;
      }
    } else if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]) && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? ' ');
      i++;
      while (i < sql.length) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") { i++; break; } else i++;
      }
      code = true;
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      i = end < 0 ? sql.length : end + 1;
      code = true;
    } else if (c === '$' && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? ' ')) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? sql.length : end + tag[0].length;
      } else i++;
      code = true;
    } else if (c === ';') {
      push(i);
      i++;
    } else {
      if (!/\s/.test(c)) code = true;
      i++;
    }
  }
  push(sql.length);
  return out;
}

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
      // Statement by statement: on a Citus coordinator a DDL statement on a Citus table is sent on to the workers
      // with the text it came in, and a worker refuses a text of several statements ("cannot insert multiple
      // commands into a prepared statement") — every migration after the distribution step would fail there.
      for (const statement of splitSql(m.sql)) await tx.exec(statement);
      await tx.query('insert into schema_migrations (version, name, sha256) values ($1, $2, $3)', [m.version, m.name, m.sha256]);
    });
    done.push(`${String(m.version).padStart(4, '0')}_${m.name}`);
  }
  const converted = await distribute(db, opts.distributed ?? 'auto');
  if (converted.length) opts.onDistributed?.(converted);
  return done;
}
