// Component import (部件导入), docs/api.md `POST /api/admin/import/components` and `npm run import`: streams a GeoJSON
// FeatureCollection or a CSV with lon/lat columns, validates every row (server/domain/import/rows.ts), and loads the
// good ones in batches, each in its own transaction (or all in one with `atomic`): COPY into a staging table, one
// set-based plan, one insert, one update (server/db/import.ts). A row is either fully written or rejected with a
// reason; the same file imported twice updates instead of duplicating (source ids).
import { setImmediate } from 'node:timers/promises';
import type { Queryable } from '../db/types.js';
import * as importDb from '../db/import.js';
import { DomainError } from '../domain/errors.js';
import { CsvSplitter } from '../domain/csv.js';
import { RejectionLog, RowNormaliser, type RowResult, type SwapCandidate } from '../domain/import/rows.js';
import { parseDateValue, type ComponentStatus, type DataSource, type ImportSpec, type Rejection, type RejectCode } from '../domain/import/vocabulary.js';
import { FeatureSplitter } from './geojson-stream.js';

export type ImportFormat = 'geojson' | 'csv';

/** Bytes (a file or request stream), or text. */
export type ImportInput = string | Uint8Array | AsyncIterable<string | Uint8Array>;

export type ImportProgress = {
  rows: number;
  bytes: number;
  /** Size of the input when known (a file), for a percentage. */
  total_bytes: number | null;
  imported: number;
  updated: number;
  rejected: number;
  elapsed_ms: number;
  done: boolean;
};

export type ImportOptions = ImportSpec & {
  /** Sniffed from the first character when absent: `{` GeoJSON, anything else CSV. */
  format?: ImportFormat | null;
  /** Status of new components whose row gives none. */
  default_status?: ComponentStatus;
  /** Data source (数据来源) of new components whose row gives none. */
  data_source?: DataSource;
  /** Survey date (YYYY-MM-DD) of new components whose row gives none; today by default. Updated components get
   *  today as their change date unless the row gives one. */
  survey_date?: string | null;
  /** Rows per batch (one transaction each unless atomic). The HTTP import uses small ones (HTTP_SLICE_ROWS), so
   *  each transaction is short and other requests get the database between them. */
  batch_size?: number;
  /** All batches in one transaction: on any error nothing of this import remains. It holds the database for the
   *  whole import (PGlite has one connection): never on a request that waits for the network. */
  atomic?: boolean;
  /** How many rejections the report lists one by one (all are counted). */
  reject_limit?: number;
  total_bytes?: number | null;
  /** Called after each batch and every ~200 ms while reading. */
  onProgress?: (p: ImportProgress) => void;
  /** The clock, for today's date. */
  now?: () => Date;
};

export type ImportReport = {
  format: ImportFormat;
  rows: number;
  imported: number;
  /** Rows matching an existing component by source id (including `unchanged` ones). */
  updated: number;
  /** Of the updated rows, those where nothing differed, so nothing was written. */
  unchanged: number;
  /** Rejected rows in row order (GeoJSON: position in `features`, from 1; CSV: data row after the header, from 1). */
  rejected: Rejection[];
  rejected_total: number;
  rejected_by_code: Partial<Record<RejectCode, { count: number; first: Rejection[] }>>;
  batches: number;
  elapsed_ms: number;
};

/** Rows per batch when the caller gives none: the CLI and the bench (issue 12; was 20,000). Per-batch work is
 *  paid once per batch: two analyzes, the plan's set-up, and the per-grid counts' one grid_component_counts row per
 *  (grid, major class) the batch touches, which for 20,000 rows over a 10,000-grid district was nearly one per
 *  row. ~15 MB of COPY text per batch, two held at once (one parsed while the other is written). */
export const DEFAULT_BATCH_SIZE = 100_000;
/** Rows per slice of an HTTP import: a short transaction each (~0.1 s on PGlite), the event loop free in between
 *  (scripts/bench/import.ts --http measures /api/health during an import). */
export const HTTP_SLICE_ROWS = 2_000;
const PROGRESS_EVERY_MS = 200;
/** Records checked between yields to the event loop while a batch is in flight: its statements (~10 a batch) follow
 *  each other without waiting for a whole input chunk (1 MB, ~20,000 rows) to be parsed (issue 12). */
