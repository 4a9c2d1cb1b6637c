// The wall's case store at city scale (issue 10), N open cases held (100,000 by default), side by side in one run:
//   one live event, updated in place, against copying every case per event ({ ...byId, [id]: c }) as the store once did;
//   the light tick (every 5 s) driven by the light schedule (state/light-schedule.ts: only the cases whose light turns
//   are looked at) against the full O(n) recomputation it replaced (case-lights.ts relightAll over every case, the
//   changed ones written in place), on the same cases at the same instants: when nothing is due, when 1 % is due, and
//   after a long sleep (every case due at once: the schedule's worst case);
//   a whole list (receive), of which rebuilding the schedule is a part.
//   tsx scripts/bench/cases-store.ts [--cases 100000] [--events 200]
import { useCases } from '../../client/src/state/cases-store.js';
import { relightAll, withLight } from '../../client/src/state/case-lights.js';
import { LightSchedule } from '../../client/src/state/light-schedule.js';
import type { CaseSummary, LiveCaseEvent } from '../../client/src/api/types.js';
import { benchArgs } from './args.js';

const { num } = benchArgs();
const N = num('cases', 100_000);
const EVENTS = num('events', 200);
const MIN = 60_000;
const T0 = Date.parse('2026-12-04T02:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

// Yellow 80 … 679 minutes after T0 and red 800 … 1399, spread evenly: each minute from minute 80 turns 1/600 of the
// cases yellow, so a tick 6 minutes after the last one finds 1 % due.
const items: CaseSummary[] = [];
for (let i = 0; i < N; i++) {
  items.push({
    id: String(i + 1), case_no: `B${String(i).padStart(19, '0')}`, status: 'handling', class_code: '06010', lon: 116.4 + (i % 300) * 1e-4,
    lat: 39.9 + Math.floor(i / 300) * 1e-4, version: 1, grid_code: '110101001001001', department_id: 15, step: 'handling',
    step_started_at: iso(T0), yellow_at: iso(T0 + (80 + (i % 600)) * MIN), red_at: iso(T0 + (800 + (i % 600)) * MIN), updated_at: iso(T0), light: 'green',
  } as CaseSummary);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (f: () => void): number => { const t = performance.now(); f(); return performance.now() - t; };
const store = () => useCases.getState();
const load = () => { store().tick(T0); store().receive({ items, total: N }, store().begin({}, 'wall')); };

/** The full recomputation the tick did before its schedule: every case asked, the changed ones written in place. */
function fullTick(byId: Record<string, CaseSummary>, now: number): number {
  const { ids, next } = relightAll(byId, now);
  for (let i = 0; i < ids.length; i++) byId[ids[i]] = next[i];
  return ids.length;
}

// One live event, in place, against copying every case.
store().tick(T0);
const receiveMs = time(() => store().receive({ items, total: N }, store().begin({}, 'wall')));
const eventMs: number[] = [];
for (let k = 0; k < EVENTS; k++) {
  const c = store().byId[String((k * 7919) % N + 1)];
  eventMs.push(time(() => store().applyLive({ ...c, version: c.version + 1, status: 'pending_check' } as unknown as LiveCaseEvent)));
}
let copied: Record<string, CaseSummary> = Object.fromEntries(items.map((c) => [c.id, withLight(c, T0)]));
const copyMs: number[] = [];
for (let k = 0; k < Math.min(EVENTS, 40); k++) {
  const c = copied[String((k * 7919) % N + 1)];
  copyMs.push(time(() => { copied = { ...copied, [c.id]: withLight({ ...c, version: c.version + 1, status: 'pending_check' }, T0) }; }));
}
copied = {};

/**
 * The light tick at each of `instants`, by the store (schedule) and by the full recomputation over a plain copy of the
 * same cases, interleaved (the machine's load falls on both alike). Checks both turned the same number of cases.
 */
function ticks(instants: number[], plain: Record<string, CaseSummary>): { sched: number; full: number; turned: number } {
  const sched: number[] = [], full: number[] = [];
  let turned = 0;
  for (const now of instants) {
    const seq = store().changes[store().changes.length - 1].seq;
    sched.push(time(() => store().tick(now)));
    const last = store().changes[store().changes.length - 1];
    const bySchedule = last.seq === seq ? 0 : last.ids!.length;
    let byFull = 0;
    full.push(time(() => { byFull = fullTick(plain, now); }));
    if (bySchedule !== byFull) throw new Error(`at ${iso(now)} the schedule turned ${bySchedule} cases, the full recomputation ${byFull}`);
    turned += byFull;
  }
  return { sched: median(sched), full: median(full), turned: Math.round(turned / instants.length) };
}

const plain = { ...store().byId };
const idle = ticks(Array.from({ length: 15 }, (_, k) => T0 + (k + 1) * 5000), plain); // nothing turns before minute 80
const onePct = ticks(Array.from({ length: 9 }, (_, k) => T0 + (80 + 6 * (k + 1)) * MIN), plain); // 6 minutes: 1 % turns yellow
// After a sleep: every case due at once (all turn red), from a fresh list each time.
const sleepSched: number[] = [], sleepFull: number[] = [];
let sleepTurned = 0;
for (let k = 0; k < 3; k++) {
  load();
  const fresh = { ...store().byId };
  const r = ticks([T0 + 2000 * MIN], fresh);
  sleepSched.push(r.sched);
  sleepFull.push(r.full);
  sleepTurned = r.turned;
}
const sched = new LightSchedule();
const rebuildMs = median([0, 1, 2].map(() => time(() => sched.reset(store().byId, store().now))));

const row = (what: string, now: number, before: number, was: string) =>
  console.log(`${what.padEnd(44)} ${now.toFixed(3).padStart(8)} ms   ${was} ${before.toFixed(3).padStart(8)} ms   ratio ${(now / before).toFixed(4)}`);
console.log(`cases store bench: ${N.toLocaleString()} open cases held (medians: ${EVENTS} events; ticks ${15}, ${9}, ${3})`);
row('one live event (in place)', median(eventMs), median(copyMs), 'copying every case');
row('light tick, nothing due (schedule)', idle.sched, idle.full, 'full recomputation');
row(`light tick, 1 % due: ${onePct.turned.toLocaleString()} turn (schedule)`, onePct.sched, onePct.full, 'full recomputation');
row(`light tick after a sleep: ${sleepTurned.toLocaleString()} turn (schedule)`, median(sleepSched), median(sleepFull), 'full recomputation');
console.log(`${'a whole list (receive)'.padEnd(44)} ${receiveMs.toFixed(3).padStart(8)} ms   of which rebuilding the light schedule ${rebuildMs.toFixed(3)} ms (once per list)`);
