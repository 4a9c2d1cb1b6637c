// Exports (docs/leader-api.md §Exports): the evaluation, headline and case tables as CSV or XLSX (exceljs), cases and
// the statistics choropleth as GeoJSON. Case exports stream: rows are written as the search is paged through.
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Queryable } from '../db/types.js';
import * as classesDb from '../db/classes.js';
import * as departmentsDb from '../db/departments.js';
import { DomainError } from '../domain/errors.js';
import type { EvalObject } from '../domain/evaluation.js';
import type { CaseSearchQuery } from '../domain/case-search.js';
import {
  CSV_BOM, caseColumns, caseFeature, caseRow, csvHeader, csvLine, csvText, evaluationTables, exportFilename, headlineTable,
  periodPart, zoneOffsetMinutes, type CaseLookups, type Cell, type Column, type EvaluationResult, type HeadlineResult,
  type Lang, type Table, type WorkbookModel,
} from '../domain/exports.js';
import { evaluate, headline, keptEvalQuery, type EvalDeps, type EvalQuery } from './evaluation.js';
import { keptRegionOf, userDistrict } from './visibility.js';
import { workOf } from './work-rules.js';
import { caseSearchOf, listCases, searchDistrictOf, type CaseDeps, type CaseUser } from './cases.js';

/** Most rows a case export holds (docs/leader-api.md). */
export const MAX_EXPORT_ROWS = 100_000;
/** Rows read per page of the search while streaming. */
export const EXPORT_PAGE = 1_000;

/** Roles that see reporters' names and phones unmasked (services/cases.ts caseView): only they get those columns. */
const SEE_REPORTER: readonly string[] = ['operator', 'shift_leader'];

export type ExportFile = { filename: string; format: 'csv' | 'xlsx' | 'geojson'; body: Buffer | string | Readable };

// ---- XLSX -------------------------------------------------------------------------------------------------------

const NUM_FMT: Record<string, string | undefined> = { rate: '0.00%', score: '0.0', integer: '0', number: 'General' };

/** Excel's limits on a sheet name: 31 characters, none of []:*?/\. */
function sheetName(name: string, taken: Set<string>): string {
  let base = name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'sheet';
  let n = 2;
  while (taken.has(base.toLowerCase())) base = `${name.slice(0, 28)} ${n++}`;
  taken.add(base.toLowerCase());
  return base;
}

/** A cell value as exceljs stores it: text stays text (never a formula), null an empty cell. */
function xlsxValue(v: Cell): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  // exceljs writes a string as a string cell, not a formula; the apostrophe keeps it inert if re-saved as CSV too
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

function sheetColumns(columns: readonly Column[]): Partial<ExcelJS.Column>[] {
  return columns.map((c) => ({
    header: c.header, key: c.key,
    width: c.width ?? Math.min(40, Math.max(10, [...c.header].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0) + 2)),
    style: NUM_FMT[c.format ?? ''] ? { numFmt: NUM_FMT[c.format!]! } : {},
  }));
}

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true };
  row.alignment = { vertical: 'middle', wrapText: true };
}

