// The working-time calendar and time limits (docs/workflow.md §Time). loadWorkRules gives the defaults from data/
// (China: Asia/Shanghai, the cn holiday files with 调休, data/limits/default.json); a running server uses the
// district's own versioned settings instead (services/district-rules.ts, whose `book.work` has this same shape and
// answers each district's rules through `of`: several districts in one database, issue 12).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkCalendar } from '../domain/calendar.js';
import { loadLimits, type LimitsTable } from '../domain/limits.js';
import { calendarOf, CN_CALENDAR, type CalendarSettings } from '../domain/district-rules.js';
import { parseCalendarYear } from '../domain/calendar.js';
import { parseCsvObjects } from '../domain/csv.js';

export type WorkRules = {
  readonly calendar: WorkCalendar;
  readonly limits: LimitsTable;
  /** The rules of one district (RuleBook: its own versions, the defaults when it has none); absent: the same for all. */
  of?(district_code: string): WorkRules;
};

/**
 * The rules a case of `district_code` runs on: that district's when `work` knows districts (the rule book's), else
 * `work` itself (rules read from data/ are every district's). No district (a caller with none at hand): `work`, the
 * first district's.
 */
export function workOf(work: WorkRules, district_code: string | null | undefined): WorkRules {
  return district_code && work.of ? work.of(district_code) : work;
}

/** The rules of `settings` (default China's) from the files of data/: only the year files of its holiday set. */
export function loadWorkRules(dataDir = 'data', limitsFile = 'limits/default.json', settings: CalendarSettings = CN_CALENDAR): WorkRules {
  const calDir = join(dataDir, 'calendars');
  const years = readdirSync(calDir).filter((f) => f.endsWith('.json')).sort().map((f) => parseCalendarYear(JSON.parse(readFileSync(join(calDir, f), 'utf8'))));
  const matters = parseCsvObjects(readFileSync(join(dataDir, 'standard/matters.csv'), 'utf8')).map((r) => r.code);
  const limits = loadLimits(JSON.parse(readFileSync(join(dataDir, limitsFile), 'utf8')), { classCodes: matters });
  return { calendar: calendarOf(settings.holiday_set, settings, years), limits };
}
