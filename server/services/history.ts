// The demo's year of simulated history: reads the district (grids, classes, components, departments, demo users),
// simulates the window in memory (server/demo/history.ts: the real workflow engine on a simulated clock) and
// bulk-loads cases, trails, suspensions and evaluation facts with COPY, in chunks inside one transaction. Every case
// is marked origin = 'simulated'. No case_events are written: the live stream starts with the first live change.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from '../db/types.js';
import * as history from '../db/history.js';
import { caseNumbers } from '../db/cases.js';
import { copyFacts } from '../db/facts.js';
import { factsOf } from './facts.js';
import { loadWorkRules, type WorkRules } from './work-rules.js';
import { localDateOf, localTime } from '../domain/calendar.js';
import { simulateHistory, simulateHistoryDays, type HandlingTimes, type HistoryInput, type HistoryProfile, type SimulatedCase } from '../demo/history.js';

export const HISTORY_DIR = join('data', 'history');
export const DEFAULT_HISTORY_DAYS = 365;

/** The demo accounts that act in the history (services/demo-users.ts). */
const STAFF_USERNAMES = ['operator1', 'shiftlead1', 'dispatcher1', 'leader1', 'crew1'] as const;

export type HistoryOptions = {
  seed: number;
  /** Length of the window in days (default 365). */
  days?: number;
  /** End of the window; default the local midnight (calendar zone) that starts the day of `now`. */
  end?: Date;
  /** Clock for the default end; default the machine's. */
  now?: Date;
  work?: WorkRules;
  /** Cases per COPY chunk. */
  chunk?: number;
};

export type HistorySummary = {
  cases: number; trail_entries: number; open: number; days: number; from: Date; to: Date;
  generate_ms: number; load_ms: number;
};

export function readHistoryData(dir = HISTORY_DIR): { profile: HistoryProfile; handling: HandlingTimes } {
  return {
    profile: JSON.parse(readFileSync(join(dir, 'profile.json'), 'utf8')) as HistoryProfile,
    handling: JSON.parse(readFileSync(join(dir, 'handling-times.json'), 'utf8')) as HandlingTimes,
  };
}

/** The default window's end: local midnight at the start of `now`'s day. */
export function defaultHistoryEnd(work: WorkRules, now: Date): Date {
  return localTime(work.calendar, `${localDateOf(work.calendar, now)} 00:00`);
}

/**
 * Simulates and loads the window's history into the current district. Run on a district without cases (the demo
 * calls it on an empty database); case numbers continue each district's and day's counter (db/cases.ts caseNumbers).
 */
export async function loadHistory(db: Queryable, opts: HistoryOptions): Promise<HistorySummary> {
  const work = fastZone(opts.work ?? loadWorkRules());
  const { start, end, days } = windowOf(work, opts);
  const t0 = performance.now();
  const input = await inputOf(db, work, opts.seed, start, end);
  const { cases } = simulateHistory(input);
  const generate_ms = performance.now() - t0;

  const t1 = performance.now();
  let trail_entries = 0;
  await db.transaction(async (tx) => {
    const chunk = opts.chunk ?? 4000;
    for (let i = 0; i < cases.length; i += chunk) trail_entries += await copyPart(tx, work, cases.slice(i, i + chunk));
  });
  return {
    cases: cases.length, trail_entries, open: cases.filter((c) => c.row.status !== 'closed' && c.row.status !== 'void').length,
    days, from: start, to: end, generate_ms, load_ms: performance.now() - t1,
  };
}

function windowOf(work: WorkRules, opts: Pick<HistoryOptions, 'days' | 'end' | 'now'>): { start: Date; end: Date; days: number } {
  const days = opts.days ?? DEFAULT_HISTORY_DAYS;
  if (!(Number.isInteger(days) && days >= 1 && days <= 3660)) throw new RangeError(`history days must be an integer 1..3660, got ${days}`);
  const end = opts.end ?? defaultHistoryEnd(work, opts.now ?? new Date());
  return { start: new Date(end.getTime() - days * 86_400_000), end, days };
}

/** What the simulation needs of the district: grids, classes, components, departments and the demo staff. */
async function inputOf(db: Queryable, work: WorkRules, seed: number, start: Date, end: Date): Promise<HistoryInput> {
  const { profile, handling } = readHistoryData();
  const [grids, classes, components, departments, users] = await Promise.all([
    history.grids(db),
    history.classes(db, profile.classes.map((c) => c.code)),
    history.components(db, profile.classes.filter((c) => c.component).map((c) => c.code)),
    history.departmentIds(db),
    history.usersByName(db, STAFF_USERNAMES),
  ]);
  const crews = new Map<number, number>();
  const crew = users.get('crew1');
  if (crew?.department_id != null) crews.set(crew.department_id, crew.id);
  return {
    seed, start, end, calendar: work.calendar, limits: work.limits, profile, handling, grids,
    classes: new Map(classes.map((c) => [c.code, c])), components, departments,
    staff: {
      operator: users.get('operator1')?.id ?? null, shift_leader: users.get('shiftlead1')?.id ?? null,
      dispatcher: users.get('dispatcher1')?.id ?? null, leader: users.get('leader1')?.id ?? null, crews,
    },
  };
}

