// A district's working calendar and time limits as versioned settings (issue 10; docs/workflow.md §Time: "defaults;
// per-city configuration"). Pure: the versions come from server/db/district-rules.ts, the year files from
// data/calendars.
//
// Versioning: every change is a new version with a `valid_from` instant. The version in force at an instant is the
// one with the latest valid_from ≤ that instant (ties: the higher version number). A step's deadline, yellow and red
// instants are computed with the rules in force when the step starts (filing, dispatch, …) and stored on the case, so
// a later change never moves a running deadline; the next step started after valid_from uses the new rules. An
// extension or resume recomputes the running handling step with the rules in force at that moment.
import { DomainError } from './errors.js';
import { buildCalendar, type CalendarYear, type Limit, type WorkCalendar, TIME_UNITS } from './calendar.js';
import { CENTRE_STEPS, loadLimits, type LimitsTable } from './limits.js';

/** Which holiday files a calendar uses: data/calendars/<set>-<year>.json, matched by the file's `country`. */
export const HOLIDAY_SETS = ['cn', 'us', 'none'] as const;
export type HolidaySet = (typeof HOLIDAY_SETS)[number];

/** A district's working calendar, as stored and as sent by the admin console. */
export type CalendarSettings = {
  /** IANA zone, e.g. America/New_York, Asia/Shanghai. */
  time_zone: string;
  holiday_set: HolidaySet;
  /** Local working periods, "HH:MM" pairs. */
  periods: [string, string][];
  /** Weekend days, 0 = Sunday … 6 = Saturday. */
  weekend: number[];
  /** Hours in one working day (working_days limits). */
  working_day_hours: number;
};

export type RuleVersion<T> = { version: number; valid_from: Date; body: T; created_at: Date; created_by: string | null; note: string | null };

/** China's defaults (the calendar Gridline has always used): Asia/Shanghai, cn holidays and 调休, 08–12 and 14–18. */
export const CN_CALENDAR: CalendarSettings = {
  time_zone: 'Asia/Shanghai', holiday_set: 'cn', periods: [['08:00', '12:00'], ['14:00', '18:00']], weekend: [0, 6], working_day_hours: 8,
};
/** A US city hall: America/New_York, federal holidays, 08:30–12:00 and 13:00–17:00 (the Cambridge demo). */
export const US_EAST_CALENDAR: CalendarSettings = {
  time_zone: 'America/New_York', holiday_set: 'us', periods: [['08:30', '12:00'], ['13:00', '17:00']], weekend: [0, 6], working_day_hours: 7.5,
};

/** The version in force at `at`, or null before the first. */
export function versionAt<V extends { version: number; valid_from: Date }>(versions: readonly V[], at: Date): V | null {
  let best: V | null = null;
  for (const v of versions) {
    if (v.valid_from.getTime() > at.getTime()) continue;
    if (!best || v.valid_from > best.valid_from || (v.valid_from.getTime() === best.valid_from.getTime() && v.version > best.version)) best = v;
  }
  return best;
}

const bad = (message: string, problems: string[]) => new DomainError('bad_request', message, { problems });

/**
 * Checks calendar settings sent by a client (every field required) and returns them normalised.
 * @throws DomainError `bad_request` listing every problem
 */
export function parseCalendarSettings(json: unknown): CalendarSettings {
  const o = json as Partial<CalendarSettings> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw bad('Send the calendar as an object with time_zone, holiday_set, periods, weekend and working_day_hours', []);
  const problems: string[] = [];
  if (typeof o.time_zone !== 'string' || !isIanaZone(o.time_zone)) problems.push(`time_zone ${JSON.stringify(o.time_zone)} is not an IANA time zone such as America/New_York or Asia/Shanghai`);
  if (!(HOLIDAY_SETS as readonly unknown[]).includes(o.holiday_set)) problems.push(`holiday_set must be one of ${HOLIDAY_SETS.join(', ')}`);
  if (!Array.isArray(o.periods) || o.periods.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((t) => typeof t !== 'string'))) problems.push('periods must be a list of ["HH:MM", "HH:MM"] pairs');
  if (!Array.isArray(o.weekend) || o.weekend.some((d) => typeof d !== 'number')) problems.push('weekend must be a list of day numbers, 0 = Sunday … 6 = Saturday');
  if (typeof o.working_day_hours !== 'number') problems.push('working_day_hours must be a number of hours');
  if (problems.length) throw bad(`The calendar is invalid: ${problems.join('; ')}`, problems);
  const settings: CalendarSettings = {
    time_zone: o.time_zone!, holiday_set: o.holiday_set!, periods: o.periods!.map(([a, b]) => [a, b]),
    weekend: [...new Set(o.weekend!)].sort((a, b) => a - b), working_day_hours: o.working_day_hours!,
  };
  try {
    buildCalendar([], settings);
  } catch (e) {
    if (e instanceof DomainError) {
      const list = ((e.details as { problems?: string[] } | undefined)?.problems) ?? [e.message];
      throw bad(`The calendar is invalid: ${list.join('; ')}`, list);
    }
    throw e;
  }
  return settings;
}

