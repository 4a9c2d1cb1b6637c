// Historical case import (历史案卷导入), `POST /api/admin/import/cases` and `npm run import:cases`: streams a CSV or a
// GeoJSON FeatureCollection of past cases of another system, validates and maps every row (domain/case-import.ts),
// and writes the good ones in batches, each in its own transaction (or all in one with `atomic`): COPY into a
// staging table, a few set-based statements to locate grids, match departments and find earlier imports
// (db/import-cases.ts), then COPY of the new cases, their hash-chained trails and their evaluation facts, and one
// UPDATE for re-imported cases. A row is either fully written or rejected with a reason; the same file imported
// twice changes nothing the second time.
import * as departmentsDb from '../db/departments.js';
import { existsSync, readFileSync } from 'node:fs';
import { newCaseId } from '../domain/case-ids.js';
import { join, resolve } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import type { Queryable } from '../db/types.js';
import * as db from '../db/import-cases.js';
import { caseNumbers } from '../db/cases.js';
import * as facts from '../db/facts.js';
import * as audit from '../db/audit.js';
import { DomainError } from '../domain/errors.js';
import { RejectionLog } from '../domain/import/rows.js';
import { CsvSplitter } from '../domain/csv.js';
import { FeatureSplitter } from './geojson-stream.js';
import {
  CaseRowReader, importedCaseColumns, importedTrail, parseValueMap, reimport,
  type CaseImportSpec, type CaseRejectCode, type CaseRejection, type CaseRow, type CaseRowResult, type DraftEntry,
} from '../domain/case-import.js';
import { chainEntry, type ChainedEntry } from '../domain/trail.js';
import { localDateOf } from '../domain/calendar.js';
import type { CaseFacts, FactEntry } from '../domain/facts.js';
import { factsOf } from './facts.js';
import { workOf, type WorkRules } from './work-rules.js';

export type CaseImportFormat = 'geojson' | 'csv';

/** Bytes (a file or request stream), or text. */
export type CaseImportInput = string | Uint8Array | AsyncIterable<string | Uint8Array>;

export type CaseImportProgress = {
  rows: number; bytes: number; total_bytes: number | null; imported: number; updated: number; rejected: number;
  elapsed_ms: number; done: boolean;
};

export type CaseImportOptions = CaseImportSpec & {
  /** The city's calendar (working hours of the facts, the date in case numbers). */
  work: WorkRules;
  /** Sniffed from the first character when absent: `{` GeoJSON, anything else CSV. */
  format?: CaseImportFormat | null;
  /** Rows per batch (one transaction each unless atomic). */
  batch_size?: number;
  /** All batches in one transaction: on any error nothing of this import remains. */
  atomic?: boolean;
  /** How many rejections the report lists one by one (all are counted). */
  reject_limit?: number;
  total_bytes?: number | null;
  onProgress?: (p: CaseImportProgress) => void;
  now?: () => Date;
  /** Who imports, for the audit log (one entry per import). */
  actor?: { id: number; username: string } | null;
};

export type CaseImportReport = {
  format: CaseImportFormat;
  rows: number;
  /** New cases. */
  imported: number;
  /** Rows matching a case imported before (by source system and id), including `unchanged` ones. */
  updated: number;
  /** Of the updated rows, those where nothing differed, so nothing was written. */
  unchanged: number;
  /** Rejected rows in row order (CSV: data row after the header, from 1; GeoJSON: position in `features`, from 1). */
  rejected: CaseRejection[];
  rejected_total: number;
  rejected_by_code: Partial<Record<CaseRejectCode, { count: number; first: CaseRejection[] }>>;
  /** Departments created because no department had the name. */
  departments_created: number;
  batches: number;
  elapsed_ms: number;
};

export const DEFAULT_CASE_BATCH_SIZE = 5_000;
/** Rows per slice of an HTTP import: a short transaction each, the event loop free in between. */
export const HTTP_CASE_SLICE_ROWS = 500;
const PROGRESS_EVERY_MS = 200;
export const MAPPINGS_DIR = 'data/mappings';

/**
 * A mapping option as given: the name of a file in `dir` (`boston311-types` or `boston311-types.csv`), else the
 * mapping itself inline (JSON, CSV text or KEY=VALUE,…). @throws DomainError bad_request naming `what`
 */
export function readMapping(value: string, what: string, dir = MAPPINGS_DIR): Record<string, string> {
  const v = value.trim();
  if (/^[\w-][\w.-]*$/.test(v) && !v.includes('=')) {
    for (const name of [v, `${v}.csv`, `${v}.json`]) {
      const file = join(resolve(dir), name);
      if (existsSync(file)) return parseValueMap(readFileSync(file, 'utf8'), what);
    }
    throw new DomainError('bad_request', `${what}: no mapping file ${dir}/${v}(.csv|.json); name a file there, or give the mapping inline as JSON or KEY=VALUE,…`, { field: what });
  }
  return parseValueMap(v, what);
}

async function* chunks(input: CaseImportInput): AsyncGenerator<string | Uint8Array> {
  if (typeof input === 'string' || input instanceof Uint8Array) yield input;
  else yield* input;
}


