// Versioned working calendars and time limits per district: the only SQL for `district_calendars` and
// `district_limits` (migrations/0033_district_rules.sql). Rows are only inserted, never updated.
import type { Queryable } from './types.js';
import type { CalendarSettings, RuleVersion } from '../domain/district-rules.js';

type Meta = { version: number; valid_from: Date; created_at: Date; created_by: string | null; note: string | null };
export type NewVersion = { valid_from: Date; created_at: Date; created_by: string | null; note: string | null };

const META = 'version, valid_from, created_at, created_by, note';

type CalendarRow = Meta & Omit<CalendarSettings, 'holiday_set'> & { holiday_set: CalendarSettings['holiday_set']; district_code: string };
type LimitsRow = Meta & { limits: Record<string, unknown>; district_code: string };
export type DistrictVersion<T> = RuleVersion<T> & { district_code: string };

const CALENDAR_COLUMNS = `district_code, ${META}, time_zone, holiday_set, periods, weekend, working_day_hours`;

function calendarVersion({ version, valid_from, created_at, created_by, note, district_code, ...body }: CalendarRow): DistrictVersion<CalendarSettings> {
  return {
    district_code, version: Number(version), valid_from: new Date(valid_from), created_at: new Date(created_at), created_by, note,
    body: { time_zone: body.time_zone, holiday_set: body.holiday_set, periods: body.periods, weekend: body.weekend, working_day_hours: Number(body.working_day_hours) },
  };
}

function limitsVersion({ limits: body, district_code, ...m }: LimitsRow): DistrictVersion<Record<string, unknown>> {
  return { district_code, version: Number(m.version), valid_from: new Date(m.valid_from), created_at: new Date(m.created_at), created_by: m.created_by, note: m.note, body };
}

const strip = <T>({ district_code: _d, ...v }: DistrictVersion<T>): RuleVersion<T> => v;

export async function calendars(db: Queryable, district: string): Promise<RuleVersion<CalendarSettings>[]> {
  const { rows } = await db.query<CalendarRow>(`select ${CALENDAR_COLUMNS} from district_calendars where district_code = $1 order by version`, [district]);
  return rows.map((r) => strip(calendarVersion(r)));
}

export async function limits(db: Queryable, district: string): Promise<RuleVersion<Record<string, unknown>>[]> {
  const { rows } = await db.query<LimitsRow>(`select district_code, ${META}, limits from district_limits where district_code = $1 order by version`, [district]);
  return rows.map((r) => strip(limitsVersion(r)));
}

/** Every district's calendar versions, by district and version (the rule book holds them all: issue 12). */
export async function everyCalendar(db: Queryable): Promise<DistrictVersion<CalendarSettings>[]> {
  const { rows } = await db.query<CalendarRow>(`select ${CALENDAR_COLUMNS} from district_calendars order by district_code, version`);
  return rows.map(calendarVersion);
}

/** Every district's limits versions, by district and version. */
export async function everyLimits(db: Queryable): Promise<DistrictVersion<Record<string, unknown>>[]> {
  const { rows } = await db.query<LimitsRow>(`select district_code, ${META}, limits from district_limits order by district_code, version`);
  return rows.map(limitsVersion);
}

/**
 * What a rule book's copy depends on, cheap to read on a request: the number of versions of each table (rows are
 * only inserted, so a count that moved means a new version) and the first district (regions.firstDistrict's order).
 */
export async function rulesFingerprint(db: Queryable): Promise<string> {
  const { rows: [r] } = await db.query<{ c: number; l: number; d: string | null }>(
    `select (select count(*) from district_calendars)::int as c, (select count(*) from district_limits)::int as l,
            (select code from regions where level = 'district' order by code limit 1) as d`);
  return `${r.d ?? ''}|${r.c}|${r.l}`;
}

/**
 * The next version number of a district in `table`, read under a row lock on the district: call inside a
 * transaction, where the lock serialises two admins saving at once until commit, so each gets its own number. Read
 * first and inserted as a value: Citus refuses an insert into a reference table that selects from the table itself
 * ("missing FROM-clause entry"; docs/citus.md), as it did for evaluation_settings (db/evaluation.ts saveSettings).
 */
async function nextVersion(db: Queryable, table: 'district_calendars' | 'district_limits', district: string): Promise<number> {
  await db.query(`select 1 from regions where code = $1 for update`, [district]);
  const { rows: [next] } = await db.query<{ version: number }>(
    `select coalesce(max(version), 0)::int + 1 as version from ${table} where district_code = $1`, [district]);
  return Number(next.version);
}

/** Appends a calendar version (the next number); returns it. Call inside a transaction (nextVersion). */
export async function addCalendar(db: Queryable, district: string, c: CalendarSettings, v: NewVersion): Promise<number> {
  const version = await nextVersion(db, 'district_calendars', district);
  const { rows } = await db.query<{ version: number }>(
    `insert into district_calendars (district_code, version, valid_from, time_zone, holiday_set, periods, weekend, working_day_hours, created_at, created_by, note)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11)
     returning version`,
    [district, version, v.valid_from, c.time_zone, c.holiday_set, JSON.stringify(c.periods), JSON.stringify(c.weekend), c.working_day_hours, v.created_at, v.created_by, v.note]);
  return Number(rows[0].version);
}

/** Appends a limits version (the next number); returns it. Call inside a transaction (nextVersion). */
export async function addLimits(db: Queryable, district: string, json: Record<string, unknown>, v: NewVersion): Promise<number> {
  const version = await nextVersion(db, 'district_limits', district);
  const { rows } = await db.query<{ version: number }>(
    `insert into district_limits (district_code, version, valid_from, limits, created_at, created_by, note)
     values ($1, $2, $3, $4::jsonb, $5, $6, $7)
     returning version`,
    [district, version, v.valid_from, JSON.stringify(json), v.created_at, v.created_by, v.note]);
  return Number(rows[0].version);
}
