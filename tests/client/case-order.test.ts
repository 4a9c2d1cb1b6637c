// The wall list's ordered index (issue 10): the same order as compareCases (red → yellow → green → none, new, urged,
// deadline, latest change, case number), kept by moving one case at a time — insert, a light change, a close — with
// ties broken the same way every time; the light filter's rows; and in step with the cases store's change log.
import { beforeEach, describe, expect, test } from 'vitest';
import { OrderedCases, StageTally, WallOrder } from '../../client/src/state/case-order.js';
import { compareCases } from '../../client/src/state/case-lights.js';
import { stageCounts, statusFiltered, useCases, wallVisible, ALL_LIGHTS, WALL_STATUSES } from '../../client/src/state/cases-store.js';
import type { CaseSummary, Light, LiveCaseEvent } from '../../client/src/api/types.js';

const T0 = Date.parse('2026-11-23T02:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function summary(p: Partial<CaseSummary> & { id: string }): CaseSummary {
  return {
    case_no: `C${p.id.padStart(6, '0')}`, status: 'handling', class_code: '06010', lon: 116.4, lat: 39.9, version: 1,
    grid_code: '110101001001001', department_id: 15, step: 'handling', yellow_at: iso(T0 + 80 * MIN), red_at: iso(T0 + 100 * MIN),
    updated_at: iso(T0), light: 'green', urged: false, ...p,
  };
}
const ids = (cs: readonly CaseSummary[]) => cs.map((c) => c.id);

/** A seeded generator, so a failure repeats. */
function rng(seed: number) { return () => ((seed = (seed * 16807) % 2147483647) / 2147483647); }

/** Cases with many ties: 3 deadlines, 2 update times, lights and urged flags drawn from few values. */
function randomCases(n: number, rnd: () => number): CaseSummary[] {
  const lights: (Light | null)[] = ['red', 'yellow', 'green', null];
  return Array.from({ length: n }, (_, i) => summary({
    id: `k${i}`, case_no: `N${String(Math.floor(rnd() * n)).padStart(6, '0')}-${i}`, light: lights[Math.floor(rnd() * 4)],
    urged: rnd() < 0.2, red_at: rnd() < 0.1 ? null : iso(T0 + Math.floor(rnd() * 3) * MIN), updated_at: iso(T0 - Math.floor(rnd() * 2) * MIN),
  }));
}

describe('OrderedCases', () => {
  test('holds the order compareCases gives, with and without new reports first, on 2,000 cases with many ties', () => {
    const rnd = rng(11);
    const cases = randomCases(2000, rnd);
    const fresh: Record<string, number> = {};
    for (const c of cases) if (rnd() < 0.05) fresh[c.id] = T0;
    const o = new OrderedCases();
    o.reset(cases, (id) => fresh[id] !== undefined);
    expect(ids(o.toArray())).toEqual(ids([...cases].sort((a, b) => compareCases(a, b, fresh))));
    const one = new OrderedCases();
    for (const c of cases) one.set(c, fresh[c.id] !== undefined); // one at a time: the same order
    expect(ids(one.toArray())).toEqual(ids(o.toArray()));
    expect(o.size).toBe(2000);
  });

  test('a new case goes to its place; at() and indexOf() agree with the order', () => {
    const o = new OrderedCases();
    o.reset([summary({ id: 'g1' }), summary({ id: 'y1', light: 'yellow' }), summary({ id: 'g2', red_at: iso(T0 + 200 * MIN) })]);
    expect(ids(o.toArray())).toEqual(['y1', 'g1', 'g2']);
    o.set(summary({ id: 'r1', light: 'red' }));
    o.set(summary({ id: 'g0', red_at: iso(T0 + 50 * MIN) }));
    expect(ids(o.toArray())).toEqual(['r1', 'y1', 'g0', 'g1', 'g2']);
    expect([0, 1, 2, 3, 4].map((k) => o.at(k)!.id)).toEqual(['r1', 'y1', 'g0', 'g1', 'g2']);
    expect(o.at(5)).toBeNull();
    expect(['r1', 'y1', 'g0', 'g1', 'g2', 'nope'].map((id) => o.indexOf(id))).toEqual([0, 1, 2, 3, 4, -1]);
    expect(ids(o.slice(1, 3))).toEqual(['y1', 'g0']);
  });

  test('a light change moves the case and its count; a second set of the same case does not duplicate it', () => {
    const o = new OrderedCases();
    o.reset([summary({ id: 'a' }), summary({ id: 'b' }), summary({ id: 'c', light: 'yellow' })]);
    expect(o.counts()).toMatchObject({ red: 0, yellow: 1, green: 2, total: 3 });
    o.set(summary({ id: 'b', light: 'red', version: 2 }));
    expect(ids(o.toArray())).toEqual(['b', 'c', 'a']);
    expect(o.counts()).toMatchObject({ red: 1, yellow: 1, green: 1, none: 0, total: 3 });
    o.set(summary({ id: 'b', light: 'red', version: 3 }));
    expect(o.size).toBe(3);
    expect(o.at(0)).toMatchObject({ id: 'b', version: 3 });
  });

  test('a closed case is removed; removing an unknown one changes nothing', () => {
    const o = new OrderedCases();
    o.reset([summary({ id: 'a', light: 'red' }), summary({ id: 'b' }), summary({ id: 'c', light: 'yellow' })]);
    const rev = o.rev;
    expect(o.delete('a')).toBe(true);
    expect(ids(o.toArray())).toEqual(['c', 'b']);
    expect(o.counts()).toMatchObject({ red: 0, yellow: 1, green: 1, total: 2 });
    expect(o.delete('a')).toBe(false);
    expect(o.rev).toBe(rev + 1);
    expect(o.has('a')).toBe(false);
  });

  test('ties: the same light, urgency, deadline and update time order by case number, then by id', () => {
    const o = new OrderedCases();
    const same = { red_at: iso(T0 + 10 * MIN), updated_at: iso(T0) };
    o.set(summary({ id: 'z', case_no: 'B', ...same }));
    o.set(summary({ id: 'x', case_no: 'A', ...same }));
    o.set(summary({ id: 'w', case_no: 'B', ...same })); // same case number as z (imports may): the id decides
    o.set(summary({ id: 'v', case_no: 'A', ...same, urged: true })); // urged first
    expect(ids(o.toArray())).toEqual(['v', 'x', 'w', 'z']);
    o.delete('w');
    o.set(summary({ id: 'w', case_no: 'B', ...same, version: 2 }));
    expect(ids(o.toArray())).toEqual(['v', 'x', 'w', 'z']);
  });

  test('shownRows: the rows of the shown lights only, paged anywhere', () => {
    const rnd = rng(5);
    const cases = randomCases(500, rnd);
    const o = new OrderedCases();
    o.reset(cases);
    const all = o.toArray();
    for (const shown of [{ red: true, yellow: false, green: true }, { red: false, yellow: true, green: false }, ALL_LIGHTS]) {
      const want = all.filter((c) => c.light === null || shown[c.light]);
      expect(o.shownRows(shown, 0, 0).length).toBe(want.length);
      for (const [from, to] of [[0, 10], [37, 80], [want.length - 5, want.length + 20]]) {
        expect(ids(o.shownRows(shown, from, to).rows)).toEqual(ids(want.slice(from, to)));
      }
    }
  });
});