const YIELD_EVERY_ROWS = 500;

/** The local calendar date of `d` (the server's time zone), YYYY-MM-DD. */
function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

async function* chunks(input: ImportInput): AsyncGenerator<string | Uint8Array> {
  if (typeof input === 'string' || input instanceof Uint8Array) yield input;
  else yield* input;
}

/** Staged rows of one batch as COPY text, plus the swap candidates among them (kept to word their reasons). */
class Batch {
  lines: string[] = [];
  swaps = new Map<number, SwapCandidate>();
  get size() { return this.lines.length; }
}

/**
 * Imports components from GeoJSON or CSV. Throws DomainError `unknown_class` / `bad_request` for a bad default
 * class, missing columns or an input that is not a FeatureCollection/CSV at all (after committing the batches
 * before it unless `atomic`); rejects bad rows one by one. Batches are pipelined: the next one is parsed while
 * the database writes the previous one.
 */
export async function importComponents(db: Queryable, input: ImportInput, opts: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const today = localDate((opts.now ?? (() => new Date()))());
  const surveyDate = opts.survey_date ?? today;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(surveyDate) || parseDateValue(surveyDate) !== surveyDate) {
    throw new DomainError('bad_request', `survey_date must be a date YYYY-MM-DD; got "${surveyDate}"`);
  }
  const batchSize = Math.max(1, Math.min(opts.batch_size ?? DEFAULT_BATCH_SIZE, 500_000));
  const defaults = { today, survey_date: surveyDate, default_status: opts.default_status ?? 'intact', data_source: opts.data_source ?? 'other' };

  const normaliser = new RowNormaliser(opts, await importDb.componentClassCodes(db));
  const grids = await importDb.currentGridCount(db);
  const log = new RejectionLog(opts.reject_limit ?? 100_000);
  const totals = { rows: 0, bytes: 0, imported: 0, updated: 0, written: 0, batches: 0 };
  let format: ImportFormat | null = opts.format ?? null;

  const progress = (done: boolean) => opts.onProgress?.({
    rows: totals.rows, bytes: totals.bytes, total_bytes: opts.total_bytes ?? null, imported: totals.imported,
    updated: totals.updated, rejected: log.total, elapsed_ms: performance.now() - started, done,
  });

  const layout = await importDb.importLayout(db);
  const writeBatch = async (q: Queryable, batch: Batch) => {
    const first = totals.batches === 0;
    const out = await q.transaction(async (tx) => {
      await importDb.prepareStaging(tx, { check_stats: first });
      await importDb.stage(tx, batch.lines.join(''));
      return importDb.applyStaged(tx, { ...defaults, by_grid: batch.size >= grids, staged: batch.size, layout });
    });
    totals.imported += out.imported;
    totals.updated += out.updated;
    totals.written += out.written;
    totals.batches++;
    for (const r of out.rejected) log.add(plannedRejection(r, batch.swaps.get(r.row_no)));
    progress(false);
    // Between slices: requests that waited for the database (one connection on PGlite) go first.
    if (!opts.atomic) await setImmediate();
  };

  const run = async (q: Queryable) => {
    let csv: CsvSplitter | null = null;
    let geo: FeatureSplitter | null = null;
    let header = false;
    let batch = new Batch();
    const full: Batch[] = [];
    let inFlight: Promise<void> | null = null;
    let lastProgress = performance.now();

    const take = (r: RowResult) => {
      if (r.ok) batch.lines.push(importDb.stagingLine(r.row));
      else if (r.swap) {
        batch.lines.push(importDb.swapLine(r.swap));
        batch.swaps.set(r.swap.row, r.swap);
      } else log.add(r.rejection);
      if (batch.size >= batchSize) {
        full.push(batch);
        batch = new Batch();
      }
    };
    /** Checks the records and hands full batches on; while a batch is in flight, yields every YIELD_EVERY_ROWS. */
    const records = async (texts: string[] | string[][]) => {
      for (let i = 0; i < texts.length; i++) {
        if (i > 0 && i % YIELD_EVERY_ROWS === 0) {
          await flush(false);
          if (inFlight) await setImmediate();
        }
        if (geo) take(normaliser.feature(++totals.rows, (texts as string[])[i]));
        else if (!header) { normaliser.csvHeader((texts as string[][])[i]); header = true; }
        else take(normaliser.csvRecord(++totals.rows, (texts as string[][])[i]));
      }
      await flush(false);
    };
    /** Hands the full batches (and with `last` the rest) to the database, one at a time, keeping one in flight. */
    const flush = async (last: boolean) => {
      if (last && batch.size) {
        full.push(batch);
        batch = new Batch();
      }
      for (let next = full.shift(); next; next = full.shift()) {
        if (inFlight) await inFlight;
        inFlight = writeBatch(q, next);
        inFlight.catch(() => {}); // awaited before the next one; this only keeps an early failure from counting as unhandled
      }
    };

    try {
      const decoder = new TextDecoder('utf-8');
      for await (const chunk of chunks(input)) {
        totals.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
        const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
        if (!geo && !csv) {
          if (!format) {
            const first = /[^\s\uFEFF]/.exec(text)?.[0];
            if (!first) continue; // only blanks so far
            format = first === '{' ? 'geojson' : 'csv';
          }
          if (format === 'geojson') geo = new FeatureSplitter();
          else csv = new CsvSplitter();
        }
        await records(geo ? geo.push(text) : csv!.push(text));
        if (performance.now() - lastProgress > PROGRESS_EVERY_MS) {
          lastProgress = performance.now();
          progress(false);
          if (inFlight) await setImmediate(); // let a pipelined batch's I/O through
        }
      }
      const rest = decoder.decode();
      if (!geo && !csv) {
        if (!format) throw new DomainError('bad_request', 'the input is empty');
        if (format === 'geojson') geo = new FeatureSplitter();
        else csv = new CsvSplitter();
      }
      if (rest) await records(geo ? geo.push(rest) : csv!.push(rest));
      await records(geo ? geo.end() : csv!.end());
      if (csv && !header) throw new DomainError('bad_request', 'CSV: the input has no header row');
      await flush(true);
    } finally {
      // Never leave a batch writing behind an error: the caller may close the database or roll back next.
      const last = inFlight as Promise<void> | null; // (assigned inside flush(), which TypeScript cannot see)
      if (last) await last.catch(() => {});
    }
    if (inFlight) await inFlight; // its own failure, if the reading went well
  };

  await (opts.atomic ? db.transaction(run) : run(db));
  progress(true);

  const byCode: ImportReport['rejected_by_code'] = {};
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
    batches: totals.batches,
    elapsed_ms: Math.round(performance.now() - started),
  };
}

