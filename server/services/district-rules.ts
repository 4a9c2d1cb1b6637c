// Each district's working calendar and time limits, versioned in the database (issue 10; every district's, issue 12):
// loaded at startup, read by every deadline, light and step-time computation, changed by the admin console (each
// change a new version, recorded in the audit log in the same transaction).
//
// `book.workOf(district)` is a WorkRules whose `calendar` and `limits` are that district's version in force at the
// clock's now, so services that hold it follow a change from its valid_from on with no restart. `book.work` is the
// first district's, and its `of` (work-rules.ts workOf) answers any district's: the case service takes a case's own
// district's rules through it. Deadlines already stored on cases are not recomputed (domain/district-rules.ts: a step
// keeps the rules of its start).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as audit from '../db/audit.js';
import * as store from '../db/district-rules.js';
import * as regions from '../db/regions.js';
import type { Queryable } from '../db/types.js';
import { DomainError } from '../domain/errors.js';
import { parseCalendarYear, type CalendarYear, type WorkCalendar } from '../domain/calendar.js';
import { loadLimits, type LimitsTable } from '../domain/limits.js';
import {
  applyLimitChanges, calendarOf, CN_CALENDAR, parseCalendarSettings, validFromOf, versionAt,
  type CalendarSettings, type LimitChanges, type RuleVersion,
} from '../domain/district-rules.js';
import { parseCsvObjects } from '../domain/csv.js';
import type { WorkRules } from './work-rules.js';
import { userDistrict, type ScopedUser } from './visibility.js';

type Built<T, B> = RuleVersion<T> & { built: B };

/** Everything read from data/ once: year files of every holiday set, the default limits, the class codes. */
export type RuleData = { years: CalendarYear[]; default_limits: Record<string, unknown>; class_codes: string[] };

export function readRuleData(dataDir = 'data', limitsFile = 'limits/default.json'): RuleData {
  const calDir = join(dataDir, 'calendars');
  const years = readdirSync(calDir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => parseCalendarYear(JSON.parse(readFileSync(join(calDir, f), 'utf8'))));
  const class_codes = parseCsvObjects(readFileSync(join(dataDir, 'standard/matters.csv'), 'utf8')).map((r) => r.code);
  return { years, default_limits: JSON.parse(readFileSync(join(dataDir, limitsFile), 'utf8')), class_codes };
}

/** Version 0: what a district runs on before any version of its own (the China defaults of data/). */
const EPOCH = new Date(0);

/** One district's versions, oldest first; version 0 (the defaults) first. */
type DistrictVersions = { calendars: Built<CalendarSettings, WorkCalendar>[]; limits: Built<Record<string, unknown>, LimitsTable>[] };

/**
 * Every district's rules (issue 12: several districts in one database). `workOf(district)` is the WorkRules a case of
 * that district runs on; `work` is the first district's (regions.firstDistrict), for callers with no district at hand.
 */
export class RuleBook {
  /** The first district: what `work`, `calendarAt` and `limitsAt` answer without a district. */
  district: string | null = null;
  readonly work: WorkRules;
  private versions = new Map<string, DistrictVersions>();
  private works = new Map<string, WorkRules>();
  private defaults: DistrictVersions | null = null;
  private defaultLimits: LimitsTable | null = null;
  /** db/district-rules.ts rulesFingerprint of what the last reload read. */
  private fingerprint = '';

  constructor(readonly data: RuleData, readonly clock: () => Date) {
    const book = this;
    this.work = {
      get calendar() { return book.calendarAt(book.clock()).built; },
      get limits() { return book.limitsAt(book.clock()).built; },
      of: (district_code) => book.workOf(district_code),
    };
  }

  /**
   * The rules of `district_code`: the versions in force at the clock's now, read at each use (a held WorkRules follows
   * a change from its valid_from on); the defaults (version 0) for a district with no version of its own.
   */
  workOf(district_code: string): WorkRules {
    const known = this.works.get(district_code);
    if (known) return known;
    const book = this;
    const w: WorkRules = {
      get calendar() { return book.calendarAt(book.clock(), district_code).built; },
      get limits() { return book.limitsAt(book.clock(), district_code).built; },
      of: (other) => book.workOf(other),
    };
    // kept only for districts with versions: a code from a request (a region asked for) adds nothing to the book
    if (this.versions.has(district_code)) this.works.set(district_code, w);
    return w;
  }

  calendarAt(at: Date, district: string | null = this.district): Built<CalendarSettings, WorkCalendar> {
    const { calendars } = this.versionsOf(district);
    return versionAt(calendars, at) ?? calendars[0];
  }

  limitsAt(at: Date, district: string | null = this.district): Built<Record<string, unknown>, LimitsTable> {
    const { limits } = this.versionsOf(district);
    return versionAt(limits, at) ?? limits[0];
  }

  /** A district's versions: its own after the defaults (version 0); only the defaults for a district with none. */
  versionsOf(district: string | null): DistrictVersions {
    return (district !== null && this.versions.get(district)) || (this.defaults ??= this.defaultsOf('default'));
  }