/** COPYs cases with their trails, suspensions and facts (case numbers reserved here); returns the trail entries. */
async function copyPart(tx: Queryable, work: WorkRules, cases: readonly SimulatedCase[]): Promise<number> {
  if (!cases.length) return 0;
  const numbers = await caseNumbers(tx, cases.map((c) => ({ district_code: c.row.district_code, local_date: localDateOf(work.calendar, c.row.created_at) })));
  const part = cases.map((c, k) => ({ c, case_no: numbers[k] }));
  await history.copyCases(tx, part);
  await copyFacts(tx, part.map(({ c }) => ({ case_id: c.row.id, district_code: c.row.district_code, facts: factsOf(work, c.row, c.trail) })));
  return cases.reduce((n, c) => n + c.trail.length, 0);
}

/** Where a background load stands (GET /api/config shows it). */
export type HistoryProgress = { state: 'none' | 'loading' | 'done'; days: number; loaded_days: number; cases: number; loaded_until: string | null };

/** Plans the demo's history on a new demo district: the server loads it in the background (runHistory). */
export async function planHistory(db: Queryable, opts: HistoryOptions): Promise<{ start: Date; end: Date; days: number }> {
  const work = opts.work ?? loadWorkRules();
  const w = windowOf(work, opts);
  await history.savePlan(db, { seed: opts.seed, start_at: w.start, end_at: w.end });
  return w;
}

/**
 * Loads the planned history from where it stopped, one local day per transaction, yielding to the event loop
 * between days so the server keeps answering; `progress` is updated as it goes. Returns null when nothing was
 * planned or everything is loaded.
 */
export async function runHistory(db: Queryable, o: { work?: WorkRules; progress?: HistoryProgress; shouldStop?: () => boolean; onDay?: (p: HistoryProgress) => void } = {}): Promise<HistoryProgress | null> {
  const planned = await history.plan(db);
  if (!planned || planned.finished_at) {
    if (o.progress) Object.assign(o.progress, { state: planned ? 'done' : 'none' });
    return null;
  }
  const work = fastZone(o.work ?? loadWorkRules());
  const start = new Date(planned.start_at);
  const end = new Date(planned.end_at);
  const days = Math.round((end.getTime() - start.getTime()) / 86_400_000);
  const from = planned.loaded_until ? nextDay(planned.loaded_until) : undefined;
  const p: HistoryProgress = Object.assign(o.progress ?? ({} as HistoryProgress), {
    state: 'loading', days, loaded_days: planned.loaded_until ? daysBetween(localDateOf(work.calendar, start), planned.loaded_until) + 1 : 0,
    cases: 0, loaded_until: planned.loaded_until,
  });
  const input = await inputOf(db, work, planned.seed, start, end);
  const all = simulateHistoryDays(input, from);
  let last: string | null = null;
  for (;;) {
    if (o.shouldStop?.()) return p;
    const next = all.next();
    if (next.done) break;
    const { date, cases } = next.value;
    const finished = false;
    await db.transaction(async (tx) => {
      await copyPart(tx, work, cases);
      await history.markLoaded(tx, date, finished);
    });
    last = date;
    p.loaded_days += 1;
    p.cases += cases.length;
    p.loaded_until = date;
    o.onDay?.(p);
    await new Promise((r) => setImmediate(r));
  }
  if (last !== null || planned.loaded_until !== null) await history.markLoaded(db, last ?? planned.loaded_until!, true);
  p.state = 'done';
  return p;
}

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/**
 * The same rules with Asia/Shanghai written as its fixed offset +08:00 (no DST since 1991, so every instant maps the
 * same way): calendar.ts then skips Intl time-zone lookups, which dominate a year of deadline arithmetic.
 */
function fastZone(work: WorkRules): WorkRules {
  return work.calendar.time_zone === 'Asia/Shanghai' ? { ...work, calendar: Object.freeze({ ...work.calendar, time_zone: '+08:00' }) } : work;
}

/** One line for the startup log. */
export function historySummaryLine(s: HistorySummary): string {
  return `simulated history: ${s.cases} cases (${s.open} open), ${s.trail_entries} trail entries over ${s.days} days `
    + `${s.from.toISOString().slice(0, 10)} … ${s.to.toISOString().slice(0, 10)}; generated in ${(s.generate_ms / 1000).toFixed(1)} s, `
    + `loaded in ${(s.load_ms / 1000).toFixed(1)} s`;
}
