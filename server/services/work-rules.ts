// The city's working-time calendar and time limits, loaded once at startup from data/ (docs/workflow.md §Time).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCalendar, type WorkCalendar } from '../domain/calendar.js';
import { loadLimits, type LimitsTable } from '../domain/limits.js';
import { parseCsvObjects } from '../domain/csv.js';

export type WorkRules = { calendar: WorkCalendar; limits: LimitsTable };

export function loadWorkRules(dataDir = 'data', limitsFile = 'limits/default.json'): WorkRules {
  const calDir = join(dataDir, 'calendars');
  const years = readdirSync(calDir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(calDir, f), 'utf8')));
  const matters = parseCsvObjects(readFileSync(join(dataDir, 'standard/matters.csv'), 'utf8')).map((r) => r.code);
  const limits = loadLimits(JSON.parse(readFileSync(join(dataDir, limitsFile), 'utf8')), { classCodes: matters });
  return { calendar: buildCalendar(years, { id: 'cn' }), limits };
}