  /** Version 0 alone: the calendar and limits of data/. */
  private defaultsOf(id: string): DistrictVersions {
    const meta = { version: 0, valid_from: EPOCH, created_at: EPOCH, created_by: null, note: 'defaults (data/calendars, data/limits/default.json)' };
    this.defaultLimits ??= loadLimits(this.data.default_limits, { classCodes: this.data.class_codes });
    return {
      calendars: [{ ...meta, body: CN_CALENDAR, built: calendarOf(id, CN_CALENDAR, this.data.years) }],
      limits: [{ ...meta, body: this.data.default_limits, built: this.defaultLimits }],
    };
  }

  /** Re-reads every district's versions (and which district is the first). */
  async reload(db: Queryable): Promise<this> {
    const [first, calendars, limits] = [await regions.firstDistrict(db), await store.everyCalendar(db), await store.everyLimits(db)];
    const versions = new Map<string, DistrictVersions>();
    const of = (d: string) => versions.get(d) ?? versions.set(d, this.defaultsOf(d)).get(d)!;
    for (const { district_code, ...v } of calendars) of(district_code).calendars.push({ ...v, built: calendarOf(district_code, v.body, this.data.years) });
    for (const { district_code, ...v } of limits) of(district_code).limits.push({ ...v, built: loadLimits(v.body, { classCodes: this.data.class_codes }) });
    this.district = first?.code ?? null;
    this.versions = versions;
    this.fingerprint = `${first?.code ?? ''}|${calendars.length}|${limits.length}`;
    return this;
  }

  /**
   * Re-reads the versions when the database holds others than those read last (rulesFingerprint: one small query):
   * a version saved by another server process, or written by a loader, is then in force here too without a restart.
   * This process's own admin changes reload at once (changeCalendar, changeLimits).
   */
  async refresh(db: Queryable): Promise<this> {
    return (await store.rulesFingerprint(db)) === this.fingerprint ? this : this.reload(db);
  }
}

/** The district's rules from the database (and data/ for the defaults). */
export async function loadDistrictRules(db: Queryable, opts: { clock?: () => Date; data?: RuleData } = {}): Promise<RuleBook> {
  return new RuleBook(opts.data ?? readRuleData(), opts.clock ?? (() => new Date())).reload(db);
}

/** The district's working calendar as a loader sets it (the demo: Cambridge on America/New_York). No audit entry: no one did it. */
export async function seedDistrictCalendar(db: Queryable, district: string, settings: CalendarSettings, at: Date): Promise<void> {
  await store.addCalendar(db, district, parseCalendarSettings(settings), { valid_from: new Date('2000-01-01T00:00:00Z'), created_at: at, created_by: null, note: 'loaded with the district' });
}

// ── The admin console ──────────────────────────────────────────────────────────────────────────────────────────

export type Actor = { id: number; username: string };
export type ChangeDeps = { db: Queryable; book: RuleBook };

/**
 * The district an admin reads or changes the rules of: its own when it is kept to one (users.region_code), else the
 * one it names, else the first district (null when there is none yet: the defaults are shown, a change is refused).
 * @throws DomainError `forbidden` (403) for another district than its own; `unprocessable` (422) for a code that is
 *   not a loaded district
 */
export async function rulesDistrict(deps: ChangeDeps, user: ScopedUser, asked: string | undefined): Promise<string | null> {
  const kept = await userDistrict(deps.db, user);
  if (kept) {
    if (asked !== undefined && asked !== kept) {
      throw new DomainError('forbidden', `District ${asked} is not yours: you are kept to district ${kept}; leave district out for its calendar and time limits`,
        { district: `outside your district ${kept}`, district_code: kept });
    }
    return kept;
  }
  if (asked !== undefined) {
    const region = await regions.get(deps.db, asked);
    if (region?.level !== 'district') {
      const first = deps.book.district ? ` (${deps.book.district})` : '';
      throw new DomainError('unprocessable', `${asked} is not a district of this database: give the 6-digit code of a loaded district (GET /api/regions?level=district), or leave district out for the first district${first}`,
        { district: 'not a loaded district' });
    }
    return asked;
  }
  if (!deps.book.district) await deps.book.reload(deps.db); // a district loaded since
  return deps.book.district;
}

type VersionMeta = { version: number; valid_from: string; created_at: string; created_by: string | null; note: string | null };

const meta = (v: RuleVersion<unknown>): VersionMeta => ({
  version: v.version, valid_from: v.valid_from.toISOString(), created_at: v.created_at.toISOString(), created_by: v.created_by, note: v.note,
});

export type CalendarView = {
  district_code: string | null;
  in_force: VersionMeta & CalendarSettings;
  /** Every version, oldest first; version 0 is the default. Those with valid_from after now are scheduled. */
  versions: (VersionMeta & CalendarSettings)[];
  /** Holidays and adjusted working days of the calendar in force, this year and the next. */
  holidays: { date: string; name_zh: string; name_en: string | null }[];
  workdays: { date: string; for: string | null }[];
  /** Years the holiday set has data for. */
  years: number[];
};

