// Departments and class defaults: the only SQL for `departments` and `class_departments`.
import type { Queryable } from './types.js';

export type Department = { id: number; name: string; credit_code: string | null; level: number; parent_id: number | null };

export async function upsertByName(db: Queryable, names: string[], level = 2): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: number; name: string }>(
    `with input as (select unnest($1::text[]) as name),
          ins as (insert into departments (name, level) select name, $2 from input on conflict (name) do nothing returning id, name)
     select id, name from ins union all select d.id, d.name from departments d join input i on i.name = d.name`,
    [names, level],
  );
  return new Map(rows.map((r) => [r.name, Number(r.id)]));
}

export async function setClassDefaults(db: Queryable, rows: { kind: string; class_code: string; department_id: number }[]): Promise<void> {
  await db.query(
    `insert into class_departments (kind, class_code, department_id)
     select kind, class_code, department_id from jsonb_to_recordset($1::jsonb) as r(kind text, class_code text, department_id bigint)
     on conflict (kind, class_code) do update set department_id = excluded.department_id`,
    [JSON.stringify(rows)],
  );
}

/** Sets each component's supervising department to its class default where none is set. */
export async function assignComponentDefaults(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with u as (update components c set supervising_department_id = cd.department_id
                  from class_departments cd
                 where cd.kind = 'component' and cd.class_code = c.class_code and c.supervising_department_id is null
                returning 1)
     select count(*)::int as n from u`,
  );
  return rows[0].n;
}

export async function list(db: Queryable): Promise<Department[]> {
  const { rows } = await db.query<Department>('select id, name, credit_code, level, parent_id from departments order by id');
  return rows;
}

/**
 * The department a case should go to: the component's maintainer, else its supervising department (when a
 * component is named), else the class's default department for matters.
 */
export async function suggestFor(db: Queryable, p: { class_code: string; component_id: string | null }): Promise<number | null> {
  const { rows } = await db.query<{ id: number | null }>(
    `select coalesce(
       (select coalesce(maintainer_department_id, supervising_department_id) from components where id = $2),
       (select department_id from class_departments where kind = 'matter' and class_code = $1)) as id`,
    [p.class_code, p.component_id],
  );
  return rows[0].id === null ? null : Number(rows[0].id);
}

export async function exists(db: Queryable, id: number): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>('select exists (select 1 from departments where id = $1) as ok', [id]);
  return rows[0].ok;
}

/** How many departments there are (an import reports how many it created). */
export async function count(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from departments');
  return rows[0].n;
}
