// Demo district on an empty database (api.md: loaded on first start unless GRIDLINE_DEMO=0).
import type { Queryable } from '../db/types.js';
import type { Config } from '../config.js';
import { loadDemoDongcheng } from './load-district.js';
import { seedDepartmentsFromClasses } from './departments.js';
import * as departments from '../db/departments.js';
import { seedDemoUsers } from './demo-users.js';

export const DEMO_SEED = 20051;

export async function isEmpty(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ any: boolean }>('select exists (select 1 from regions) as any');
  return !rows[0].any;
}

/** Loads the configured demo district; returns a one-line summary. */
export async function loadDemo(db: Queryable, config: Pick<Config, 'demo' | 'demo_grids' | 'demo_components'>): Promise<string> {
  await loadDemoDongcheng(db, { seed: DEMO_SEED, grids: config.demo_grids, components: config.demo_components });
  const n = await seedDepartmentsFromClasses(db);
  const assigned = await departments.assignComponentDefaults(db);
  const users = await seedDemoUsers(db);
  return `Dongcheng (synthetic geometry, real codes): ${config.demo_grids} grids, ${assigned} components, ${n} departments, ${users} demo users (password "demo")`;
}