/** The calendar view of `district` (default the first district). */
export function calendarView(book: RuleBook, district: string | null = book.district): CalendarView {
  const now = book.clock();
  const v = book.calendarAt(now, district);
  const year = now.getUTCFullYear();
  const set = v.body.holiday_set;
  const files = book.data.years.filter((y) => set !== 'none' && (y.country ?? 'CN').toLowerCase() === set);
  const shown = files.filter((y) => y.year === year || y.year === year + 1);
  const holidays = shown.flatMap((y) => y.holidays.flatMap((h) => daysOf(h.from, h.to).map((date) => ({ date, name_zh: h.name_zh, name_en: h.name_en ?? null }))));
  const workdays = shown.flatMap((y) => y.workdays.map((w) => ({ date: w.date, for: w.for ?? null })));
  return {
    district_code: district,
    in_force: { ...meta(v), ...v.body },
    versions: book.versionsOf(district).calendars.map((c) => ({ ...meta(c), ...c.body })),
    holidays, workdays, years: files.map((y) => y.year).sort((a, b) => a - b),
  };
}

export type LimitsView = {
  district_code: string | null;
  in_force: VersionMeta & { limits: Record<string, unknown> };
  versions: VersionMeta[];
};

/** The limits view of `district` (default the first district). */
export function limitsView(book: RuleBook, district: string | null = book.district): LimitsView {
  const v = book.limitsAt(book.clock(), district);
  return { district_code: district, in_force: { ...meta(v), limits: v.body }, versions: book.versionsOf(district).limits.map(meta) };
}

/**
 * A new calendar version of `district_code` (default the first district). The same settings as the latest version
 * with no valid_from (a retried save) add nothing.
 * @throws DomainError `bad_request` on bad settings or valid_from; `unprocessable` when there is no district yet
 */
export async function changeCalendar(deps: ChangeDeps, actor: Actor, ip: string | null,
  body: { settings: unknown; valid_from?: string; note?: string }, district_code?: string | null): Promise<{ view: CalendarView; version: number; created: boolean }> {
  const now = deps.book.clock();
  const settings = parseCalendarSettings(body.settings);
  const valid_from = validFromOf(body.valid_from, now);
  const district = district_code ?? await firstDistrictOf(deps);
  const versions = deps.book.versionsOf(district).calendars;
  const latest = versions[versions.length - 1];
  if (body.valid_from === undefined && latest.version > 0 && sameJson(latest.body, settings)) return { view: calendarView(deps.book, district), version: latest.version, created: false };
  const version = await deps.db.transaction(async (tx) => {
    const n = await store.addCalendar(tx, district, settings, { valid_from, created_at: now, created_by: actor.username, note: body.note ?? null });
    await audit.record(tx, {
      at: now, action: 'admin.calendar', user_id: actor.id, username: actor.username, target: `district:${district}`, ip,
      detail: { version: n, valid_from: valid_from.toISOString(), from: latest.body, to: settings, note: body.note ?? null },
    });
    return n;
  });
  await deps.book.reload(deps.db);
  return { view: calendarView(deps.book, district), version, created: true };
}

/**
 * A new limits version of `district_code` (default the first district): the changes applied to its version in force
 * at valid_from.
 * @throws DomainError `bad_request` on an unknown step or condition, a bad limit or valid_from
 */
export async function changeLimits(deps: ChangeDeps, actor: Actor, ip: string | null,
  body: { changes: LimitChanges; valid_from?: string; note?: string }, district_code?: string | null): Promise<{ view: LimitsView; version: number; created: boolean }> {
  const now = deps.book.clock();
  const valid_from = validFromOf(body.valid_from, now);
  const base = deps.book.limitsAt(valid_from, district_code ?? deps.book.district);
  const { json } = applyLimitChanges(base.body, body.changes, deps.book.data.class_codes);
  const district = district_code ?? await firstDistrictOf(deps);
  const versions = deps.book.versionsOf(district).limits;
  const latest = versions[versions.length - 1];
  if (body.valid_from === undefined && sameJson(json, latest.body)) return { view: limitsView(deps.book, district), version: latest.version, created: false };
  const version = await deps.db.transaction(async (tx) => {
    const n = await store.addLimits(tx, district, json, { valid_from, created_at: now, created_by: actor.username, note: body.note ?? null });
    await audit.record(tx, {
      at: now, action: 'admin.limits', user_id: actor.id, username: actor.username, target: `district:${district}`, ip,
      detail: { version: n, valid_from: valid_from.toISOString(), based_on: base.version, changes: body.changes, note: body.note ?? null },
    });
    return n;
  });
  await deps.book.reload(deps.db);
  return { view: limitsView(deps.book, district), version, created: true };
}

async function firstDistrictOf(deps: ChangeDeps): Promise<string> {
  if (!deps.book.district) await deps.book.reload(deps.db);
  if (!deps.book.district) throw new DomainError('unprocessable', 'There is no district yet: load or import the district before setting its calendar and time limits');
  return deps.book.district;
}

/** Equal as JSON, whatever the key order (jsonb does not keep it). */
function sameJson(a: unknown, b: unknown): boolean {
  const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted)
    : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v);
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