const at = (x: number | null, y: number | null) => `(${x === null ? '?' : +x.toFixed(7)}, ${y === null ? '?' : +y.toFixed(7)})`;

/** Words a rejection decided in SQL. */
function plannedRejection(r: importDb.PlannedRejection, swap: SwapCandidate | undefined): Rejection {
  const row = r.row_no;
  switch (r.outcome) {
    case 'outside_grids':
      return { row, code: 'outside_grids', reason: `outside the district: no current unit grid covers ${at(r.x, r.y)}`, params: { value: at(r.x, r.y) } };
    case 'swapped_coordinates':
      return swap
        ? { row, code: 'swapped_coordinates', reason: `lon/lat swapped: ${swap.reason}, and with lon and lat exchanged the point lies in grid ${r.swap_grid}`, params: { grid: String(r.swap_grid) } }
        : { row, code: 'swapped_coordinates', reason: `lon/lat swapped: ${at(r.x, r.y)} is outside the district, but ${at(r.y, r.x)} lies in grid ${r.swap_grid}`, params: { value: at(r.x, r.y), grid: String(r.swap_grid) } };
    case 'invalid_coordinates':
      return { row, code: 'invalid_coordinates', reason: `${swap?.reason ?? 'invalid coordinates'} (with lon and lat exchanged it is outside the district too)` };
    case 'class_changed':
      return {
        row, code: 'class_changed',
        reason: `source id ${r.source_id} is already component ${r.existing_id} of class ${r.existing_class}; a re-import cannot change its class to ${r.class_code} (the identifier embeds it)`,
        params: { value: String(r.class_code), existing: String(r.existing_class), id: String(r.existing_id) },
      };
    case 'invalid_geometry':
      return { row, code: 'invalid_geometry', reason: 'PostGIS could not locate this geometry in any grid (invalid shape)' };
  }
}
