// Embedded engine: PGlite with its PostGIS extension, stored under GRIDLINE_DATA_DIR (or in memory).
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { mkdirSync } from 'node:fs';
import { CommitWork } from './commit-work.js';
import { quoteIdent } from './copy-text.js';
import { retryTransaction, type TransactionOptions } from './retry.js';
import type { Db, Queryable, Sql } from './types.js';

type Raw = Pick<PGlite, 'query' | 'exec'> | Transaction;

let savepoints = 0;

/**
 * Wraps a PGlite handle or open transaction as a Queryable; nested transactions become SAVEPOINTs. `work`: what the
 * transaction runs before its COMMIT (db/commit-work.ts); without it (PGlite itself, a test's rolled-back
 * transaction) each note runs at once, in a transaction (or savepoint) of its own (postgres.ts wrapClient).
 */
function wrap(raw: Raw, inTx: boolean, root: PGlite, work: CommitWork | null = null): Queryable {
  const q: Queryable = {
    engine: 'pglite',
    async query<T>(sql: Sql, params: readonly unknown[] = []) {
      const r = await raw.query<T>(typeof sql === 'string' ? sql : sql.text, params as unknown[]);
      return { rows: r.rows };
    },
    async exec(sql: string) {
      await raw.exec(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
      if (!inTx) {
        // One connection, so no deadlock between two of ours; the retry is kept for the same contract as PostgreSQL's.
        const once = () => root.transaction(async (tx) => {
          const txWork = new CommitWork();
          const h = wrap(tx, true, root, txWork);
          const out = await fn(h);
          await txWork.run(h); // what the writers noted (tile generations): the last statements before COMMIT
          return out;
        });
        return opts.retry ? retryTransaction(once) : once();
      }
      const name = `sp_${++savepoints}`;
      await raw.exec(`savepoint ${name}`);
      const inner = new CommitWork();
      let out: T;
      try {
        out = await fn(wrap(raw, true, root, inner));
        await raw.exec(`release savepoint ${name}`);
      } catch (e) {
        await raw.exec(`rollback to savepoint ${name}`);
        throw e;
      }
      await own.absorb(inner);
      return out;
    },
    async copyFrom(table, columns, text) {
      const cols = columns.map(quoteIdent).join(', ');
      await raw.query(`copy ${quoteIdent(table)} (${cols}) from '/dev/blob'`, [], {
        blob: new Blob([text]),
      });
    },
    commitWork: () => own,
  };
  const own = work ?? new CommitWork(q);
  return q;
}

/**
 * Opens PGlite (dataDir undefined → in memory) and loads PostGIS. Takes several seconds. `loadDataDir` starts it
 * from a data-directory image made by `dumpDataDir` (the tests' seeded fixture).
 */
export async function openPglite(dataDir?: string, opts: { loadDataDir?: Blob } = {}): Promise<Db & { raw: PGlite }> {
  if (dataDir && !dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create({ dataDir, extensions: { postgis }, ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}) });
  const q = wrap(pg, false, pg);
  return {
    ...q, raw: pg, close: () => pg.close(),
    async listen(channel, onPayload, opts = {}) {
      const stop = await pg.listen(channel, (payload) => onPayload(payload));
      opts.onState?.(true); // in-process: never lost
      return async () => { await stop(); };
    },
  };
}

/** A Queryable bound to an open PGlite transaction (used by test isolation). */
export function wrapPgliteTx(tx: Transaction, root: PGlite): Queryable {
  return wrap(tx, true, root);
}

/** A Queryable on an open PGlite outside any transaction (tests that need committed data). */
export function wrapPglite(pg: PGlite): Queryable {
  return wrap(pg, false, pg);
}