describe('WallOrder follows the cases store', () => {
  beforeEach(() => {
    useCases.setState(useCases.getInitialState(), true);
    useCases.getState().tick(T0);
  });
  const source = () => {
    const s = useCases.getState();
    return { byId: s.byId, shows: (c: CaseSummary) => wallVisible(c, { status: s.filter.status, lights: ALL_LIGHTS }), showsKey: s.filter.status, flash: s.flash, changes: s.changes };
  };
  const event = (c: CaseSummary): LiveCaseEvent => ({
    id: c.id, case_no: c.case_no, status: c.status, light: c.light, lon: c.lon, lat: c.lat, version: c.version, class_code: c.class_code,
    grid_code: c.grid_code, department_id: c.department_id, step: c.step, red_at: c.red_at, yellow_at: c.yellow_at, updated_at: c.updated_at,
    reporter_id: null, responsibility_code: null, urged: c.urged ?? false, urgent: false, pending_application: null, rework_count: 0, address: null, origin: 'live',
  });

  test('live news, the clock and flashes move single cases; the order always equals a full sort; a close removes the case', () => {
    const rnd = rng(3);
    const cases = randomCases(1000, rnd).map((c) => ({ ...c, red_at: iso(T0 + Math.floor(rnd() * 200) * MIN), yellow_at: iso(T0 + Math.floor(rnd() * 150) * MIN) }));
    const s = useCases.getState();
    s.receive({ items: cases, total: cases.length }, s.begin());
    const w = new WallOrder();
    expect(w.sync(source()).rebuilt).toBe(true);
    const tally = new StageTally(WALL_STATUSES);
    const check = () => {
      const st = useCases.getState();
      expect(ids(w.order.toArray())).toEqual(ids(statusFiltered(st.byId, st.filter, st.flash)));
      expect(tally.sync(st.byId, st.changes)).toEqual(stageCounts(st.byId)); // the stage strip's counts, kept the same way
    };
    check();
    let now = T0;
    for (let step = 0; step < 60; step++) {
      const k = Math.floor(rnd() * 1000);
      const c = useCases.getState().byId[`k${k}`];
      const r = rnd();
      if (r < 0.3) useCases.getState().applyLive(event({ ...c, version: c.version + 1, urged: !c.urged }));
      else if (r < 0.45) useCases.getState().applyLive(event({ ...c, version: c.version + 1, status: 'closed' }));
      else if (r < 0.6) useCases.getState().applyLive(event(summary({ id: `new${step}`, red_at: iso(now + 30 * MIN), version: 1 })));
      else useCases.getState().tick((now += 7 * MIN)); // lights turn; flashes end
      const res = w.sync(source());
      expect(res.rebuilt).toBe(false);
      check();
    }
    const closed = Object.values(useCases.getState().byId).filter((c) => c.status === 'closed');
    expect(closed.length).toBeGreaterThan(0);
    for (const c of closed) expect(w.order.has(c.id)).toBe(false);
  });

  test('another status filter or a new list rebuilds; nothing new changes nothing', () => {
    const s = useCases.getState();
    s.receive({ items: [summary({ id: 'a' }), summary({ id: 'b', status: 'pending_check' })], total: 2 }, s.begin());
    const w = new WallOrder();
    w.sync(source());
    expect(w.sync(source())).toEqual({ changed: false, rebuilt: false });
    useCases.getState().setFilter({ status: 'pending_check' });
    expect(w.sync(source()).rebuilt).toBe(true);
    expect(ids(w.order.toArray())).toEqual(['b']);
    const t = useCases.getState();
    t.receive({ items: [summary({ id: 'c', status: 'pending_check' })], total: 1 }, t.begin());
    expect(w.sync(source()).rebuilt).toBe(true);
    expect(ids(w.order.toArray())).toEqual(['c']);
  });
});
