// Loads the standard class tables (data/standard/*.csv) into `classes` when the files changed: docs/domain.md §2.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvObjects } from '../domain/csv.js';
import type { Queryable } from '../db/types.js';
import * as classesDb from '../db/classes.js';

export const STANDARD_DIR = 'data/standard';

/** Returns the number of rows loaded, or 0 when the files are unchanged since the last load. */
export async function loadClasses(db: Queryable, dir = STANDARD_DIR): Promise<number> {
  const files = ['components.csv', 'matters.csv'].map((name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    return { name: `standard/${name}`, text, sha256: createHash('sha256').update(text).digest('hex') };
  });
  const known = await classesDb.loadedFiles(db);
  if (files.every((f) => known.get(f.name) === f.sha256)) return 0;
  const [components, matters] = files.map((f) => parseCsvObjects(f.text));
  const rows: classesDb.ClassRow[] = [
    ...components.map((r) => ({ kind: 'component' as const, matter_kind: null, ...pick(r) })),
    ...matters.map((r) => ({ kind: 'matter' as const, matter_kind: r.kind as 'component_anomaly' | 'event', ...pick(r) })),
  ];
  await db.transaction(async (tx) => {
    await classesDb.upsert(tx, rows);
    for (const f of files) await classesDb.markLoaded(tx, f.name, f.sha256);
  });
  return rows.length;
}

function pick(r: Record<string, string>) {
  return {
    code: r.code, major_code: r.major_code, major_name_zh: r.major_name_zh, major_name_en: r.major_name_en,
    name_zh: r.name_zh, name_en: r.name_en, typical_department: r.typical_department || null,
  };
}

/** The classes of one kind (or both), for the routes: routes call services, only db/ holds SQL (docs/style.md). */
export function list(db: Queryable, kind?: 'component' | 'matter'): Promise<classesDb.ClassView[]> {
  return classesDb.list(db, kind);
}

/** One class by kind and code; null when the standard has none. */
export function get(db: Queryable, kind: 'component' | 'matter', code: string): Promise<classesDb.ClassView | null> {
  return classesDb.get(db, kind, code);
}
