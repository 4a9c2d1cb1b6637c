// The light tick's schedule (issue 10): the tick looks only at the cases whose light changes now, and its lights are
// always those of the full O(n) recomputation (every case asked at every tick): for random case sets, random clock
// advances, live changes, removals and whole lists; clock jumps, extensions, suspensions, a clock turned back.
import { beforeEach, describe, expect, test } from 'vitest';
import { useCases } from '../../client/src/state/cases-store.js';
import { lightAt, lightHoldsUntil, relightAll, withLight } from '../../client/src/state/case-lights.js';
import { dueAfter, LightSchedule } from '../../client/src/state/light-schedule.js';
import type { CaseStatus, CaseSummary, LiveCaseEvent } from '../../client/src/api/types.js';
import { mulberry32 } from '../../server/demo/dongcheng.js';

const T0 = Date.parse('2026-11-23T02:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A seeded generator: the same cases every run. */
const rng = mulberry32;

function summary(p: Partial<CaseSummary> & { id: string }): CaseSummary {
  return {
    case_no: `N${p.id}`, status: 'handling', class_code: '06010', lon: 116.4, lat: 39.9, version: 1, grid_code: '110101001001001',
    department_id: 15, step: 'handling', step_started_at: iso(T0), yellow_at: iso(T0 + 80 * MIN), red_at: iso(T0 + 100 * MIN),
    updated_at: iso(T0), light: 'green', ...p,
  };
}

const STATUSES: CaseStatus[] = ['handling', 'handling', 'handling', 'pending_check', 'pending_dispatch', 'suspended', 'closed', 'void'];

/**
 * A random case around `now`: deadlines from already past to hours ahead, often on the same minute (many due at
 * once), sometimes none, sometimes yellow after red or unparseable; some statuses without a light; the light it
 * carries sometimes stale (as a server answer can be).
 */
function randomCase(id: string, now: number, rnd: () => number, version = 1): CaseSummary {
  const red = now + Math.floor(rnd() * 240 - 60) * MIN + (rnd() < 0.2 ? Math.floor(rnd() * 3) - 1 : 0);
  const r = rnd();
  const yellow = r < 0.1 ? null : r < 0.15 ? red + 10 * MIN : r < 0.2 ? red : red - Math.floor(rnd() * 40) * MIN;
  const lights = ['red', 'yellow', 'green', null] as const;
  return summary({
    id, version, status: STATUSES[Math.floor(rnd() * STATUSES.length)],
    red_at: rnd() < 0.05 ? null : rnd() < 0.02 ? 'not a date' : iso(red),
    yellow_at: yellow === null ? null : iso(yellow),
    light: lights[Math.floor(rnd() * 4)],
  });
}

const event = (c: CaseSummary): LiveCaseEvent => ({
  id: c.id, case_no: c.case_no, status: c.status, light: c.light, lon: c.lon, lat: c.lat, version: c.version, class_code: c.class_code,
  grid_code: c.grid_code, department_id: c.department_id, step: c.step, red_at: c.red_at, yellow_at: c.yellow_at, updated_at: c.updated_at,
  reporter_id: null, responsibility_code: null, urged: false, urgent: false, pending_application: null, rework_count: 0, address: null, origin: 'live',
});

describe('lightHoldsUntil: the instant after which a light may turn', () => {
  const c = summary({ id: 'c1' });
  test.each([
    [0, T0 + 80 * MIN], [80 * MIN, T0 + 80 * MIN], // green until strictly after yellow_at
    [80 * MIN + 1, T0 + 100 * MIN], [100 * MIN, T0 + 100 * MIN], // yellow until strictly after red_at
    [100 * MIN + 1, null], // red for good
  ] as const)('at T0 + %i ms the light holds until %s', (dt, until) => {
    expect(lightHoldsUntil(c, T0 + dt)).toBe(until);
  });

  test('none while suspended or finished, without a deadline, and no yellow step when yellow_at is at or after red_at', () => {
    for (const status of ['suspended', 'closed', 'void'] as const) expect(lightHoldsUntil({ ...c, status }, T0)).toBeNull();
    expect(lightHoldsUntil({ ...c, red_at: null }, T0)).toBeNull();
    expect(lightHoldsUntil({ ...c, yellow_at: iso(T0 + 120 * MIN) }, T0)).toBe(T0 + 100 * MIN);
    expect(lightHoldsUntil({ ...c, yellow_at: null }, T0)).toBe(T0 + 100 * MIN);
  });

  test('the light really holds up to that instant and turns right after it (random cases)', () => {
    const rnd = rng(11);
    for (let i = 0; i < 2000; i++) {
      const c = randomCase(`r${i}`, T0, rnd);
      const t = T0 + Math.floor(rnd() * 200 - 50) * MIN;
      const until = lightHoldsUntil(c, t);
      const light = lightAt(c, t);
      if (until === null) {
        for (const later of [t + 1, t + 60 * MIN, t + 1e9]) expect(lightAt(c, later)).toBe(light);
        continue;
      }
      expect(until).toBeGreaterThanOrEqual(t);
      expect(lightAt(c, until)).toBe(light);
      expect(lightAt(c, (t + until) / 2)).toBe(light);
      expect(lightAt(c, until + 1)).not.toBe(light);
    }
  });

  test('dueAfter: a carried light that is not the light at t is due at once', () => {
    expect(dueAfter(summary({ id: 'x', light: 'red' }), T0)).toBe(-Infinity);
    expect(dueAfter(summary({ id: 'x', light: 'green' }), T0)).toBe(T0 + 80 * MIN);
    expect(dueAfter(summary({ id: 'x', light: null, status: 'closed' }), T0)).toBeNull();
    expect(dueAfter({ ...summary({ id: 'x', status: 'closed' }), light: undefined } as unknown as CaseSummary, T0)).toBe(-Infinity); // withLight gives it null
    const rnd = rng(12);
    const wrong: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const c = randomCase(`d${i}`, T0, rnd); // carried lights random: stale about 3 times in 4
      const t = T0 + Math.floor(rnd() * 200 - 50) * MIN + Math.floor(rnd() * 3) - 1;
      const want = lightAt(c, t) !== c.light ? -Infinity : lightHoldsUntil(c, t);
      if (dueAfter(c, t) !== want) wrong.push(`${c.id} at ${t}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('LightSchedule (pure)', () => {
  /** Drives a schedule and a plain map side by side; after every tick, every light equals lightAt at that clock. */
  test('random cases, changes, removals, whole lists and clock advances: always the full recomputation', () => {
    const rnd = rng(7);
    let now = T0;
    let byId: Record<string, CaseSummary> = {};
    const fill = (n: number) => {
      byId = {};
      for (let i = 0; i < n; i++) byId[`k${i}`] = withLight(randomCase(`k${i}`, now, rnd), now);
    };
    fill(800);
    const sched = new LightSchedule();
    sched.reset(byId, now);
    let popped = 0;
    for (let step = 0; step < 400; step++) {
      const r = rnd();
      if (r < 0.3) { // a live change: new deadlines, another status (its light as the store gives it: at the clock)
        const id = `k${Math.floor(rnd() * 900)}`;
        byId[id] = withLight(randomCase(id, now, rnd), now);
        sched.set(id, byId[id], now);
      } else if (r < 0.4) { // removed
        const id = `k${Math.floor(rnd() * 900)}`;
        delete byId[id];
        sched.delete(id);
      } else if (r < 0.42) { // a whole list
        fill(500 + Math.floor(rnd() * 500));
        sched.reset(byId, now);
      } else { // the clock: a few seconds, minutes, or a long sleep (many due at once)
        const q = rnd();
        now += q < 0.6 ? 5000 : q < 0.9 ? Math.floor(rnd() * 20) * MIN : Math.floor(rnd() * 600) * MIN;
        const want = relightAll(byId, now);
        const due = sched.due(now);
        popped += due.length;
        const turned: string[] = [];
        for (const id of due) {
          const c = byId[id];
          if (!c) continue;
          const next = withLight(c, now);
          sched.set(id, next, now);
          if (next !== c) { turned.push(id); byId[id] = next; }
        }
        expect(turned.sort()).toEqual([...want.ids].sort());
        // Every light is the light at the clock; only the cases with a coming change are held, none of them due yet.
        const wrong: string[] = [];
        for (const id in byId) {
          if (byId[id].light !== lightAt(byId[id], now)) wrong.push(`${id}: light`);
          const key = lightHoldsUntil(byId[id], now);
          if (sched.keyOf(id) !== (key === null ? undefined : key)) wrong.push(`${id}: key`);
        }
        expect(wrong).toEqual([]);
        expect(sched.size).toBe(Object.values(byId).filter((c) => lightHoldsUntil(c, now) !== null).length);
        expect(sched.next() === null || sched.next()! >= now).toBe(true);
      }
    }
    expect(popped).toBeGreaterThan(100);
  }, 60_000); // a busy machine

  test('a removed case is never handed out; a changed one is moved, not doubled', () => {
    const s = new LightSchedule();
    const a = summary({ id: 'a' }), b = summary({ id: 'b', yellow_at: iso(T0 + 10 * MIN), red_at: iso(T0 + 20 * MIN) });
    s.set('a', a, T0);
    s.set('b', b, T0);
    expect(s.next()).toBe(T0 + 10 * MIN);
    s.delete('b');
    expect(s.due(T0 + 90 * MIN)).toEqual(['a']);
    s.set('a', withLight(a, T0 + 90 * MIN), T0 + 90 * MIN);
    s.set('a', { ...a, red_at: iso(T0 + 300 * MIN), yellow_at: iso(T0 + 240 * MIN), light: 'green' }, T0 + 90 * MIN); // extended
    expect(s.size).toBe(1);
    expect(s.due(T0 + 200 * MIN)).toEqual([]);
    expect(s.due(T0 + 241 * MIN)).toEqual(['a']);
    expect(s.size).toBe(0);
  });
});

describe('the store\'s light tick follows the schedule', () => {
  beforeEach(() => {
    useCases.setState(useCases.getInitialState(), true);
    useCases.getState().tick(T0);
  });

  const st = () => useCases.getState();
  const lastChange = () => st().changes[st().changes.length - 1];

  /** Ticks at `now` and checks the result against the full recomputation of the cases as they were before the tick. */
  function tickAndCompare(now: number): string[] {
    const before = { ...st().byId };
    const seq = lastChange().seq;
    const want = relightAll(before, now);
    st().tick(now);
    const got = lastChange().seq === seq ? [] : [...lastChange().ids!];
    expect(got.sort()).toEqual([...want.ids].sort());
    const wrong: string[] = [];
    const turned = new Set(want.ids);
    want.ids.forEach((id, i) => {
      if (st().byId[id].light !== want.next[i].light || st().byId[id].version !== want.next[i].version) wrong.push(`${id}: light`);
      if (lastChange().before![lastChange().ids!.indexOf(id)] !== before[id]) wrong.push(`${id}: before`);
    });
    for (const id in before) if (!turned.has(id) && st().byId[id] !== before[id]) wrong.push(`${id}: replaced`); // same object: no re-render
    expect(wrong).toEqual([]);
    expect(Object.keys(st().byId).length).toBe(Object.keys(before).length);
    return got;
  }

  test('random lists, live news, action answers and clock advances: the tick turns exactly what a full recomputation turns', () => {
    const rnd = rng(21);
    let now = T0;
    let version = 1;
    const receive = (n: number) => {
      const items = Array.from({ length: n }, (_, i) => randomCase(`k${i}`, now, rnd, version));
      st().receive({ items, total: items.length }, st().begin());
    };
    receive(1500);
    let turned = 0;
    for (let step = 0; step < 300; step++) {
      const r = rnd();
      const id = `k${Math.floor(rnd() * 1600)}`;
      if (r < 0.25) st().applyLive(event(randomCase(id, now, rnd, ++version)));
      else if (r < 0.3) st().applyCase(randomCase(id, now, rnd, ++version));
      else if (r < 0.32) receive(800 + Math.floor(rnd() * 1200));
      else {
        const q = rnd();
        now += q < 0.6 ? 5000 : q < 0.9 ? Math.floor(rnd() * 15) * MIN : Math.floor(rnd() * 500) * MIN;
        turned += tickAndCompare(now).length;
      }
      expect(Object.values(st().byId).filter((c) => c.light !== lightAt(c, st().now)).map((c) => c.id)).toEqual([]);
    }
    expect(turned).toBeGreaterThan(200);
  }, 60_000); // a busy machine

  test('a tick after a long sleep turns everything due at once', () => {
    const items = Array.from({ length: 300 }, (_, i) => summary({ id: `s${i}`, yellow_at: iso(T0 + (10 + i) * MIN), red_at: iso(T0 + (20 + i) * MIN) }));
    st().receive({ items, total: items.length }, st().begin());
    expect(tickAndCompare(T0 + 5000)).toEqual([]);
    expect(tickAndCompare(T0 + 24 * 60 * MIN)).toHaveLength(300);
    expect(Object.values(st().byId).every((c) => c.light === 'red')).toBe(true);
    expect(tickAndCompare(T0 + 48 * 60 * MIN)).toEqual([]);
  });

  test('an extended deadline turns a red case back and is watched again; a suspended case keeps no light until resumed', () => {
    st().receive({ items: [summary({ id: 'x' }), summary({ id: 'y' })], total: 2 }, st().begin());
    tickAndCompare(T0 + 101 * MIN);
    expect(st().byId.x.light).toBe('red');
    // Extension: new deadlines, the light as at the store's clock; then the tick turns it again when they pass.
    st().applyLive(event(summary({ id: 'x', version: 2, yellow_at: iso(T0 + 150 * MIN), red_at: iso(T0 + 160 * MIN) })));
    expect(st().byId.x.light).toBe('green');
    expect(tickAndCompare(T0 + 150 * MIN + 1)).toEqual(['x']);
    expect(st().byId.x.light).toBe('yellow');
    // Suspension: no light, nothing turns while suspended, however late.
    st().applyLive(event(summary({ id: 'y', version: 2, status: 'suspended' })));
    expect(st().byId.y.light).toBeNull();
    expect(tickAndCompare(T0 + 1000 * MIN)).toEqual(['x']); // x turns red; y does not
    // Resumed with deadlines moved by the suspended time.
    st().applyLive(event(summary({ id: 'y', version: 3, status: 'handling', yellow_at: iso(T0 + 1080 * MIN), red_at: iso(T0 + 1100 * MIN) })));
    expect(st().byId.y.light).toBe('green');
    expect(tickAndCompare(T0 + 1090 * MIN)).toEqual(['y']);
    expect(st().byId.y.light).toBe('yellow');
  });

  test('a case a new list drops is not brought back by the tick; a whole list is scheduled anew', () => {
    st().receive({ items: [summary({ id: 'a' }), summary({ id: 'b' })], total: 2 }, st().begin());
    st().receive({ items: [summary({ id: 'b' }), summary({ id: 'c', yellow_at: iso(T0 + 5 * MIN), red_at: iso(T0 + 9 * MIN) })], total: 2 }, st().begin());
    expect(tickAndCompare(T0 + 6 * MIN)).toEqual(['c']);
    expect(tickAndCompare(T0 + 200 * MIN).sort()).toEqual(['b', 'c']);
    expect(st().byId.a).toBeUndefined();
  });

  test('a clock turned back, a cleared store and a list set from outside are recomputed in full', () => {
    st().receive({ items: [summary({ id: 'a' })], total: 1 }, st().begin());
    expect(tickAndCompare(T0 + 101 * MIN)).toEqual(['a']);
    expect(tickAndCompare(T0 + 90 * MIN)).toEqual(['a']); // the clock was fixed backwards: yellow again
    expect(st().byId.a.light).toBe('yellow');
    expect(tickAndCompare(T0 + 101 * MIN)).toEqual(['a']);
    // Someone else's byId, with stale lights: the first tick corrects every one, later ticks follow the schedule.
    useCases.setState({ byId: { p: summary({ id: 'p', light: 'green' }), q: summary({ id: 'q', light: null }) } });
    expect(tickAndCompare(T0 + 101 * MIN + 5000).sort()).toEqual(['p', 'q']);
    useCases.getState().clear();
    useCases.getState().tick(T0);
    st().applyLive(event(summary({ id: 'z', yellow_at: iso(T0 + 2 * MIN) })));
    expect(tickAndCompare(T0 + 3 * MIN)).toEqual(['z']);
  });
});