/** The calendar of a district from its settings and every year file (only those of its holiday set are used). */
export function calendarOf(id: string, settings: CalendarSettings, years: readonly CalendarYear[]): WorkCalendar {
  const set = settings.holiday_set === 'none' ? [] : years.filter((y) => (y.country ?? 'CN').toLowerCase() === settings.holiday_set);
  return buildCalendar(set, { id, time_zone: settings.time_zone, periods: settings.periods, weekend: settings.weekend, working_day_hours: settings.working_day_hours });
}

/** A change to the limits: only what is sent changes, everything else is copied from the version in force. */
export type LimitChanges = {
  steps?: Partial<Record<string, Limit>>;
  handling?: { class_code: string; condition: string; limit: Limit }[];
  fallback_handling?: Limit;
  late_return_after?: Limit;
  stockpile_after?: Limit;
};

/**
 * A new limits file (the JSON shape of data/limits/default.json) from the one in force and a change; validated with
 * loadLimits, so the result always loads.
 * @throws DomainError `bad_request` naming each unknown step, class/condition pair or bad limit
 */
export function applyLimitChanges(base: unknown, changes: LimitChanges, classCodes?: Iterable<string>): { json: Record<string, unknown>; table: LimitsTable } {
  const problems: string[] = [];
  const next = JSON.parse(JSON.stringify(base)) as Record<string, any>;
  const limit = (l: Limit | undefined, where: string): Limit | null => {
    if (!l || typeof l !== 'object') { problems.push(`${where}: a limit is { value, unit }`); return null; }
    if (!(TIME_UNITS as readonly string[]).includes(l.unit)) { problems.push(`${where}: unit must be one of ${TIME_UNITS.join(', ')}`); return null; }
    if (typeof l.value !== 'number' || !Number.isFinite(l.value) || l.value <= 0 || l.value > 100_000) { problems.push(`${where}: value must be a positive number`); return null; }
    return { value: l.value, unit: l.unit };
  };
  for (const [step, l] of Object.entries(changes.steps ?? {})) {
    if (l === undefined) continue;
    if (!(CENTRE_STEPS as readonly string[]).includes(step)) { problems.push(`steps.${step} is not a step (${CENTRE_STEPS.join(', ')})`); continue; }
    const v = limit(l, `steps.${step}`);
    if (v) next.steps[step] = { ...next.steps[step], ...v };
  }
  (changes.handling ?? []).forEach((h, i) => {
    const row = (next.handling as Record<string, any>[]).find((r) => r.class_code === h?.class_code && r.condition === h?.condition);
    if (!row) { problems.push(`handling[${i}]: ${h?.class_code}/${h?.condition} is not a filing condition of the table`); return; }
    const v = limit(h.limit, `handling[${i}].limit`);
    if (v) row.limit = v;
  });
  for (const key of ['fallback_handling', 'late_return_after', 'stockpile_after'] as const) {
    if (changes[key] === undefined) continue;
    const v = limit(changes[key], key);
    if (v) next[key] = v;
  }
  if (problems.length) throw bad(`The limits are invalid: ${problems.join('; ')}`, problems);
  try {
    return { json: next, table: loadLimits(next, { classCodes }) };
  } catch (e) {
    if (e instanceof DomainError) throw bad(e.message, ((e.details as { problems?: string[] } | undefined)?.problems) ?? [e.message]);
    throw e;
  }
}

/**
 * `valid_from` of a new version: an ISO instant not before `now` minus a minute (a change never rewrites the past)
 * and within ten years; absent = now.
 * @throws DomainError `bad_request`
 */
export function validFromOf(raw: string | undefined, now: Date): Date {
  if (raw === undefined) return now;
  const t = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(t)) throw bad(`valid_from "${raw}" is not an ISO date-time like 2027-01-01T00:00:00-05:00`, ['valid_from']);
  if (t < now.getTime() - 60_000) throw bad('valid_from is in the past: a change applies from now or later, never to past deadlines', ['valid_from']);
  if (t > now.getTime() + 3653 * 86_400_000) throw bad('valid_from is more than ten years ahead', ['valid_from']);
  return new Date(t);
}

/** Whether a name is an IANA zone Intl knows (not a bare offset: a district needs its DST rules). */
export function isIanaZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone) || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
