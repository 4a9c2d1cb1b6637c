// The retry of a transaction the database cancelled for a deadlock or a serialization failure (db/retry.ts, issue 12):
// an injected 40P01/40001 on both engines (the cancelled try leaves nothing), and on PostgreSQL a real deadlock
// between two connections, which the retried side survives.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { committedDb, testBackends } from '../../helpers/backends.js';
import { isRetryable, retryTransaction, TX_ATTEMPTS } from '../../../server/db/retry.js';
import type { Queryable } from '../../../server/db/types.js';
import { caseChangeOf, noteCaseChange, noteTileSets } from '../../../server/db/tile-bumps.js';

/** An error as node-postgres and PGlite raise it: the SQLSTATE in `code`. */
const sqlError = (code: string) => Object.assign(new Error(`injected ${code}`), { code });

describe('retryTransaction', () => {
  test('runs the transaction again after 40P01 or 40001, pausing longer each time (with jitter), up to the attempt limit', async () => {
    const pauses: number[] = [];
    let calls = 0;
    const out = await retryTransaction(async () => {
      calls++;
      if (calls === 1) throw sqlError('40P01');
      if (calls === 2) throw sqlError('40001');
      return 'done';
    }, { sleep: async (ms) => { pauses.push(ms); }, random: () => 0.5 });
    expect(out).toBe('done');
    expect(calls).toBe(3);
    expect(pauses).toEqual([20, 40]);

    calls = 0;
    await expect(retryTransaction(async () => { calls++; throw sqlError('40P01'); }, { sleep: async () => {} }))
      .rejects.toMatchObject({ code: '40P01' });
    expect(calls).toBe(TX_ATTEMPTS);
  });

  test('any other error is not retried', async () => {
    let calls = 0;
    await expect(retryTransaction(async () => { calls++; throw sqlError('23505'); }, { sleep: async () => {} })).rejects.toMatchObject({ code: '23505' });
    await expect(retryTransaction(async () => { calls++; throw new Error('no code'); }, { sleep: async () => {} })).rejects.toThrow('no code');
    expect(calls).toBe(2);
    expect([isRetryable(sqlError('40P01')), isRetryable(sqlError('40001')), isRetryable(sqlError('55P03')), isRetryable(null)])
      .toEqual([true, true, false, false]);
  });
});

/** A committed table `table (attempt int)` for the describe's tests, dropped after them; `use` gets the database. */
function probeTable(backend: Parameters<typeof committedDb>[0], table: string, use: (db: Queryable) => void): void {
  let db: Queryable;
  beforeAll(async () => {
    db = await committedDb(backend);
    use(db);
    await db.exec(`create table ${table} (attempt int not null)`);
  });
  afterAll(async () => {
    await db.exec(`drop table if exists ${table}`);
  });
}

describe.each(testBackends())('transaction({ retry: true }) on %s', (backend) => {
  const table = `tx_retry_probe_${randomUUID().slice(0, 8)}`;
  let db: Queryable;
  probeTable(backend, table, (d) => { db = d; });

  test('a transaction cancelled with 40P01 is run again from the start; the cancelled try leaves no row', async () => {
    let calls = 0;
    const out = await db.transaction(async (tx) => {
      calls++;
      await tx.query(`insert into ${table} (attempt) values ($1)`, [calls]);
      if (calls === 1) throw sqlError('40P01'); // what the driver raises when the database cancels the transaction
      return calls;
    }, { retry: true });
    expect(out).toBe(2);
    const { rows } = await db.query<{ attempt: number }>(`select attempt from ${table}`);
    expect(rows).toEqual([{ attempt: 2 }]);
  });

  test('without retry, or inside an enclosing transaction, the error is the caller\'s', async () => {
    let calls = 0;
    await expect(db.transaction(async () => { calls++; throw sqlError('40P01'); })).rejects.toMatchObject({ code: '40P01' });
    expect(calls).toBe(1);
    // a nested transaction is a SAVEPOINT: the enclosing transaction is lost as a whole, so only its owner may retry
    await expect(db.transaction((outer) => outer.transaction(async () => { calls++; throw sqlError('40P01'); }, { retry: true })))
      .rejects.toMatchObject({ code: '40P01' });
    expect(calls).toBe(2);
  });

});

