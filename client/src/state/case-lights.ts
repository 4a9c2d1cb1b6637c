// Traffic lights on the client (docs/workflow.md §Time): a case's light follows from its step's yellow_at / red_at and
// the clock, so a case turns yellow or red on the wall without any server event. The same rule as the server's SQL
// (server/db/cases.ts LIGHT_SQL, domain/lights.ts lightAtSqlExpression): no light once finished or while suspended;
// red strictly after red_at, yellow strictly after yellow_at (80 % of the step limit), else green. Pure.
import type { CaseStatus, CaseSummary, Light } from '../api/types.js';

export const LIGHT_ORDER: readonly Light[] = ['red', 'yellow', 'green'];

const NO_LIGHT: readonly CaseStatus[] = ['closed', 'void', 'suspended'];

const ms = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
};

/**
 * A case's deadlines as numbers, parsed once per case object (cases are never mutated: a change is a new object).
 * A whole list asks this of every case (the light schedule's keys), a tick of the cases due; a relit case shares its
 * predecessor's (withLight).
 */
const deadlines = new WeakMap<object, { red: number | null; yellow: number | null }>();
function deadlinesOf(c: Pick<CaseSummary, 'yellow_at' | 'red_at'>): { red: number | null; yellow: number | null } {
  let d = deadlines.get(c);
  if (!d) {
    d = { red: ms(c.red_at), yellow: ms(c.yellow_at) };
    deadlines.set(c, d);
  }
  return d;
}

/**
 * The light of a case at `now` (ms since the epoch).
 * @example lightAt({ status: 'handling', yellow_at: '2026-11-23T10:08:00Z', red_at: '2026-11-23T10:10:00Z' }, Date.parse('2026-11-23T10:09:00Z')) // 'yellow'
 */
export function lightAt(c: Pick<CaseSummary, 'status' | 'yellow_at' | 'red_at'>, now: number): Light | null {
  const { red, yellow } = deadlinesOf(c);
  if (red === null || NO_LIGHT.includes(c.status)) return null;
  if (now > red) return 'red';
  if (yellow !== null && now > yellow) return 'yellow';
  return 'green';
}

/**
 * Until when the light `c` has at `t` holds: the light at any `now` ≥ t is lightAt(c, t) as long as now ≤ the answer
 * (lightAt turns at "strictly after" a deadline), and may differ once now is past it. Null when the light never changes
 * again after `t`: finished, suspended (a resumed case comes with new deadlines), no deadline, or red already.
 * The light tick's schedule (state/light-schedule.ts) is keyed by it.
 * @example lightHoldsUntil({ status: 'handling', yellow_at: '2026-11-23T10:08:00Z', red_at: '2026-11-23T10:10:00Z' }, Date.parse('2026-11-23T10:09:00Z')) // Date.parse('2026-11-23T10:10:00Z')
 */
export function lightHoldsUntil(c: Pick<CaseSummary, 'status' | 'yellow_at' | 'red_at'>, t: number): number | null {
  const { red, yellow } = deadlinesOf(c);
  if (red === null || NO_LIGHT.includes(c.status) || t > red) return null;
  return yellow !== null && yellow >= t && yellow < red ? yellow : red;
}

/**
 * The light schedule's key for `c` held at `t` (state/light-schedule.ts): lightHoldsUntil(c, t) when the light it
 * carries is lightAt(c, t); −∞ (due at the next tick, which corrects it as the full recomputation would) when that
 * light is stale; null when it never changes. One look at the deadlines (the schedule asks this of every case of a list).
 */
export function lightDueAfter(c: Pick<CaseSummary, 'status' | 'yellow_at' | 'red_at' | 'light'>, t: number): number | null {
  const { red, yellow } = deadlinesOf(c);
  if (red === null || NO_LIGHT.includes(c.status)) return c.light === null ? null : -Infinity;
  if (t > red) return c.light === 'red' ? null : -Infinity;
  const yellowNow = yellow !== null && t > yellow;
  if (c.light !== (yellowNow ? 'yellow' : 'green')) return -Infinity;
  return yellow !== null && yellow >= t && yellow < red ? yellow : red;
}

/** Milliseconds left in the current step (negative: overdue by that much), or null without a deadline. */
export function remainingMs(c: Pick<CaseSummary, 'status' | 'red_at'>, now: number): number | null {
  const red = ms(c.red_at);
  if (red === null || NO_LIGHT.includes(c.status)) return null;
  return red - now;
}

/** The case with its light at `now`: the same object when the light has not changed (no re-render, no new deck data). */
export function withLight<C extends CaseSummary>(c: C, now: number): C {
  const light = lightAt(c, now);
  if (light === c.light) return c;
  const next = { ...c, light };
  deadlines.set(next, deadlinesOf(c)); // the same deadlines: not parsed again
  return next;
}

/**
 * The full recomputation, O(n): every case of `byId` whose light at `now` differs from the one it carries, with what
 * it was and what it is now. The light tick does this only when its schedule cannot answer (a list it did not see
 * arrive, a clock turned back); the schedule's tests and the bench compare against it.
 */
export function relightAll<C extends CaseSummary>(byId: Readonly<Record<string, C>>, now: number): { ids: string[]; was: C[]; next: C[] } {
  const ids: string[] = [], was: C[] = [], next: C[] = [];
  for (const id in byId) {
    const c = byId[id];
    const n = withLight(c, now);
    if (n === c) continue;
    ids.push(id);
    was.push(c);
    next.push(n);
  }
  return { ids, was, next };
}

const rank = (l: Light | null) => (l === 'red' ? 0 : l === 'yellow' ? 1 : l === 'green' ? 2 : 3);

/**
 * Red first, then yellow, then green, then no light; within a light, newly reported cases (in `fresh`) first, then
 * urged ones, then the nearest deadline.
 */
export function compareCases(a: CaseSummary, b: CaseSummary, fresh: Readonly<Record<string, number>> = {}): number {
  return rank(a.light) - rank(b.light)
    || Number(fresh[b.id] !== undefined) - Number(fresh[a.id] !== undefined)
    || Number(!!b.urged) - Number(!!a.urged)
    || (ms(a.red_at) ?? Infinity) - (ms(b.red_at) ?? Infinity)
    || (ms(b.updated_at) ?? 0) - (ms(a.updated_at) ?? 0)
    || a.case_no.localeCompare(b.case_no);
}

export type LightCounts = Record<Light, number> & { none: number; total: number };

export function countLights(cases: readonly CaseSummary[]): LightCounts {
  const out: LightCounts = { red: 0, yellow: 0, green: 0, none: 0, total: cases.length };
  for (const c of cases) out[c.light ?? 'none']++;
  return out;
}

/**
 * "12分" / "2时05分" / "3天4时": a duration for the lists, in the chosen language.
 * @example formatDuration(125 * 60_000, 'zh') // '2时05分'
 */
export function formatDuration(msLeft: number, lang: 'zh' | 'en'): string {
  const min = Math.floor(Math.abs(msLeft) / 60_000);
  const d = Math.floor(min / 1440), h = Math.floor((min % 1440) / 60), m = min % 60;
  if (lang === 'zh') {
    if (d > 0) return `${d}天${h}时`;
    if (h > 0) return `${h}时${String(m).padStart(2, '0')}分`;
    return `${m}分`;
  }
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m`;
}
