// Standard classes and data-file hashes: the only SQL for `classes` and `data_files`.
import type { Queryable } from './types.js';

export type ClassRow = {
  kind: 'component' | 'matter';
  code: string;
  major_code: string;
  major_name_zh: string;
  major_name_en: string;
  name_zh: string;
  name_en: string;
  matter_kind: 'component_anomaly' | 'event' | null;
  typical_department: string | null;
};

const COLUMNS = 'kind, code, major_code, major_name_zh, major_name_en, name_zh, name_en, matter_kind, typical_department';

export async function upsert(db: Queryable, rows: ClassRow[]): Promise<void> {
  // One statement with JSON input keeps this a single round trip on both engines.
  await db.query(
    `insert into classes (${COLUMNS})
     select ${COLUMNS} from jsonb_to_recordset($1::jsonb) as r(kind text, code text, major_code text, major_name_zh text,
       major_name_en text, name_zh text, name_en text, matter_kind text, typical_department text)
     on conflict (kind, code) do update set major_code = excluded.major_code, major_name_zh = excluded.major_name_zh,
       major_name_en = excluded.major_name_en, name_zh = excluded.name_zh, name_en = excluded.name_en,
       matter_kind = excluded.matter_kind, typical_department = excluded.typical_department`,
    [JSON.stringify(rows)],
  );
}

export async function loadedFiles(db: Queryable): Promise<Map<string, string>> {
  const { rows } = await db.query<{ name: string; sha256: string }>('select name, sha256 from data_files');
  return new Map(rows.map((r) => [r.name, r.sha256]));
}

/**
 * The load time is a parameter, not `now()` in the update: Citus refuses a non-immutable function in
 * `on conflict do update` on a reference table (docs/citus.md), and data_files is one.
 */
export async function markLoaded(db: Queryable, name: string, sha256: string, loaded_at: Date = new Date()): Promise<void> {
  await db.query(
    `insert into data_files (name, sha256, loaded_at) values ($1, $2, $3)
     on conflict (name) do update set sha256 = excluded.sha256, loaded_at = excluded.loaded_at`,
    [name, sha256, loaded_at],
  );
}

export type ClassView = Omit<ClassRow, 'typical_department'> & { typical_department: string | null };

export async function list(db: Queryable, kind?: 'component' | 'matter'): Promise<ClassView[]> {
  const { rows } = await db.query<ClassView>(
    `select ${COLUMNS} from classes where ($1::text is null or kind = $1) order by kind, code`,
    [kind ?? null],
  );
  return rows;
}

export async function get(db: Queryable, kind: 'component' | 'matter', code: string): Promise<ClassView | null> {
  const { rows } = await db.query<ClassView>(`select ${COLUMNS} from classes where kind = $1 and code = $2`, [kind, code]);
  return rows[0] ?? null;
}
