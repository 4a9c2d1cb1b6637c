// The live hub on real engines: every committed change exactly once, in order, filtered by visibility,
// resumable with Last-Event-ID; a slow client is cut off with a resync, the others keep going.
import { describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { committedDb, sharedPglite, testBackends, withTestDb } from '../../helpers/backends.js';
import { caseDeps, demoUsers, pointInGrid, someDepartment } from '../../helpers/cases.js';
import { actOnCase, reportCase } from '../../../server/services/cases.js';
import { LiveHub, MAX_QUEUED, MAX_STREAMS_PER_SESSION, type LiveSink } from '../../../server/live/hub.js';
import type { Db, Queryable } from '../../../server/db/types.js';
import * as users from '../../../server/db/users.js';
import * as sessions from '../../../server/db/sessions.js';

/** A sink that records the SSE frames it gets; `full` makes write report backpressure. */
function recorder(full = false) {
  const frames: string[] = [];
  let ended = false;
  const sink: LiveSink = { write: (f) => { frames.push(f); return !full; }, end: () => { ended = true; } };
  const events = () => frames.filter((f) => f.startsWith('id: ')).map((f) => {
    const [idLine, , dataLine] = f.split('\n');
    return { ...JSON.parse(dataLine.slice(6)) as { id: string; status: string; version: number }, event_id: Number(idLine.slice(4)) };
  });
  return { sink, frames, events, ended: () => ended };
}


describe.each(testBackends())('live events on %s', (backend) => {
  test('every change reaches a full-view client once, in order per case', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const hub = new LiveHub(db); // inside a test transaction NOTIFY never fires: the hub is poked after commit instead
    await hub.start();
    const all = recorder();
    await hub.add(all.sink, null, null);
    const p = await pointInGrid(db);
    const a = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    const b = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    await actOnCase(deps, operator, a.id, { action: 'accept', version: 1 });
    await actOnCase(deps, operator, b.id, { action: 'reject', version: 1 });
    await hub.settle();
    // other test files may commit cases meanwhile (on PostgreSQL): look at this test's cases only
    const ev = all.events().filter((e) => e.id === a.id || e.id === b.id);
    expect(ev.map((e) => [e.id, e.status])).toEqual([
      [a.id, 'pending_acceptance'], [b.id, 'pending_acceptance'], [a.id, 'pending_filing'], [b.id, 'void']]);
    expect(ev.map((e) => e.event_id)).toEqual([...ev.map((e) => e.event_id)].sort((x, y) => x - y));
    expect(new Set(ev.map((e) => e.event_id)).size).toBe(4);
    expect(ev.filter((e) => e.id === a.id).map((e) => e.version)).toEqual([1, 2]);
    await hub.stop();
  }));

  test('a department crew only hears of its own department\'s cases', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const dept = await someDepartment(db);
    const hub = new LiveHub(db);
    await hub.start();
    const crew = recorder();
    const other = recorder();
    await hub.add(crew.sink, { department_id: dept, reporter_id: 77, responsibility_codes: new Set() }, null);
    await hub.add(other.sink, { department_id: dept + 1000, reporter_id: 78, responsibility_codes: new Set() }, null);
    const p = await pointInGrid(db);
    let c = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    c = await actOnCase(deps, operator, c.id, { action: 'accept', version: c.version });
    c = await actOnCase(deps, shiftLead, c.id, { action: 'file', version: c.version });
    c = await actOnCase(deps, dispatcher, c.id, { action: 'dispatch', version: c.version, department_id: dept });
    await hub.settle();
    expect(crew.events().filter((e) => e.id === c.id).map((e) => e.status)).toEqual(['handling']);
    expect(other.events().filter((e) => e.id === c.id)).toEqual([]);
    await hub.stop();
  }));

  test('a client that reconnects with Last-Event-ID gets exactly what it missed', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const hub = new LiveHub(db);
    await hub.start();
    const first = recorder();
    const c1 = await hub.add(first.sink, null, null);
    const p = await pointInGrid(db);
    const a = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    await hub.settle();
    const seen = first.events().filter((e) => e.id === a.id);
    hub.remove(c1); // the connection drops
    await actOnCase(deps, operator, a.id, { action: 'accept', version: 1 });
    const b = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    await hub.settle();
    const again = recorder();
    await hub.add(again.sink, null, seen[seen.length - 1].event_id);
    await actOnCase(deps, shiftLead, a.id, { action: 'file', version: 2 });
    await hub.settle();
    const resumed = again.events().filter((e) => e.id === a.id || e.id === b.id);
    expect(resumed.map((e) => e.status)).toEqual(['pending_filing', 'pending_acceptance', 'pending_dispatch']);
    expect(resumed[0].event_id).toBeGreaterThan(seen[seen.length - 1].event_id);
    await hub.stop();
  }));

  test('a client that stops reading is told to resync and dropped; the others get everything', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const hub = new LiveHub(db);
    await hub.start();
    const slow = recorder(true);
    const fast = recorder();
    await hub.add(slow.sink, null, null);
    await hub.add(fast.sink, null, null);
    const p = await pointInGrid(db);
    // one real case, then many more event rows for it than a client may fall behind by
    const c = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    await db.query(`insert into case_events (case_id, district_code, version, at, payload)
      select $1::uuid, $2, g, now(), jsonb_build_object('id', $1::text, 'status', 'pending_acceptance', 'version', g)
        from generate_series(2, ${MAX_QUEUED + 10}) g`, [c.id, c.district_code]);
    await hub.settle();
    expect(slow.ended()).toBe(true);
    expect(slow.frames.some((f) => f.startsWith('event: resync'))).toBe(true);
    expect(fast.events().filter((e) => e.id === c.id)).toHaveLength(MAX_QUEUED + 10);
    expect(hub.size).toBe(1);
    await hub.stop();
  }));
});

