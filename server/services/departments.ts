// Seeds one department per distinct default of the class tables and maps every class to it (configurable later).
import type { Queryable } from '../db/types.js';
import * as classes from '../db/classes.js';
import * as departments from '../db/departments.js';
import { defaultDepartmentName } from '../domain/departments.js';

export async function seedDepartmentsFromClasses(db: Queryable): Promise<number> {
  const all = await classes.list(db);
  const named = all.map((c) => ({ c, name: defaultDepartmentName(c.typical_department) })).filter((x) => x.name !== null);
  const ids = await departments.upsertByName(db, [...new Set(named.map((x) => x.name!))]);
  await departments.setClassDefaults(db, named.map(({ c, name }) => ({ kind: c.kind, class_code: c.code, department_id: ids.get(name!)! })));
  return ids.size;
}

/**
 * Every department, for the routes: routes call services, only db/ holds SQL (docs/style.md). `active_only`: the
 * dispatch list, without the deactivated ones.
 */
export async function list(db: Queryable, opts: { active_only?: boolean } = {}): Promise<departments.Department[]> {
  const all = await departments.list(db);
  return opts.active_only ? all.filter((d) => d.active) : all;
}
