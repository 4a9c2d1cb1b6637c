// The live hub reads only the districts it heard of (issue 12; server/live/hub.ts): each NOTIFY names its event's
// district, the notices come in commit order (= id order, under the case-write lock), so a hub that heard the notice
// of event M reads the heard districts up to M. These tests hold it to the full read's answer (same events, same
// order), and to the full read whenever it cannot vouch for the range: a bare-id notice (the previous version), a
// notice missed, a local commit whose notice never comes; and each event once, whatever comes first.
import { describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import { committedDb, sharedPglite, testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { caseDeps, demoUsers, pointInGrid } from '../../helpers/cases.js';
import { reportCase } from '../../../server/services/cases.js';
import { LiveHub, type LiveSink } from '../../../server/live/hub.js';
import * as cases from '../../../server/db/cases.js';
import type { Db, Queryable, Sql } from '../../../server/db/types.js';

type Listening = Queryable & Pick<Db, 'listen'>;

/** A sink recording the event ids and case ids it is sent. */
function recorder() {
  const got: { event_id: number; case_id: string }[] = [];
  const sink: LiveSink = {
    write: (f) => {
      if (f.startsWith('id: ')) {
        const [idLine, , dataLine] = f.split('\n');
        got.push({ event_id: Number(idLine.slice(4)), case_id: (JSON.parse(dataLine.slice(6)) as { id: string }).id });
      }
      return true;
    },
    end: () => {},
  };
  return { sink, got };
}

/** The hub's reads of case_events, from the statements it sent: full (by id alone) or of the districts heard of. */
type Read = { kind: 'all' | 'heard'; districts: string[] };
function readsOf(seen: { sql: string; params: readonly unknown[] }[]): Read[] {
  return seen.flatMap(({ sql, params }) => {
    if (!/from case_events/.test(sql) || /max\(id\)/.test(sql)) return [];
    return [/district_code = any/.test(sql) ? { kind: 'heard' as const, districts: [...(params[0] as string[])] } : { kind: 'all' as const, districts: [] }];
  });
}

/** db as the hub sees it, recording what it sends; `listen` as given (or none). */
function recordingDb(db: Queryable, listen: Db['listen'] | undefined, seen: { sql: string; params: readonly unknown[] }[]): Listening {
  return {
    engine: db.engine,
    query: (sql: Sql, params: readonly unknown[] = []) => { seen.push({ sql: typeof sql === 'string' ? sql : sql.text, params }); return db.query(sql, params); },
    listen,
  } as unknown as Listening;
}

/** A listen the test drives: `notice(payload)` is a NOTIFY heard, `state(up)` the listener lost or back. */
function scriptedListen() {
  let onPayload: ((p: string) => void) | null = null;
  let onState: ((up: boolean) => void) | undefined;
  const listen: Db['listen'] = async (channel, cb, opts = {}) => {
    if (channel !== cases.EVENTS_CHANNEL) return async () => {}; // the sessions' channel: not this file's
    onPayload = cb; onState = opts.onState; onState?.(true);
    return async () => { onPayload = null; };
  };
  return { listen, notice: (p: string) => onPayload!(p), state: (up: boolean) => onState!(up) };
}

/** Cases of two made-up districts (this file's alone), committed; deleted (with their events) by `drop`. */
async function casesOfTwoDistricts(db: Queryable): Promise<{ a: { id: string; district_code: string }; b: { id: string; district_code: string }; drop: () => Promise<void> }> {
  const tag = String(Math.floor(Math.random() * 90) + 10);
  const [da, db_] = [`1199${tag}`, `1198${tag}`];
  const make = async (district: string) => {
    const id = randomUUID();
    await db.query(`insert into cases (id, case_no, status, source, kind, class_code, geom, district_code, street_code, community_code, grid_code, trail_head, created_at, updated_at)
      values ($1, $2 || 'x' || $3, 'pending_acceptance', 'inspector', 'event', '06010', st_setsrid(st_makepoint(116.3, 39.9), 4326), $2, $2 || '001', $2 || '001001', $2 || '0010010001', 'live-heard', now(), now())`,
    [id, district, id.slice(0, 8)]);
    return { id, district_code: district };
  };
  const a = await make(da);
  const b = await make(db_);
  return { a, b, drop: async () => { await db.query('delete from cases where id = any($1::uuid[])', [[a.id, b.id]]); } };
}

/** The committed database with its listener: PostgreSQL's (NOTIFY between connections), PGlite's in process. */
async function listeningDb(backend: Backend): Promise<Listening> {
  const committed = await committedDb(backend);
  if (backend === 'postgres') return committed as Listening;
  const raw = await sharedPglite();
  return {
    ...committed,
    async listen(channel: string, onPayload: (p: string) => void, opts: { onState?: (up: boolean) => void } = {}) {
      const stop = await raw.listen(channel, onPayload);
      opts.onState?.(true);
      return async () => { await stop(); };
    },
  } as Listening;
}

const event = (db: Queryable, c: { id: string; district_code: string }, version: number) =>
  db.transaction((tx) => cases.appendEvent(tx, { ...c, case_id: c.id, version, at: new Date(), payload: { id: c.id, version, district_code: c.district_code } }));

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 10));
  expect(cond(), what).toBe(true);
}