// ── Streams end with their session (issue 8, defect 2) ─────────────────────────────────────────────────────────

/** A user of this test alone (own marker) with an open session; returns its ids. */
async function userWithSession(db: Queryable, now: Date, tag: string): Promise<{ user_id: number; session_id: number }> {
  const u = await users.insert(db, {
    username: `stream.${tag}.${Math.random().toString(36).slice(2, 10)}`, display_name: '', phone: null, password_hash: '$argon2id$not-a-real-hash',
    roles: ['leader'], department_id: null, created_at: now,
  });
  const session_id = await sessions.create(db, {
    user_id: u!.id, token_sha256: randomBytes(32).toString('hex'), now, expires_at: new Date(now.getTime() + 7 * 86_400_000), ip: null, user_agent: null,
  });
  return { user_id: u!.id, session_id };
}

const closedReason = (frames: string[]) => {
  const f = frames.find((x) => x.includes('event: closed'));
  return f ? (JSON.parse(f.split('\n').find((l) => l.startsWith('data: '))!.slice(6)) as { reason: string; message: string }) : null;
};

describe.each(testBackends())('live streams and sessions on %s', (backend) => {
  test('a session that ends, or whose user is disabled, closes its streams with the reason; others stay open', () => withTestDb(backend, async (db) => {
    let now = new Date('2026-11-23T02:00:00Z');
    const hub = new LiveHub(db, { clock: { now: () => now }, session_idle_minutes: 120, recheck_ms: 3_600_000 });
    await hub.start();
    const a = await userWithSession(db, now, 'a');
    const b = await userWithSession(db, now, 'b');
    const c = await userWithSession(db, now, 'c');
    const ra = recorder(); const rb = recorder(); const rc = recorder(); const free = recorder();
    await hub.add(ra.sink, null, null, { id: a.session_id });
    await hub.add(rb.sink, null, null, { id: b.session_id });
    await hub.add(rc.sink, null, null, { id: c.session_id });
    await hub.add(free.sink, null, null);
    await hub.settleSessions();
    expect([ra.ended(), rb.ended(), rc.ended()]).toEqual([false, false, false]);

    await sessions.endAllOfUser(db, a.user_id, now, 'revoked');
    await users.update(db, b.user_id, { disabled: true });
    await hub.settleSessions();
    expect(ra.ended()).toBe(true);
    expect(closedReason(ra.frames)).toMatchObject({ reason: 'revoked', message: expect.stringMatching(/log in again/) });
    expect(rb.ended()).toBe(true);
    expect(closedReason(rb.frames)?.reason).toBe('disabled');
    expect(rc.ended()).toBe(false);
    expect(free.ended()).toBe(false);
    expect(hub.size).toBe(2);

    // idle: a stream is not use of its session; it ends when the session would, unless a request moved last_seen_at
    now = new Date(now.getTime() + 119 * 60_000);
    await hub.settleSessions();
    expect(rc.ended()).toBe(false);
    now = new Date(now.getTime() + 2 * 60_000);
    await hub.settleSessions();
    expect(rc.ended()).toBe(true);
    expect(closedReason(rc.frames)).toMatchObject({ reason: 'idle', message: expect.stringMatching(/120 minutes/) });
    await hub.stop();
  }));

  test('a session holds at most four streams: a fifth closes the oldest', () => withTestDb(backend, async (db) => {
    const now = new Date('2026-11-23T02:00:00Z');
    const hub = new LiveHub(db, { clock: { now: () => now }, recheck_ms: 3_600_000 });
    await hub.start();
    const s = await userWithSession(db, now, 'cap');
    const rs = Array.from({ length: MAX_STREAMS_PER_SESSION + 1 }, () => recorder());
    for (const r of rs) await hub.add(r.sink, null, null, { id: s.session_id });
    expect(rs.map((r) => r.ended())).toEqual([true, ...Array(MAX_STREAMS_PER_SESSION).fill(false)]);
    expect(closedReason(rs[0].frames)).toMatchObject({ reason: 'too_many_streams', message: expect.stringMatching(/oldest was closed/) });
    expect(hub.streamsOf(s.session_id)).toBe(MAX_STREAMS_PER_SESSION);
    await hub.stop();
  }));

  test('a Last-Event-ID past the newest event gets resync and is closed, not a silent stream', () => withTestDb(backend, async (db) => {
    const hub = new LiveHub(db);
    await hub.start();
    const r = recorder();
    await hub.add(r.sink, null, Number.MAX_SAFE_INTEGER);
    expect(r.ended()).toBe(true);
    expect(r.frames.join('')).toMatch(/event: resync\ndata: \{"last_event_id":\d+\}/);
    expect(hub.size).toBe(0);
    await hub.stop();
  }));

  test('a session ended by another process (NOTIFY, no local call) closes the stream at once', async () => {
    // committed data: a user of this test alone, deleted at the end
    const committed = await committedDb(backend);
    const listening = backend === 'postgres' ? committed as Queryable & Pick<Db, 'listen'> : await pgliteWithListen();
    const now = new Date();
    const hub = new LiveHub(listening, { recheck_ms: 3_600_000 }); // the periodic re-check cannot be what ends it
    await hub.start();
    const s = await userWithSession(committed, now, 'notify');
    try {
      const r = recorder();
      await hub.add(r.sink, null, null, { id: s.session_id });
      await hub.settleSessions();
      expect(r.ended()).toBe(false);
      await committed.transaction((tx) => sessions.endAllOfUser(tx, s.user_id, now, 'revoked')); // as another server would
      const deadline = Date.now() + 5_000;
      while (!r.ended() && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
      expect(r.ended()).toBe(true);
      expect(closedReason(r.frames)?.reason).toBe('revoked');
    } finally {
      await hub.stop();
      await committed.query('delete from users where id = $1', [s.user_id]);
    }
  });
});

/** The shared PGlite with its in-process LISTEN, as openPglite gives it to a server. */
async function pgliteWithListen(): Promise<Queryable & Pick<Db, 'listen'>> {
  const raw = await sharedPglite();
  const { wrapPglite } = await import('../../../server/db/pglite.js');
  return {
    ...wrapPglite(raw),
    async listen(channel: string, onPayload: (p: string) => void) {
      const stop = await raw.listen(channel, onPayload);
      return async () => { await stop(); };
    },
  };
}
