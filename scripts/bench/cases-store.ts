// The wall's case store at city scale (issue 10): one live event and one light tick with N open cases held
// (100,000 by default), against what the store did before it updated in place: copy every case per event
// ({ ...byId, [id]: c }) and rebuild the whole object per tick. Both measured here, side by side, in one run.
//   tsx scripts/bench/cases-store.ts [--cases 100000] [--events 200]
import { parseArgs } from 'node:util';
import { useCases } from '../../client/src/state/cases-store.js';
import { withLight } from '../../client/src/state/case-lights.js';
import type { CaseSummary, LiveCaseEvent } from '../../client/src/api/types.js';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '100000' }, events: { type: 'string', default: '200' } } });
const N = Number(values.cases);
const EVENTS = Number(values.events);
const T0 = Date.parse('2026-12-04T02:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const items: CaseSummary[] = [];
for (let i = 0; i < N; i++) {
  items.push({
    id: String(i + 1), case_no: `B${String(i).padStart(19, '0')}`, status: 'handling', class_code: '06010', lon: 116.4 + (i % 300) * 1e-4,
    lat: 39.9 + Math.floor(i / 300) * 1e-4, version: 1, grid_code: '110101001001001', department_id: 15, step: 'handling',
    step_started_at: iso(T0), yellow_at: iso(T0 + (80 + (i % 600)) * 60_000), red_at: iso(T0 + (100 + (i % 600)) * 60_000), updated_at: iso(T0), light: 'green',
  } as CaseSummary);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The store as it is.
useCases.getState().tick(T0);
useCases.getState().receive({ items, total: N }, useCases.getState().begin({}, 'wall'));
const eventMs: number[] = [];
for (let k = 0; k < EVENTS; k++) {
  const c = useCases.getState().byId[String((k * 7919) % N + 1)];
  const t = performance.now();
  useCases.getState().applyLive({ ...c, version: c.version + 1, status: 'pending_check' } as unknown as LiveCaseEvent);
  eventMs.push(performance.now() - t);
}
const tickMs: number[] = [];
for (let k = 1; k <= 9; k++) {
  const t = performance.now();
  useCases.getState().tick(T0 + (80 + k) * 60_000); // each minute turns some cases yellow
  tickMs.push(performance.now() - t);
}

// The same work done the old way: a new object of every case per event, a rebuilt object per tick.
let byId: Record<string, CaseSummary> = Object.fromEntries(items.map((c) => [c.id, withLight(c, T0)]));
const copyMs: number[] = [];
for (let k = 0; k < Math.min(EVENTS, 40); k++) {
  const c = byId[String((k * 7919) % N + 1)];
  const t = performance.now();
  byId = { ...byId, [c.id]: withLight({ ...c, version: c.version + 1, status: 'pending_check' }, T0) };
  copyMs.push(performance.now() - t);
}
const rebuildMs: number[] = [];
for (let k = 1; k <= 9; k++) {
  const t = performance.now();
  const next: Record<string, CaseSummary> = {};
  for (const [id, c] of Object.entries(byId)) next[id] = withLight(c, T0 + (80 + k) * 60_000);
  byId = next;
  rebuildMs.push(performance.now() - t);
}

const row = (what: string, now: number, before: number) =>
  console.log(`${what.padEnd(30)} in place ${now.toFixed(3).padStart(8)} ms   copying every case ${before.toFixed(1).padStart(6)} ms   ratio ${(now / before).toFixed(4)}`);
console.log(`cases store bench: ${N.toLocaleString()} open cases held (median of ${EVENTS} events, 9 ticks)`);
row('one live event', median(eventMs), median(copyMs));
row('one light tick (every 5 s)', median(tickMs), median(rebuildMs));