/** A whole workbook in memory (the evaluation and headline tables: at most a few thousand rows). */
export async function workbookBuffer(model: WorkbookModel): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Gridline';
  wb.title = model.title;
  const taken = new Set<string>();
  for (const t of model.sheets) {
    const ws = wb.addWorksheet(sheetName(t.name, taken), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = sheetColumns(t.columns);
    styleHeader(ws.getRow(1));
    for (const r of t.rows) ws.addRow(r.map(xlsxValue));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---- Evaluation and headline ------------------------------------------------------------------------------------

/** Who asks for an export: the request's user (it carries region_code, users.region_code). */
export type ExportUser = { id: number; region_code?: string | null } | null | undefined;

/**
 * GET /api/exports/evaluation/{object}.{csv|xlsx}: the evaluation's rows; XLSX with a second sheet "settings". A
 * user kept to a district: regions within it (parent), departments and posts counted over its cases only.
 */
export async function evaluationExport(deps: EvalDeps, user: ExportUser, object: EvalObject, q: EvalQuery, format: 'csv' | 'xlsx', lang: Lang): Promise<ExportFile> {
  const r = (await evaluate(deps, object, await keptEvalQuery(deps.db, user, object, q))) as unknown as EvaluationResult & { level?: string | null; post?: string | null; parent?: string | null };
  const { main, settings } = evaluationTables(r, lang);
  const filename = exportFilename(['evaluation', object, r.level ?? r.post ?? null, r.parent ?? null, periodPart(r.from, r.to)], format);
  if (format === 'csv') return { filename, format, body: csvText(main) };
  return { filename, format, body: await workbookBuffer({ title: `${object} ${r.from}–${r.to}`, sheets: [main, settings] }) };
}

/**
 * GET /api/exports/headline.{csv|xlsx}: the headline indicators of a region and period, beside the references; a
 * user kept to a district gets its district's (or a region within it).
 */
export async function headlineExport(deps: EvalDeps, user: ExportUser, q: EvalQuery, format: 'csv' | 'xlsx', lang: Lang): Promise<ExportFile> {
  const h = (await headline(deps, { ...q, region: await keptRegionOf(deps.db, user, q.region) })) as HeadlineResult;
  const t = headlineTable(h, lang);
  const filename = exportFilename(['headline', h.region, periodPart(h.from, h.to)], format);
  if (format === 'csv') return { filename, format, body: csvText(t) };
  return { filename, format, body: await workbookBuffer({ title: `headline ${h.from}–${h.to}`, sheets: [t] }) };
}

// ---- Cases ------------------------------------------------------------------------------------------------------

/** Class and department names and the district's clock for case rows. */
export async function caseLookups(db: Queryable, timeZone: string): Promise<CaseLookups & { lang: (l: Lang) => CaseLookups }> {
  const [classes, departments] = await Promise.all([classesDb.list(db), departmentsDb.list(db)]);
  const zh = new Map(classes.map((c) => [c.code, c.name_zh]));
  const en = new Map(classes.map((c) => [c.code, c.name_en || c.name_zh]));
  const dept = new Map(departments.map((d) => [Number(d.id), d.name]));
  const offsetMinutes = zoneOffsetMinutes(timeZone);
  const of = (names: Map<string, string>): CaseLookups => ({
    className: (code) => names.get(code) ?? null, departmentName: (id) => dept.get(id) ?? null, offsetMinutes,
  });
  return { ...of(zh), lang: (l) => of(l === 'zh' ? zh : en) };
}

type CaseItem = Awaited<ReturnType<typeof listCases>>['items'][number];

/**
 * GET /api/exports/cases.{csv|xlsx|geojson}: the cases the caller may see that match the search. The query is
 * checked and the first page read before anything is sent, so a bad query or an oversized result is a 4xx; then
 * the body streams page by page (oldest first: a stable order for offset paging).
 */
export async function caseExport(deps: CaseDeps, user: CaseUser, query: CaseSearchQuery, format: 'csv' | 'xlsx' | 'geojson', lang: Lang): Promise<ExportFile & { total: number }> {
  const district = await userDistrict(deps.db, user); // a scoped user's dates and times: its district's calendar (issue 12)
  const search = await caseSearchOf(deps, query, district);
  const filter = { ...search, sort: 'oldest' as const };
  const first = await listCases(deps, user, { ...filter, limit: EXPORT_PAGE, offset: 0 });
  if (first.total > MAX_EXPORT_ROWS) {
    throw new DomainError('bad_request',
      `The search matches ${first.total} cases; an export holds at most ${MAX_EXPORT_ROWS}. Narrow it with from/to, class, region or status and export again`,
      { from: `narrow the search: ${first.total} cases match, at most ${MAX_EXPORT_ROWS} can be exported`, to: 'narrow the search' });
  }
  const look = (await caseLookups(deps.db, workOf(deps.work, searchDistrictOf(query, district)).calendar.time_zone)).lang(lang);
  const reporter = !!user && user.roles.some((r) => SEE_REPORTER.includes(r));
  const total = first.total;
  async function* pages(): AsyncGenerator<CaseItem[]> {
    yield first.items;
    for (let offset = EXPORT_PAGE, sent = first.items.length; sent < total && offset < MAX_EXPORT_ROWS; offset += EXPORT_PAGE) {
      const page = await listCases(deps, user, { ...filter, limit: EXPORT_PAGE, offset });
      if (!page.items.length) return;
      sent += page.items.length;
      yield page.items;
    }
  }
  const period = search.created_from || search.created_before
    ? periodPart(query.from ?? 'start', query.to ?? 'now') : null;
  const filename = exportFilename(['cases', period], format);
  const columns = caseColumns(lang, reporter);

  if (format === 'csv') {
    async function* csv() {
      yield CSV_BOM + csvHeader(columns);
      for await (const items of pages()) yield items.map((c) => csvLine(caseRow(c, lang, reporter, look))).join('');
    }
    return { filename, format, total, body: Readable.from(csv()) };
  }
  if (format === 'geojson') {
    async function* geojson() {
      yield `{"type":"FeatureCollection","name":"cases","total":${total},"features":[\n`;
      let firstFeature = true;
      for await (const items of pages()) {
        const parts = items.map((c) => JSON.stringify(caseFeature(c, reporter, look)));
        if (!parts.length) continue;
        yield (firstFeature ? '' : ',\n') + parts.join(',\n');
        firstFeature = false;
      }
      yield '\n]}\n';
    }
    return { filename, format, total, body: Readable.from(geojson()) };
  }
  return { filename, format, total, body: xlsxStream(columns, pages(), (c) => caseRow(c, lang, reporter, look)) };
}

/** An XLSX written as rows arrive (exceljs' streaming writer: each row is committed and leaves memory). */
function xlsxStream<T>(columns: readonly Column[], pages: AsyncGenerator<T[]>, row: (x: T) => Cell[]): Readable {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Gridline';
  const ws = wb.addWorksheet('cases', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = sheetColumns(columns);
  styleHeader(ws.getRow(1));
  ws.getRow(1).commit();
  void (async () => {
    for await (const items of pages) for (const x of items) ws.addRow(row(x).map(xlsxValue)).commit();
    ws.commit();
    await wb.commit();
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

export type { Table };
