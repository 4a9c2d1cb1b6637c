// The cases store: live events never overwrite newer cases, list answers merge with live news, lights follow the
// clock at the 80 % / 100 % boundaries of the step limit, new cases flash, sorting and filters.
import { beforeEach, describe, expect, test } from 'vitest';
import {
  FLASH_MS, loadCases, selectLightCounts, selectWallCases, stageCounts, useCases,
} from '../../client/src/state/cases-store.js';
import { compareCases, countLights, formatDuration, lightAt, remainingMs, withLight } from '../../client/src/state/case-lights.js';
import type { CaseList, CaseSummary, LiveCaseEvent } from '../../client/src/api/types.js';

const T0 = Date.parse('2026-11-23T02:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A case whose current step started at T0 with a 100-minute limit: yellow after 80, red after 100. */
function summary(p: Partial<CaseSummary> & { id: string }): CaseSummary {
  return {
    case_no: `1101012026112300${p.id.padStart(4, '0')}`, status: 'handling', class_code: '06010', lon: 116.4, lat: 39.9,
    version: 1, grid_code: '110101001001001', department_id: 15, step: 'handling',
    step_started_at: iso(T0), yellow_at: iso(T0 + 80 * MIN), red_at: iso(T0 + 100 * MIN), updated_at: iso(T0), light: 'green',
    ...p,
  };
}
const event = (c: CaseSummary): LiveCaseEvent => {
  const { id, case_no, status, light, lon, lat, version, class_code, grid_code, department_id, step, red_at, yellow_at, updated_at } = c;
  return { id, case_no, status, light, lon, lat, version, class_code, grid_code, department_id, step, red_at, yellow_at, updated_at,
    reporter_id: c.reporter_id ?? null, responsibility_code: c.responsibility_code ?? null, urged: c.urged ?? false, urgent: c.urgent ?? false,
    pending_application: c.pending_application ?? null, rework_count: c.rework_count ?? 0, address: c.address ?? null, origin: c.origin ?? 'live' };
};
const list = (...items: CaseSummary[]): CaseList => ({ items, total: items.length });

beforeEach(() => {
  useCases.setState(useCases.getInitialState(), true);
  useCases.getState().tick(T0);
});

describe('live events', () => {
  test('a late live event does not overwrite a newer case', () => {
    const s = useCases.getState();
    s.receive(list(summary({ id: 'c1', version: 3, status: 'handling' })), s.begin());
    expect(useCases.getState().applyLive(event(summary({ id: 'c1', version: 2, status: 'pending_dispatch' })))).toBe('ignored');
    expect(useCases.getState().byId.c1).toMatchObject({ status: 'handling', version: 3 });
  });

  test('the same version again changes nothing (not even the object)', () => {
    const s = useCases.getState();
    s.receive(list(summary({ id: 'c1', version: 3 })), s.begin());
    const before = useCases.getState().byId;
    expect(useCases.getState().applyLive(event(summary({ id: 'c1', version: 3, status: 'pending_check' })))).toBe('ignored');
    expect(useCases.getState().byId).toBe(before);
  });

  test('a newer event is merged into the case, keeping the fields the event does not carry', () => {
    const s = useCases.getState();
    s.receive(list(summary({ id: 'c1', version: 3, description: '井盖破损', source: 'public' })), s.begin());
    expect(useCases.getState().applyLive(event(summary({ id: 'c1', version: 4, status: 'pending_check' })))).toBe('updated');
    expect(useCases.getState().byId.c1).toMatchObject({ status: 'pending_check', version: 4, description: '井盖破损', source: 'public' });
  });

  test('a list answer older than a live event keeps the newer case', () => {
    const started = useCases.getState().begin();
    useCases.getState().applyLive(event(summary({ id: 'c1', version: 5, status: 'pending_check' })));
    useCases.getState().receive(list(summary({ id: 'c1', version: 4, status: 'handling' })), started);
    expect(useCases.getState().byId.c1).toMatchObject({ status: 'pending_check', version: 5 });
  });

  test('a case reported while the list was on its way is kept; one the list dropped is forgotten', () => {
    const s = useCases.getState();
    s.receive(list(summary({ id: 'old', version: 1 })), s.begin());
    const started = useCases.getState().begin();
    useCases.getState().applyLive(event(summary({ id: 'new', version: 1 })));
    useCases.getState().receive(list(summary({ id: 'other', version: 1 })), started);
    expect(Object.keys(useCases.getState().byId).sort()).toEqual(['new', 'other']);
  });

  test('a case first heard of live flashes once the list is loaded, and stops after FLASH_MS', () => {
    expect(useCases.getState().applyLive(event(summary({ id: 'early' })))).toBe('new');
    expect(useCases.getState().flash).toEqual({}); // before the list: nothing is "new" yet
    const s = useCases.getState();
    s.receive(list(), s.begin());
    useCases.getState().applyLive(event(summary({ id: 'c9' })));
    expect(useCases.getState().flash.c9).toBe(T0 + FLASH_MS);
    useCases.getState().tick(T0 + FLASH_MS - 1);
    expect(useCases.getState().flash.c9).toBeDefined();
    useCases.getState().tick(T0 + FLASH_MS);
    expect(useCases.getState().flash).toEqual({});
  });

  test('an action answer (a full case) replaces the summary unless older', () => {
    const s = useCases.getState();
    s.receive(list(summary({ id: 'c1', version: 2 })), s.begin());
    useCases.getState().applyCase({ ...summary({ id: 'c1', version: 3, status: 'handling', department_id: 7 }), available_actions: [], trail: [] } as CaseSummary);
    expect(useCases.getState().byId.c1).toMatchObject({ version: 3, department_id: 7 });
    expect(useCases.getState().byId.c1).not.toHaveProperty('trail');
    useCases.getState().applyCase(summary({ id: 'c1', version: 2, department_id: 1 }));
    expect(useCases.getState().byId.c1.department_id).toBe(7);
  });
});

describe('lights follow the clock (no server event needed)', () => {
  const c = summary({ id: 'c1' });

  test.each([
    [0, 'green'],
    [80 * MIN, 'green'], // exactly 80 % of the limit: still green
    [80 * MIN + 1, 'yellow'],
    [100 * MIN, 'yellow'], // exactly 100 %: yellow
    [100 * MIN + 1, 'red'],
  ] as const)('at T0 + %i ms the light is %s', (dt, light) => {
    expect(lightAt(c, T0 + dt)).toBe(light);
  });

  test('no light once finished or while suspended, or without a deadline', () => {
    expect(lightAt({ ...c, status: 'closed' }, T0 + 200 * MIN)).toBeNull();
    expect(lightAt({ ...c, status: 'void' }, T0 + 200 * MIN)).toBeNull();
    expect(lightAt({ ...c, status: 'suspended' }, T0 + 200 * MIN)).toBeNull();
    expect(lightAt({ ...c, red_at: null }, T0)).toBeNull();
  });

  test('tick recomputes the lights at the 80 % and 100 % boundaries and only replaces what changed', () => {
    const s = useCases.getState();
    s.receive(list(c, summary({ id: 'c2', yellow_at: iso(T0 + 800 * MIN), red_at: iso(T0 + 1000 * MIN) })), s.begin());
    const c2 = useCases.getState().byId.c2;
    const before = useCases.getState().byId;
    useCases.getState().tick(T0 + 80 * MIN);
    expect(useCases.getState().byId).toBe(before); // nothing changed: same object, no re-render
    useCases.getState().tick(T0 + 80 * MIN + 1000);
    expect(useCases.getState().byId.c1.light).toBe('yellow');
    expect(useCases.getState().byId.c2).toBe(c2);
    useCases.getState().tick(T0 + 100 * MIN);
    expect(useCases.getState().byId.c1.light).toBe('yellow');
    useCases.getState().tick(T0 + 100 * MIN + 1000);
    expect(useCases.getState().byId.c1.light).toBe('red');
    expect(selectLightCounts(useCases.getState())).toMatchObject({ red: 1, yellow: 0, green: 1, total: 2 });
  });

  test('a server light that is already stale is corrected on arrival', () => {
    useCases.getState().tick(T0 + 120 * MIN);
    const s = useCases.getState();
    s.receive(list(summary({ id: 'c1', light: 'green' })), s.begin());
    expect(useCases.getState().byId.c1.light).toBe('red');
  });

  test('withLight keeps the object when the light is unchanged', () => {
    const g = withLight(c, T0);
    expect(g).toBe(c);
    expect(withLight(c, T0 + 81 * MIN)).toEqual({ ...c, light: 'yellow' });
  });

  test('time left and overdue', () => {
    expect(remainingMs(c, T0 + 30 * MIN)).toBe(70 * MIN);
    expect(remainingMs(c, T0 + 130 * MIN)).toBe(-30 * MIN);
    expect(formatDuration(125 * MIN, 'zh')).toBe('2时05分');
    expect(formatDuration(-30 * MIN, 'en')).toBe('30m');
    expect(formatDuration(3 * 1440 * MIN + 4 * 60 * MIN, 'zh')).toBe('3天4时');
  });
});

describe('the wall list', () => {
  const red = summary({ id: 'r', red_at: iso(T0 - MIN), yellow_at: iso(T0 - 2 * MIN) });
  const yellow = summary({ id: 'y', yellow_at: iso(T0 - MIN) });
  const green = summary({ id: 'g' });
  const urgedGreen = summary({ id: 'u', urged: true, red_at: iso(T0 + 500 * MIN), yellow_at: iso(T0 + 400 * MIN) });
  const closed = summary({ id: 'x', status: 'closed' });

  test('red first, then yellow, then green (urged first within a light); closed cases are not on the wall', () => {
    const s = useCases.getState();
    s.receive(list(green, closed, yellow, urgedGreen, red), s.begin());
    expect(selectWallCases(useCases.getState()).map((c) => c.id)).toEqual(['r', 'y', 'u', 'g']);
    expect(countLights(selectWallCases(useCases.getState()))).toMatchObject({ red: 1, yellow: 1, green: 2, total: 4 });
  });

  test('the light filter narrows the list; switching the last light off shows all again', () => {
    const s = useCases.getState();
    s.receive(list(green, yellow, red), s.begin());
    useCases.getState().toggleLight('green');
    useCases.getState().toggleLight('yellow');
    expect(selectWallCases(useCases.getState()).map((c) => c.id)).toEqual(['r']);
    expect(selectLightCounts(useCases.getState())).toMatchObject({ red: 1, yellow: 1, green: 1 }); // counts ignore the light filter
    useCases.getState().toggleLight('red');
    expect(selectWallCases(useCases.getState())).toHaveLength(3);
  });

  test('the status filter and stage counts', () => {
    const s = useCases.getState();
    s.receive(list(green, summary({ id: 'd', status: 'pending_dispatch', red_at: iso(T0 - MIN) })), s.begin());
    useCases.getState().setFilter({ status: 'pending_dispatch' });
    expect(selectWallCases(useCases.getState()).map((c) => c.id)).toEqual(['d']);
    expect(stageCounts(useCases.getState().byId)).toMatchObject({ pending_dispatch: { n: 1, red: 1 }, handling: { n: 1, red: 0 } });
  });

  test('compareCases puts the nearest deadline first within a light', () => {
    const a = summary({ id: 'a', red_at: iso(T0 + 50 * MIN) });
    const b = summary({ id: 'b', red_at: iso(T0 + 40 * MIN) });
    expect([a, b].sort(compareCases).map((c) => c.id)).toEqual(['b', 'a']);
  });

  test('loadCases pages through the list and records a failure', async () => {
    const all = Array.from({ length: 1500 }, (_, i) => summary({ id: `c${i}` }));
    const asked: number[] = [];
    await loadCases({ status: ['handling'] }, async (q) => {
      asked.push(q.offset!);
      return { items: all.slice(q.offset, q.offset! + q.limit!), total: all.length };
    });
    expect(asked).toEqual([0, 1000]);
    expect(Object.keys(useCases.getState().byId)).toHaveLength(1500);
    expect(useCases.getState().query).toEqual({ status: ['handling'] });
    await loadCases(undefined, async () => { throw new Error('Could not reach the server'); });
    expect(useCases.getState()).toMatchObject({ status: 'error', error: 'Could not reach the server' });
  });

  test('live news updates the held cases in place and logs what they were; a clear starts from new objects', () => {
    const s0 = useCases.getState();
    s0.receive(list(summary({ id: 'c1', version: 3 }), summary({ id: 'c2' })), s0.begin());
    const held = useCases.getState().byId;
    const was = held.c1;
    useCases.getState().applyLive(event({ ...was, status: 'pending_check', version: was.version + 1 }));
    const { byId, changes } = useCases.getState();
    expect(byId).toBe(held); // no copy of every case per event
    expect(byId.c1).not.toBe(was); // the case itself is a new object
    expect(was.version).toBeLessThan(byId.c1.version); // ... and the old one is untouched
    expect(changes.at(-1)).toMatchObject({ ids: ['c1'], before: [was] });
    useCases.getState().setLive('open');
    useCases.getState().clear();
    expect(useCases.getState().live).toBe('open'); // the stream stays open: a clear forgets cases, not the connection
    expect(useCases.getState().byId).not.toBe(held);
    expect(useCases.getState().byId).toEqual({});
    expect(held.c1).toBeDefined(); // clearing does not empty an object someone still holds
  });
});
