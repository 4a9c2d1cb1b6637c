// The live hub on real engines: every committed change exactly once, in order, filtered by visibility,
// resumable with Last-Event-ID; a slow client is cut off with a resync, the others keep going.
import { describe, expect, test } from 'vitest';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { caseDeps, demoUsers, pointInGrid, someDepartment } from '../../helpers/cases.js';
import { actOnCase, reportCase } from '../../../server/services/cases.js';
import { LiveHub, MAX_QUEUED, type LiveSink } from '../../../server/live/hub.js';

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
    await db.query(`insert into case_events (case_id, version, at, payload)
      select $1::uuid, g, now(), jsonb_build_object('id', $1::text, 'status', 'pending_acceptance', 'version', g)
        from generate_series(2, ${MAX_QUEUED + 10}) g`, [c.id]);
    await hub.settle();
    expect(slow.ended()).toBe(true);
    expect(slow.frames.some((f) => f.startsWith('event: resync'))).toBe(true);
    expect(fast.events().filter((e) => e.id === c.id)).toHaveLength(MAX_QUEUED + 10);
    expect(hub.size).toBe(1);
    await hub.stop();
  }));
});