const at = (r: CaseRow) => `(${+r.lon.toFixed(7)}, ${+r.lat.toFixed(7)})`;

/**
 * Imports past cases from CSV or GeoJSON. Throws DomainError bad_request / unknown_class for a bad mapping,
 * missing columns or an input that is not CSV/a FeatureCollection at all (after committing the batches before it
 * unless `atomic`); rejects bad rows one by one.
 */
export async function importCases(q: Queryable, input: CaseImportInput, opts: CaseImportOptions): Promise<CaseImportReport> {
  const started = performance.now();
  const clock = opts.now ?? (() => new Date());
  const reader = new CaseRowReader(opts, await db.matterClassCodes(q), clock());
  const batchSize = Math.max(1, Math.min(opts.batch_size ?? DEFAULT_CASE_BATCH_SIZE, 100_000));
  const log = new RejectionLog<CaseRejection>(opts.reject_limit ?? 100_000);
  const totals = { rows: 0, bytes: 0, imported: 0, updated: 0, written: 0, batches: 0, departments: 0 };
  let format: CaseImportFormat | null = opts.format ?? null;

  const progress = (done: boolean) => opts.onProgress?.({
    rows: totals.rows, bytes: totals.bytes, total_bytes: opts.total_bytes ?? null, imported: totals.imported,
    updated: totals.updated, rejected: log.total, elapsed_ms: performance.now() - started, done,
  });

  const writeBatch = async (tx: Queryable, rows: CaseRow[]) => {
    const out = await tx.transaction((t) => applyBatch(t, rows, opts, clock()));
    totals.imported += out.imported;
    totals.updated += out.updated;
    totals.written += out.written;
    totals.departments += out.departments_created;
    totals.batches++;
    for (const r of out.rejected) log.add(r);
    progress(false);
    // Between slices: requests that waited for the database (one connection on PGlite) go first.
    if (!opts.atomic) await setImmediate();
  };

  const run = async (tx: Queryable) => {
    let csv: CsvSplitter | null = null;
    let geo: FeatureSplitter | null = null;
    let header = false;
    let batch: CaseRow[] = [];
    let lastProgress = performance.now();
    const take = async (r: CaseRowResult) => {
      if (r.ok) batch.push(r.row);
      else log.add(r.rejection);
      if (batch.length >= batchSize) {
        const full = batch;
        batch = [];
        await writeBatch(tx, full);
      }
    };
    const records = async (texts: string[] | string[][]) => {
      if (geo) {
        for (const t of texts as string[]) await take(reader.feature(++totals.rows, t));
        return;
      }
      for (const fields of texts as string[][]) {
        if (!header) { reader.csvHeader(fields); header = true; continue; }
        await take(reader.csvRecord(++totals.rows, fields));
      }
    };
    const decoder = new TextDecoder('utf-8');
    for await (const chunk of chunks(input)) {
      totals.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      if (!geo && !csv) {
        if (!format) {
          const first = /[^\s\uFEFF]/.exec(text)?.[0];
          if (!first) continue;
          format = first === '{' ? 'geojson' : 'csv';
        }
        if (format === 'geojson') geo = new FeatureSplitter();
        else csv = new CsvSplitter();
      }
      await records(geo ? geo.push(text) : csv!.push(text));
      if (performance.now() - lastProgress > PROGRESS_EVERY_MS) {
        lastProgress = performance.now();
        progress(false);
        await setImmediate(); // let other requests through between chunks
      }
    }
    const rest = decoder.decode();
    if (!geo && !csv) {
      if (!format) throw new DomainError('bad_request', 'the input is empty: send a CSV with a header row or a GeoJSON FeatureCollection');
      if (format === 'geojson') geo = new FeatureSplitter();
      else csv = new CsvSplitter();
    }
    if (rest) await records(geo ? geo.push(rest) : csv!.push(rest));
    await records(geo ? geo.end() : csv!.end());
    if (csv && !header) throw new DomainError('bad_request', 'CSV: the input has no header row');
    if (batch.length) await writeBatch(tx, batch);
    if (opts.actor !== undefined) {
      await audit.record(tx, {
        at: clock(), action: 'cases.import', user_id: opts.actor?.id ?? null, username: opts.actor?.username ?? null,
        target: `source:${opts.source_system}`,
        detail: { rows: totals.rows, imported: totals.imported, updated: totals.updated, unchanged: totals.updated - totals.written, rejected: log.total },
      });
    }
  };

  await (opts.atomic ? q.transaction(run) : run(q));
  progress(true);

  const byCode: CaseImportReport['rejected_by_code'] = {};
  for (const [code, e] of log.byCode) byCode[code] = e;
  return {
    format: format ?? 'csv',
    rows: totals.rows,
    imported: totals.imported,
    updated: totals.updated,
    unchanged: totals.updated - totals.written,
    rejected: log.sorted(),
    rejected_total: log.total,
    rejected_by_code: byCode,
    departments_created: totals.departments,
    batches: totals.batches,
    elapsed_ms: Math.round(performance.now() - started),
  };
}

