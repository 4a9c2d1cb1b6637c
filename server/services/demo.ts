// Demo district on an empty database (api.md: loaded on first start unless GRIDLINE_DEMO=0).
//   cambridge: the real City of Cambridge (MA) GIS: regions, unit grids drawn by draw-grids.ts, real assets imported.
//   dongcheng: a synthetic district with Beijing Dongcheng's real street and community codes (also the bench's).
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

export const DEMO_SEED = 20051;

export async function isEmpty(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ any: boolean }>('select exists (select 1 from regions) as any');
  return !rows[0].any;
}

/** The Cambridge inventories the demo imports: file, class and how its fields map (domain.md §3). */
export const CAMBRIDGE_ASSETS: { file: string; opts: ImportOptions }[] = [
  { file: 'streetlights.geojson', opts: { class_code: '01037', id_field: 'PoleID', source: 'cambridge:streetlights', data_source: 'base_geodata', survey_date: '2023-02-16' } },
  { file: 'hydrants.geojson', opts: { class_code: '01013', id_field: 'HYDRANT_ID', source: 'cambridge:hydrants', data_source: 'base_geodata',
    map: { status: 'LIFECYCLESTATUS', survey_date: 'INSTALLDATE' }, status_values: { MITFL: 'damaged' }, survey_date: '2020-07-22' } },
  { file: 'litter-barrels.geojson', opts: { class_code: '03005', id_field: 'GlobalID', source: 'cambridge:litter-barrels', data_source: 'base_geodata', survey_date: '2023-01-01' } },
];

/** Loads the configured demo district; returns a one-line summary. */
export async function loadDemo(db: Queryable, config: Pick<Config, 'demo' | 'demo_grids' | 'demo_components'>): Promise<string> {
  if (config.demo === 'cambridge') return loadCambridge(db);
  await loadDemoDongcheng(db, { seed: DEMO_SEED, grids: config.demo_grids, components: config.demo_components });
  const n = await seedDepartmentsFromClasses(db);
  const assigned = await departments.assignComponentDefaults(db);
  const users = await seedDemoUsers(db);
  return `Dongcheng (synthetic geometry, real codes): ${config.demo_grids} grids, ${assigned} components, ${n} departments, ${users} demo users (password "demo")`;
}

async function loadCambridge(db: Queryable): Promise<string> {
  await loadCambridgeRegions(db);
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
