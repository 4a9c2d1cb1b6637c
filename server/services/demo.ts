// Demo district on an empty database (docs/api.md: loaded on first start unless GRIDLINE_DEMO=0).
//   cambridge: the real City of Cambridge (MA) GIS: regions, unit grids drawn by draw-grids.ts, real assets imported.
//   dongcheng: a synthetic district with Beijing Dongcheng's real street and community codes (also the bench's).
import * as regions from '../db/regions.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from '../db/types.js';
import type { Config } from '../config.js';
import { loadDemoDongcheng } from './load-district.js';
import { seedDepartmentsFromClasses } from './departments.js';
import * as departments from '../db/departments.js';
import { seedDemoUsers } from './demo-users.js';
import { CAMBRIDGE_DIR, CAMBRIDGE_DISTRICT, drawGrids, loadCambridgeRegions, readCambridgeBlocks } from './draw-grids.js';
import { importComponents, type ImportOptions } from './import-components.js';
import { historySummaryLine, loadHistory, planHistory, type HistoryOptions } from './history.js';
import { seedDistrictCalendar } from './district-rules.js';
import { loadWorkRules } from './work-rules.js';
import { CN_CALENDAR, US_EAST_CALENDAR } from '../domain/district-rules.js';

export const DEMO_SEED = 20051;

export async function isEmpty(db: Queryable): Promise<boolean> {
  return !(await regions.any(db));
}

/** The Cambridge inventories the demo imports: file, class and how its fields map (docs/domain.md §3). */
export const CAMBRIDGE_ASSETS: { file: string; opts: ImportOptions }[] = [
  { file: 'streetlights.geojson', opts: { class_code: '01037', id_field: 'PoleID', source: 'cambridge:streetlights', data_source: 'base_geodata', survey_date: '2023-02-16' } },
  { file: 'hydrants.geojson', opts: { class_code: '01013', id_field: 'HYDRANT_ID', source: 'cambridge:hydrants', data_source: 'base_geodata',
    map: { status: 'LIFECYCLESTATUS', survey_date: 'INSTALLDATE' }, status_values: { MITFL: 'damaged' }, survey_date: '2020-07-22' } },
  { file: 'litter-barrels.geojson', opts: { class_code: '03005', id_field: 'GlobalID', source: 'cambridge:litter-barrels', data_source: 'base_geodata', survey_date: '2023-01-01' } },
];

/**
 * Loads the configured demo district; returns a one-line summary. Cambridge also gets `demo_history_days` of
 * simulated case history (services/history.ts; none when absent or 0); `history` overrides its seed, end and clock.
 */
export async function loadDemo(
  db: Queryable, config: Pick<Config, 'demo' | 'demo_grids' | 'demo_components'> & Partial<Pick<Config, 'demo_history_days'>>,
  history: Partial<HistoryOptions> & { load_now?: boolean } = {},
): Promise<string> {
  if (config.demo === 'cambridge') {
    const summary = await loadCambridge(db);
    const days = history.days ?? config.demo_history_days ?? 0;
    if (!days) return summary;
    // The simulated history runs on the district's own calendar (America/New_York, US federal holidays).
    history = { work: loadWorkRules('data', 'limits/default.json', US_EAST_CALENDAR), ...history };
    // The history is planned here and loaded by the server in the background (main.ts → runHistory), so the
    // first start serves within seconds; `history.load_now` loads it before returning (scripts, tests).
    if (history.load_now) return `${summary}; ${historySummaryLine(await loadHistory(db, { seed: DEMO_SEED, ...history, days }))}`;
    const w = await planHistory(db, { seed: DEMO_SEED, ...history, days });
    return `${summary}; ${days} days of simulated history (${w.start.toISOString().slice(0, 10)} … ${w.end.toISOString().slice(0, 10)}) to load in the background`;
  }
  await loadDemoDongcheng(db, { seed: DEMO_SEED, grids: config.demo_grids, components: config.demo_components });
  const district = await regions.firstDistrict(db);
  if (district) await seedDistrictCalendar(db, district.code, CN_CALENDAR, new Date()); // Asia/Shanghai, China's holidays and 调休
  const n = await seedDepartmentsFromClasses(db);
  const assigned = await departments.assignComponentDefaults(db);
  const users = await seedDemoUsers(db);
  return `Dongcheng (synthetic geometry, real codes): ${config.demo_grids} grids, ${assigned} components, ${n} departments, ${users} demo users (password "demo")`;
}

async function loadCambridge(db: Queryable): Promise<string> {
  await loadCambridgeRegions(db);
  await seedDistrictCalendar(db, CAMBRIDGE_DISTRICT.code, US_EAST_CALENDAR, new Date()); // America/New_York, US federal holidays
  const drawn = await drawGrids(db, { communities: [CAMBRIDGE_DISTRICT.code], valid_from: '2026-01-01', blocks: readCambridgeBlocks() });
  const n = await seedDepartmentsFromClasses(db);
  const parts: string[] = [];
  for (const a of CAMBRIDGE_ASSETS) {
    const r = await importComponents(db, readFileSync(join(CAMBRIDGE_DIR, a.file)), { ...a.opts, format: 'geojson', atomic: true });
    parts.push(`${a.opts.class_code} ${r.imported}${r.rejected_total ? ` (${r.rejected_total} rejected)` : ''}`);
  }
  await departments.assignComponentDefaults(db);
  const users = await seedDemoUsers(db);
  return `Cambridge, MA (district 900001, City of Cambridge GIS, PDDL): ${drawn.areas.count} unit grids drawn, components ${parts.join(', ')}, ${n} departments, ${users} demo users (password "demo")`;
}