type BatchOutcome = { imported: number; updated: number; written: number; departments_created: number; rejected: CaseRejection[] };

/** Chains drafts after `prev` (null: a new trail) for case `case_id`, from seq `first`. */
function chain(case_id: string, drafts: readonly DraftEntry[], prev: { seq: number; hash: string } | null): ChainedEntry[] {
  const out: ChainedEntry[] = [];
  let last: { hash: string } | null = prev;
  let seq = prev?.seq ?? 0;
  for (const d of drafts) {
    const e = chainEntry(last, { ...d, case_id, seq: ++seq });
    out.push(e);
    last = e;
  }
  return out;
}

/** One batch, inside its transaction: stage, plan, then write new cases, their trails and facts, and updates. */
async function applyBatch(tx: Queryable, rows: CaseRow[], opts: CaseImportOptions, now: Date): Promise<BatchOutcome> {
  const rejected: CaseRejection[] = [];
  await db.prepareStaging(tx);
  await db.stage(tx, rows.map((r) => ({ row: r.row, source_id: r.source_id, department: r.department, lon: r.lon, lat: r.lat })));
  const departmentsBefore = await departmentsDb.count(tx);
  const places = await db.plan(tx);
  const departmentsAfter = await departmentsDb.count(tx);
  const located: CaseRow[] = [];
  for (const r of rows) {
    if (places.get(r.row)) located.push(r);
    else rejected.push({ row: r.row, code: 'outside_grids', reason: `outside the district: no current unit grid covers ${at(r)}`, params: { value: at(r) } });
  }
  const known = await db.existing(tx, opts.source_system, located.map((r) => r.source_id));

  const fresh: CaseRow[] = [];
  const updates: { row: CaseRow; id: string; district_code: string; version: number; columns: Record<string, unknown>; drafts: DraftEntry[] }[] = [];
  let matched = 0;
  for (const r of located) {
    const e = known.get(r.source_id);
    if (!e) { fresh.push(r); continue; }
    const d = reimport(e, r, places.get(r.row)!, opts.source_system, now);
    if (d.kind === 'rejected') { rejected.push(d.rejection); continue; }
    matched++;
    if (d.kind === 'update') updates.push({ row: r, id: e.id, district_code: e.district_code, version: e.version, columns: d.columns, drafts: d.entries });
  }

  // New cases: numbers, trails, columns, facts.
  const numbers = await caseNumbers(tx, fresh.map((r) => {
    const district_code = places.get(r.row)!.district_code;
    return { district_code, local_date: localDateOf(workOf(opts.work, district_code).calendar, r.opened_at) }; // the district's calendar
  }));
  let caseText = '';
  let trailText = '';
  const factItems: { case_id: string; district_code: string; facts: CaseFacts }[] = [];
  fresh.forEach((r, i) => {
    const place = places.get(r.row)!;
    const id = newCaseId(place.district_code); // names its district (domain/case-ids.ts)
    const trail = chain(id, importedTrail(r, place, opts.source_system), null);
    const columns = importedCaseColumns(r, place, opts.source_system, now);
    const work = workOf(opts.work, place.district_code); // the case's own district's calendar (issue 12)
    const case_no = numbers[i];
    caseText += db.caseLine({ ...columns, id, case_no, trail_head: trail[trail.length - 1].hash, version: 1 });
    for (const e of trail) trailText += db.trailLine(e, place.district_code);
    factItems.push({ case_id: id, district_code: place.district_code, facts: factsOf(work, { source: r.channel, suggested_department_id: null }, trail as FactEntry[]) });
  });

  // Re-imported cases that changed: append to their stored trails, facts from the whole trail again.
  let updateText = '';
  if (updates.length) {
    const stored = await db.trails(tx, updates);
    for (const u of updates) {
      const old = stored.get(u.id) ?? [];
      const last = old[old.length - 1] ?? null;
      const added = chain(u.id, u.drafts, last ? { seq: last.seq, hash: last.hash } : null);
      for (const e of added) trailText += db.trailLine(e, u.district_code);
      updateText += db.updateLine({
        ...u.columns, id: u.id, version: u.version, closing: 'status' in u.columns,
        trail_head: added.length ? added[added.length - 1].hash : last!.hash,
      });
      factItems.push({
        case_id: u.id, district_code: u.district_code,
        facts: factsOf(workOf(opts.work, u.district_code), { source: u.row.channel, suggested_department_id: null }, [...old, ...added] as FactEntry[]),
      });
    }
  }

  await db.insertCases(tx, caseText);
  const written = await db.updateCases(tx, updateText);
  if (written !== updates.length) {
    throw new DomainError('conflict', `${updates.length - written} re-imported case(s) changed while the import ran; run the import again`);
  }
  await db.appendTrails(tx, trailText);
  await db.deleteFacts(tx, updates);
  await facts.copyFacts(tx, factItems);
  return { imported: fresh.length, updated: matched, written, departments_created: departmentsAfter - departmentsBefore, rejected };
}
