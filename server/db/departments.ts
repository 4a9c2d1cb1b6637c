// Departments and class defaults: the only SQL for `departments` and `class_departments`.
import type { Queryable } from './types.js';
import { noteTileSets } from './tile-bumps.js';

export type Department = { id: number; name: string; credit_code: string | null; level: number; parent_id: number | null; active: boolean };

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
  if (rows[0].n) await noteTileSets(db, ['components']); // the tile bump, at commit (db/tile-bumps.ts)
  return rows[0].n;
}

export async function list(db: Queryable): Promise<Department[]> {
  const { rows } = await db.query<Department>('select id, name, credit_code, level, parent_id, active from departments order by id');
  return rows;
}

/**
 * The department a case should go to: the component's maintainer, else its supervising department (when a
 * component is named), else the class's default department for matters; a deactivated one is passed over.
 */
export async function suggestFor(db: Queryable, p: { class_code: string; component_id: string | null; district_code?: string | null }): Promise<number | null> {
  // The component by its key (id, district_code), 0062: the case's district, else the one its id names.
  const { rows } = await db.query<{ id: number | null }>(
    `select coalesce(
       (select d.id from components c join departments d on d.id = c.maintainer_department_id where c.id = $2 and c.district_code = $3 and d.active),
       (select d.id from components c join departments d on d.id = c.supervising_department_id where c.id = $2 and c.district_code = $3 and d.active),
       (select d.id from class_departments cd join departments d on d.id = cd.department_id
         where cd.kind = 'matter' and cd.class_code = $1 and d.active)) as id`,
    [p.class_code, p.component_id, p.district_code ?? p.component_id?.slice(0, 6) ?? null],
  );
  return rows[0].id === null ? null : Number(rows[0].id);
}

/** A department's name and whether it is active; null when there is none with that id. */
export async function activeOf(db: Queryable, id: number): Promise<{ name: string; active: boolean } | null> {
  const { rows } = await db.query<{ name: string; active: boolean }>('select name, active from departments where id = $1', [id]);
  return rows[0] ?? null;
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

// ── The admin console (issue 10): departments created, edited, deactivated; class defaults changed ──────────────

export type DepartmentRow = Department;
export type DepartmentWithUse = DepartmentRow & { users: number; open_cases: number; class_defaults: number };

type RawDepartment = Omit<DepartmentRow, 'id' | 'parent_id'> & { id: number | string; parent_id: number | string | null };
const toDepartment = ({ id, parent_id, ...r }: RawDepartment): DepartmentRow =>
  ({ ...r, id: Number(id), parent_id: parent_id === null ? null : Number(parent_id) });
const DEPARTMENT_COLUMNS = 'id, name, credit_code, level, parent_id, active';

/**
 * Every department with how much refers to it (users, cases not closed or void, class defaults), by name. The open
 * cases are counted in a statement of their own: on Citus cases is distributed and departments a reference table, and
 * Citus refuses a subquery on cases correlated with a reference table's rows.
 */
export async function listWithUse(db: Queryable): Promise<DepartmentWithUse[]> {
  const { rows } = await db.query<RawDepartment & { users: number; class_defaults: number }>(
    `select d.id, d.name, d.credit_code, d.level, d.parent_id, d.active,
            (select count(*)::int from users u where u.department_id = d.id) as users,
            (select count(*)::int from class_departments cd where cd.department_id = d.id) as class_defaults
       from departments d order by d.active desc, d.name`,
  );
  const { rows: open } = await db.query<{ id: string; n: number }>(
    `select department_id::text as id, count(*)::int as n from cases
      where department_id is not null and status not in ('closed', 'void') group by department_id`);
  const openOf = new Map(open.map((r) => [r.id, r.n]));
  return rows.map((r) => ({ ...toDepartment(r), users: r.users, open_cases: openOf.get(String(r.id)) ?? 0, class_defaults: r.class_defaults }));
}

export async function get(db: Queryable, id: number): Promise<DepartmentRow | null> {
  const { rows } = await db.query<RawDepartment>(`select ${DEPARTMENT_COLUMNS} from departments where id = $1`, [id]);
  return rows[0] ? toDepartment(rows[0]) : null;
}

export async function findByName(db: Queryable, name: string): Promise<DepartmentRow | null> {
  const { rows } = await db.query<RawDepartment>(`select ${DEPARTMENT_COLUMNS} from departments where name = $1`, [name]);
  return rows[0] ? toDepartment(rows[0]) : null;
}

export type DepartmentFields = { name: string; credit_code: string | null; level: number; parent_id: number | null; active: boolean };

/** Inserts a department; null when the name (or credit code) is taken. */
export async function insert(db: Queryable, d: DepartmentFields): Promise<DepartmentRow | null> {
  const { rows } = await db.query<RawDepartment>(
    `insert into departments (name, credit_code, level, parent_id, active) values ($1, $2, $3, $4, $5)
     on conflict do nothing returning ${DEPARTMENT_COLUMNS}`,
    [d.name, d.credit_code, d.level, d.parent_id, d.active],
  );
  return rows[0] ? toDepartment(rows[0]) : null;
}

/** Writes every field of a department (the service merged the patch); null when no such department. */
export async function update(db: Queryable, id: number, d: DepartmentFields): Promise<DepartmentRow | null> {
  const { rows } = await db.query<RawDepartment>(
    `update departments set name = $2, credit_code = $3, level = $4, parent_id = $5, active = $6 where id = $1
     returning ${DEPARTMENT_COLUMNS}`,
    [id, d.name, d.credit_code, d.level, d.parent_id, d.active],
  );
  return rows[0] ? toDepartment(rows[0]) : null;
}

/** Whether `ancestor` is `id` itself or one of its ancestors (a parent chain that would loop). */
export async function isSelfOrAncestor(db: Queryable, id: number, ancestor: number): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(
    `with recursive up as (select id, parent_id from departments where id = $2
                           union all select d.id, d.parent_id from departments d join up on d.id = up.parent_id)
     select exists (select 1 from up where id = $1) as ok`,
    [id, ancestor],
  );
  return rows[0].ok;
}

export type ClassDefault = {
  kind: 'component' | 'matter'; class_code: string; major_code: string; name_zh: string; name_en: string | null;
  typical_department: string | null; department_id: number | null;
};

/** Every class of a kind (or both) with its default department (null: none set). */
export async function classDefaults(db: Queryable, kind: 'component' | 'matter' | null): Promise<ClassDefault[]> {
  const { rows } = await db.query<ClassDefault & { department_id: number | string | null }>(
    `select c.kind, c.code as class_code, c.major_code, c.name_zh, c.name_en, c.typical_department, cd.department_id
       from classes c left join class_departments cd on cd.kind = c.kind and cd.class_code = c.code
      where ($1::text is null or c.kind = $1)
      order by c.kind, c.code`,
    [kind],
  );
  return rows.map((r) => ({ ...r, department_id: r.department_id === null ? null : Number(r.department_id) }));
}

/** Sets (or with null clears) the default department of one class. */
export async function setClassDefault(db: Queryable, kind: string, class_code: string, department_id: number | null): Promise<void> {
  if (department_id === null) {
    await db.query('delete from class_departments where kind = $1 and class_code = $2', [kind, class_code]);
  } else {
    await db.query(
      `insert into class_departments (kind, class_code, department_id) values ($1, $2, $3)
       on conflict (kind, class_code) do update set department_id = excluded.department_id`,
      [kind, class_code, department_id],
    );
  }
}