describe.each(testBackends())('the live hub reads the districts it heard of, on %s', (backend) => {
  test('interleaved writes of two districts (two connections on PostgreSQL): the heard-district reads deliver exactly the full read\'s events, in its order', async () => {
    const db = await listeningDb(backend);
    const { a, b, drop } = await casesOfTwoDistricts(db);
    const seen: { sql: string; params: readonly unknown[] }[] = [];
    const heardHub = new LiveHub(recordingDb(db, db.listen.bind(db), seen));
    const fullHub = new LiveHub(recordingDb(db, undefined, [])); // no listener: every read is a full one
    await heardHub.start();
    await fullHub.start();
    await heardHub.quiet();
    const startReads = readsOf(seen).length;
    const heard = recorder();
    const full = recorder();
    await heardHub.add(heard.sink, null, null);
    await fullHub.add(full.sink, null, null);
    try {
      const rounds = 12;
      for (let v = 1; v <= rounds; v++) {
        // the two writers race (each its own pool connection on PostgreSQL); the lock orders their commits
        await Promise.all([event(db, a, v), event(db, b, v)]);
      }
      const mine = (r: ReturnType<typeof recorder>) => r.got.filter((e) => e.case_id === a.id || e.case_id === b.id);
      await until(() => mine(heard).length === 2 * rounds, 'the heard-district hub got every event');
      await fullHub.settle();
      expect(mine(heard)).toEqual(mine(full));
      expect(mine(heard).map((e) => e.event_id)).toEqual([...mine(heard).map((e) => e.event_id)].sort((x, y) => x - y));
      expect(new Set(mine(heard).map((e) => e.case_id))).toEqual(new Set([a.id, b.id]));
      const reads = readsOf(seen).slice(startReads);
      expect(reads.filter((r) => r.kind === 'all'), 'no full read after the start').toEqual([]);
      expect([...new Set(reads.flatMap((r) => r.districts))]).toEqual(expect.arrayContaining([a.district_code, b.district_code]));
    } finally {
      await heardHub.stop();
      await fullHub.stop();
      await drop();
    }
  });

  test('a bare-id notice (a server of the previous version) and a notice missed within a district fall back to the full read', () => withTestDb(backend, async (db) => {
    const { inspector } = await demoUsers(db);
    const p = await pointInGrid(db);
    const c = (await reportCase(caseDeps(db), inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    const seen: { sql: string; params: readonly unknown[] }[] = [];
    const l = scriptedListen();
    const hub = new LiveHub(recordingDb(db, l.listen, seen));
    await hub.start();
    await hub.quiet();
    const r = recorder();
    await hub.add(r.sink, null, null);
    const key = { id: c.id, district_code: c.district_code };
    const after = () => readsOf(seen).slice(mark);
    let mark = readsOf(seen).length;

    const e1 = await cases.appendEvent(db, { ...key, case_id: c.id, version: 2, at: new Date(), payload: { id: c.id } });
    l.notice(cases.eventNotice({ id: e1, district_code: c.district_code }));
    await hub.quiet();
    expect(after()).toEqual([{ kind: 'heard', districts: [c.district_code] }]);
    expect(r.got.map((e) => e.event_id)).toEqual([e1]);

    mark = readsOf(seen).length;
    const e2 = await cases.appendEvent(db, { ...key, case_id: c.id, version: 3, at: new Date(), payload: { id: c.id } });
    l.notice(String(e2)); // the previous version's payload: no district
    await hub.quiet();
    expect(after().map((x) => x.kind)).toEqual(['all']);
    expect(r.got.map((e) => e.event_id)).toEqual([e1, e2]);

    // e3's notice is missed; e4's is heard: the read of the district finds e3 too, which it did not hear of, so it
    // delivers nothing of it and reads every district instead
    mark = readsOf(seen).length;
    const e3 = await cases.appendEvent(db, { ...key, case_id: c.id, version: 4, at: new Date(), payload: { id: c.id } });
    const e4 = await cases.appendEvent(db, { ...key, case_id: c.id, version: 5, at: new Date(), payload: { id: c.id } });
    l.notice(cases.eventNotice({ id: e4, district_code: c.district_code }));
    await hub.quiet();
    expect(after().map((x) => x.kind)).toEqual(['heard', 'all']);
    expect(r.got.map((e) => e.event_id)).toEqual([e1, e2, e3, e4]);

    // the listener lost and back: what was announced meanwhile was not heard, so the next read is full
    mark = readsOf(seen).length;
    l.state(false);
    const e5 = await cases.appendEvent(db, { ...key, case_id: c.id, version: 6, at: new Date(), payload: { id: c.id } });
    l.state(true);
    await hub.quiet();
    expect(after().map((x) => x.kind)).toEqual(['all']);
    expect(r.got.map((e) => e.event_id)).toEqual([e1, e2, e3, e4, e5]);

    // a notice of an event the read cannot find (not visible yet; its case deleted since): one full read, no spin;
    // the next event is delivered all the same
    mark = readsOf(seen).length;
    l.notice(cases.eventNotice({ id: e5 + 1, district_code: c.district_code }));
    await hub.quiet();
    expect(after().map((x) => x.kind)).toEqual(['heard', 'all']);
    const e6 = await cases.appendEvent(db, { ...key, case_id: c.id, version: 7, at: new Date(), payload: { id: c.id } });
    l.notice(cases.eventNotice({ id: e6, district_code: c.district_code }));
    await hub.quiet();
    expect(r.got.map((e) => e.event_id)).toEqual([e1, e2, e3, e4, e5, e6]);
    await hub.stop();
  }));

  test('local pokes and notices in any order: each event once, none skipped, in id order', () => withTestDb(backend, async (db) => {
    const { inspector } = await demoUsers(db);
    const p = await pointInGrid(db);
    const c = (await reportCase(caseDeps(db), inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    const seen: { sql: string; params: readonly unknown[] }[] = [];
    const l = scriptedListen();
    const hub = new LiveHub(recordingDb(db, l.listen, seen), { notice_wait_ms: 1000 });
    await hub.start();
    await hub.quiet();
    const r = recorder();
    await hub.add(r.sink, null, null);
    const key = { id: c.id, district_code: c.district_code };
    const write = (version: number) => cases.appendEvent(db, { ...key, case_id: c.id, version, at: new Date(), payload: { id: c.id } });
    const heard = (id: number) => ({ id, district_code: c.district_code });
    const ids = () => r.got.map((e) => e.event_id);
    const mark = readsOf(seen).length;

    // the local poke before its notice: nothing vouches for the ids before it yet, so it waits for the notice
    const e1 = await write(2);
    hub.poke([heard(e1)]);
    await hub.quiet();
    expect(ids()).toEqual([]);
    l.notice(cases.eventNotice(heard(e1)));
    await hub.quiet();
    expect(ids()).toEqual([e1]);

    // the notice first, the local poke later: the poke finds it delivered
    const e2 = await write(3);
    l.notice(cases.eventNotice(heard(e2)));
    await hub.quiet();
    hub.poke([heard(e2)]);
    await hub.quiet();
    expect(ids()).toEqual([e1, e2]);

    // another process's e3 (its notice still on the way) and this process's e4, poked first: e3 is not skipped
    const e3 = await write(4);
    const e4 = await write(5);
    hub.poke([heard(e4)]);
    await hub.quiet();
    expect(ids()).toEqual([e1, e2]);
    l.notice(cases.eventNotice(heard(e3)));
    await hub.quiet();
    expect(ids()).toEqual([e1, e2, e3]);
    l.notice(cases.eventNotice(heard(e4)));
    await hub.quiet();
    expect(ids()).toEqual([e1, e2, e3, e4]);
    expect(readsOf(seen).slice(mark).map((x) => x.kind)).toEqual(['heard', 'heard', 'heard', 'heard']);

    // a local commit whose notice never comes: past notice_wait_ms a full read delivers it; the late notice is ignored
    const e5 = await write(6);
    hub.poke([heard(e5)]);
    await until(() => ids().length === 5, 'the full read after the wait');
    await hub.quiet();
    l.notice(cases.eventNotice(heard(e5)));
    await hub.quiet();
    expect(ids()).toEqual([e1, e2, e3, e4, e5]);
    expect(readsOf(seen).slice(mark).map((x) => x.kind)).toEqual(['heard', 'heard', 'heard', 'heard', 'all']);
    await hub.stop();
  }));

  test('without a listener (a test transaction) a local poke reads every district, as before', () => withTestDb(backend, async (db) => {
    const { inspector } = await demoUsers(db);
    const p = await pointInGrid(db);
    const seen: { sql: string; params: readonly unknown[] }[] = [];
    const hub = new LiveHub(recordingDb(db, undefined, seen));
    await hub.start();
    const r = recorder();
    await hub.add(r.sink, null, null);
    const c = (await reportCase(caseDeps(db), inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    const [{ id }] = (await db.query<{ id: number }>('select id from case_events where case_id = $1', [c.id])).rows;
    const mark = readsOf(seen).length;
    hub.poke([{ id: Number(id), district_code: c.district_code }]);
    await hub.quiet();
    expect(r.got.filter((e) => e.case_id === c.id).map((e) => e.event_id)).toEqual([Number(id)]);
    expect(readsOf(seen).slice(mark).map((x) => x.kind)).toEqual(['all']);
    await hub.stop();
  }));
});

describe('notices of case events', () => {
  test('<id>:<district>; a bare id (the previous version) is read as an unknown district; anything else as nothing', () => {
    expect(cases.eventNotice({ id: 42, district_code: '110101' })).toBe('42:110101');
    expect(cases.parseEventNotice('42:110101')).toEqual({ id: 42, district_code: '110101' });
    expect(cases.parseEventNotice('42')).toEqual({ id: 42, district_code: null });
    expect(cases.parseEventNotice('')).toBeNull();
    expect(cases.parseEventNotice('x:110101')).toBeNull();
  });
});