// PGlite serves one connection: no two of its transactions can deadlock, so this one runs on PostgreSQL only.
describe.each(testBackends().filter((b) => b === 'postgres'))('a real deadlock on %s', (backend) => {
  const table = `tx_retry_deadlock_${randomUUID().slice(0, 8)}`;
  let db: Queryable;
  probeTable(backend, table, (d) => { db = d; });

  test('two connections taking two locks in opposite orders: PostgreSQL cancels one (40P01), with retry it runs again and commits', async () => {
    const [a, b] = [Math.floor(Math.random() * 2 ** 31), Math.floor(Math.random() * 2 ** 31)];
    /** Two transactions taking two advisory locks in opposite orders; each takes its second once both hold their first. */
    const race = (opts: { retry?: boolean }) => {
      let held = 0;
      let release!: () => void;
      const both = new Promise<void>((r) => { release = r; });
      const calls = [0, 0];
      const side = (i: number, first: number, second: number) => db.transaction(async (tx) => {
        calls[i]++;
        await tx.query('select pg_advisory_xact_lock($1)', [first]);
        if (calls[i] === 1) { // the first try of each waits for the other's first lock: the cycle is certain
          if (++held === 2) release();
          await both;
        }
        await tx.query('select pg_advisory_xact_lock($1)', [second]);
        await tx.query(`insert into ${table} (attempt) values ($1)`, [100 * (i + 1) + calls[i]]);
        return calls[i];
      }, opts);
      return { calls, done: Promise.allSettled([side(0, a, b), side(1, b, a)]) };
    };

    await db.query(`delete from ${table}`);
    const plain = race({});
    const settled = await plain.done;
    expect(settled.filter((s) => s.status === 'rejected').map((s) => ((s as PromiseRejectedResult).reason as { code?: string }).code)).toEqual(['40P01']);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);

    await db.query(`delete from ${table}`);
    const retried = race({ retry: true });
    const outcomes = await retried.done;
    expect(outcomes.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(retried.calls.reduce((x, y) => x + y)).toBe(3); // one side ran twice: its first try was the deadlock's victim
    const { rows } = await db.query<{ attempt: number }>(`select attempt from ${table} order by attempt`);
    expect(rows).toHaveLength(2); // one row per side: the cancelled try left none
  });
});

// The tile generations are bumped at the end of each writing transaction, every set in name order (db/tile-bumps.ts,
// db/commit-work.ts), not where each write happens: a transaction that wrote a component and then a case no longer
// holds 'components' while it waits for 'cases' (seen in CI, and on Citus as a distributed deadlock, until 0060 took
// the bumps out of the triggers), so two transactions touching the sets in opposite orders both commit, no retry.
describe.each(testBackends().filter((b) => b === 'postgres'))('the tile generations bump on %s', (backend) => {
  test('two transactions noting components then cases, and cases then components, interleaved, both commit without a deadlock or a retry', async () => {
    const db = await committedDb(backend);
    const gens = async () => Object.fromEntries((await db.query<{ tile_set: string; gen: string }>(
      `select tile_set, gen::text as gen from tile_generations where tile_set in ('cases', 'components')`)).rows.map((r) => [r.tile_set, BigInt(r.gen)]));
    const before = await gens();
    const { rows: [p] } = await db.query<{ lon: number; lat: number; community_code: string }>(
      'select st_x(st_pointonsurface(geom)) as lon, st_y(st_pointonsurface(geom)) as lat, community_code from grids where valid_to is null order by code limit 1');
    let arrived = 0;
    let bothNoted!: () => void;
    const noted = new Promise<void>((r) => { bothNoted = r; });
    const attempts = [0, 0];
    const sides = await Promise.allSettled([
      db.transaction(async (tx) => {
        attempts[0]++;
        await noteTileSets(tx, ['components']);
        if (++arrived === 2) bothNoted();
        await noted;
        await noteCaseChange(tx, caseChangeOf([p]));
        await tx.query('select pg_sleep(0.3)');
      }),
      db.transaction(async (tx) => {
        attempts[1]++;
        await noteCaseChange(tx, caseChangeOf([p]));
        if (++arrived === 2) bothNoted();
        await noted;
        await noteTileSets(tx, ['components']);
        await tx.query('select pg_sleep(0.3)');
      }),
    ]);
    expect(sides.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(attempts).toEqual([1, 1]);
    const after = await gens();
    expect(after.components >= before.components + 2n).toBe(true);
    expect(after.cases >= before.cases + 2n).toBe(true);
  }, 30_000);

  test('what the triggers did before 0060 (each set locked where it was written) deadlocks in that same interleaving', async () => {
    const db = await committedDb(backend);
    let arrived = 0;
    let bothLocked!: () => void;
    const locked = new Promise<void>((r) => { bothLocked = r; });
    const lock = (tx: Queryable, set: string) => tx.query('select 1 from tile_generations where tile_set = $1 for update', [set]);
    const side = (first: string, second: string) => db.transaction(async (tx) => {
      await lock(tx, first);
      if (++arrived === 2) bothLocked();
      await locked;
      await lock(tx, second);
    });
    const sides = await Promise.allSettled([side('components', 'cases'), side('cases', 'components')]);
    expect(sides.filter((s) => s.status === 'rejected').map((s) => ((s as PromiseRejectedResult).reason as { code?: string }).code)).toEqual(['40P01']);
  }, 30_000);
});
