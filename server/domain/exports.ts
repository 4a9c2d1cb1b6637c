// Exports of the leader's tables and layers (docs/leader-api.md §Exports): tables → CSV text (UTF-8 BOM, RFC 4180,
// formula injection neutralised) and a workbook model that services/exports.ts writes with exceljs; the tables of
// the evaluation, the headline indicators and the case list; file names and Content-Disposition. Pure: no I/O, no clock.

import { DomainError } from './errors.js';

export type Lang = 'zh' | 'en';
export const EXPORT_LANGS: readonly Lang[] = ['zh', 'en'];

/** A cell as the tables hold it; dates are formatted by the table builders, never here. */
export type Cell = string | number | boolean | null | undefined;

/** How a spreadsheet should show a column (CSV ignores it). */
export type ColumnFormat = 'text' | 'integer' | 'number' | 'rate' | 'score';

export type Column = { key: string; header: string; format?: ColumnFormat; width?: number };

/** A table ready to write: one header row (column headers), then `rows`, each as long as `columns`. */
export type Table = { name: string; columns: Column[]; rows: Cell[][] };

/** A workbook: sheets in order (services/exports.ts writes it with exceljs). */
export type WorkbookModel = { title: string; sheets: Table[] };

// ---- CSV --------------------------------------------------------------------------------------------------------

/** Byte-order mark: without it Excel reads UTF-8 CSV as the local code page and Chinese turns to mojibake. */
export const CSV_BOM = '\uFEFF';

/** Leading characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection"), tab and CR included. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell made inert: text starting with = + - @ (or tab, CR) gets a leading apostrophe, so Excel, LibreOffice
 * and Google Sheets show it as text instead of evaluating it. Numbers are never touched (−3 stays a number).
 * @example neutraliseFormula('=HYPERLINK("http://x","y")') // "'=HYPERLINK(\"http://x\",\"y\")"
 */
export function neutraliseFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** The text of a cell: null/undefined empty, numbers in JavaScript's shortest exact form, booleans as true/false. */
export function cellText(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return neutraliseFormula(v);
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a double quote, CR or LF; quotes doubled.
 * @example csvField('a "b", c') // '"a ""b"", c"'
 */
export function csvField(v: Cell): string {
  const s = cellText(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record ending in CRLF (RFC 4180 §2.1). */
export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** The header record of a table. */
export function csvHeader(columns: readonly Column[]): string {
  return csvLine(columns.map((c) => c.header));
}

/**
 * A whole table as CSV text, BOM first.
 * @example csvText({ name: 't', columns: [{ key: 'a', header: 'A' }], rows: [[1]] }) // '\uFEFFA\r\n1\r\n'
 */
export function csvText(t: Table): string {
  return CSV_BOM + csvHeader(t.columns) + t.rows.map(csvLine).join('');
}

// ---- Words ------------------------------------------------------------------------------------------------------

type Words = Record<string, Record<Lang, string>>;

/** Column headers and values of the export files (the client's dictionary cannot be imported by the server). */
export const EXPORT_WORDS = {
  key: { zh: '编码', en: 'Key' },
  name: { zh: '名称', en: 'Name' },
  level: { zh: '级别', en: 'Level' },
  numerator: { zh: '分子', en: 'numerator' },
  denominator: { zh: '分母', en: 'denominator' },
  rate: { zh: '比率', en: 'rate' },
  score: { zh: '得分', en: 'score' },
  weight: { zh: '权重', en: 'weight' },
  used_weight: { zh: '实用权重', en: 'used weight' },
  composite: { zh: '综合得分', en: 'Composite' },
  grade: { zh: '等级', en: 'Grade' },
  from: { zh: '起始日期', en: 'From' },
  to: { zh: '截止日期', en: 'To' },
  settings_version: { zh: '评价设置版本', en: 'Settings version' },
  no_data: { zh: '无数据', en: 'no data' },
  indicator: { zh: '指标', en: 'Indicator' },
  indicator_key: { zh: '指标代码', en: 'Indicator key' },
  reference: { zh: '参考值（东城）', en: 'Reference (Dongcheng)' },
  region: { zh: '区域', en: 'Region' },
  all_district: { zh: '全区', en: 'Whole district' },
  value: { zh: '数值', en: 'Value' },
  item: { zh: '项目', en: 'Item' },
  kind: { zh: '类型', en: 'Kind' },
  settings_sheet_note: { zh: '本表所列权重、分档与等级即导出结果所用的评价设置', en: 'The weights, bands and grades below are the evaluation settings the export used' },
  band: { zh: '分档', en: 'Band' },
  min: { zh: '下限', en: 'Min' },
  max: { zh: '上限', en: 'Max' },
  grade_min: { zh: '等级下限分', en: 'Grade from score' },
  // headline
  discovery_rate: { zh: '问题发现率', en: 'Problem discovery rate' },
  dispatch_accuracy: { zh: '派遣准确率', en: 'Dispatch accuracy' },
  suggestion_accuracy: { zh: '建议派遣准确率', en: 'Suggested-department accuracy' },
  closing_rate: { zh: '结案率', en: 'Closing rate' },
  on_time_closing_rate: { zh: '按期结案率', en: 'On-time closing rate' },
  avg_handling_hours_working: { zh: '平均处置时长（工作小时）', en: 'Average handling time (working hours)' },
  avg_handling_hours_natural: { zh: '平均处置时长（自然小时）', en: 'Average handling time (clock hours)' },
  handled_count: { zh: '处置件数', en: 'Cases handled' },
  // extra columns of the evaluation rows
  extra_pending: { zh: '待处置', en: 'Pending' },
  extra_pending_overdue: { zh: '待处置超期', en: 'Pending, overdue' },
  extra_returns: { zh: '退回', en: 'Returns' },
  extra_late_returns: { zh: '超时退回', en: 'Late returns' },
  extra_extensions: { zh: '延期次数', en: 'Extensions' },
  extra_extension_hours: { zh: '延期小时', en: 'Extension hours' },
  extra_suspensions: { zh: '挂账', en: 'Suspensions' },
  extra_overdue_handled: { zh: '超期处置', en: 'Handled overdue' },
  extra_overtime_multiple: { zh: '超时倍数', en: 'Overtime multiple' },
  // cases
  case_no: { zh: '案卷号', en: 'Case number' },
  origin: { zh: '来源类型', en: 'Origin' },
  source_system: { zh: '原系统', en: 'Source system' },
  source_id: { zh: '原系统编号', en: 'Source id' },
  status: { zh: '状态', en: 'Status' },
  case_kind: { zh: '案件类型', en: 'Kind' },
  class_code: { zh: '类别代码', en: 'Class code' },
  class_name: { zh: '类别', en: 'Class' },
  channel: { zh: '上报渠道', en: 'Channel' },
  grid_code: { zh: '单元网格', en: 'Unit grid' },
  community_code: { zh: '社区代码', en: 'Community code' },
  street_code: { zh: '街道代码', en: 'Street code' },
  address: { zh: '地址', en: 'Address' },
  description: { zh: '问题描述', en: 'Description' },
  department: { zh: '处置部门', en: 'Department' },
  urgent: { zh: '紧急', en: 'Urgent' },
  reported_at: { zh: '上报时间', en: 'Reported at' },
  filed_at: { zh: '立案时间', en: 'Filed at' },
  dispatched_at: { zh: '派遣时间', en: 'Dispatched at' },
  deadline_at: { zh: '处置时限', en: 'Handling deadline' },
  closed_at: { zh: '结案时间', en: 'Closed at' },
  closing_type: { zh: '结案类型', en: 'Closing type' },
  handled_late: { zh: '超期处置', en: 'Handled late' },
  return_count: { zh: '退回次数', en: 'Returns' },
  rework_count: { zh: '返工次数', en: 'Reworks' },
  extension_count: { zh: '延期次数', en: 'Extensions' },
  light: { zh: '灯色', en: 'Light' },
  lon: { zh: '经度', en: 'Longitude' },
  lat: { zh: '纬度', en: 'Latitude' },
  reporter_name: { zh: '举报人', en: 'Reporter' },
  reporter_phone: { zh: '举报人电话', en: 'Reporter phone' },
  yes: { zh: '是', en: 'yes' },
  no: { zh: '否', en: 'no' },
  // values
  origin_live: { zh: '本系统', en: 'live' },
  origin_imported: { zh: '历史导入', en: 'imported' },
  origin_simulated: { zh: '模拟历史', en: 'simulated' },
  kind_component_anomaly: { zh: '部件', en: 'Component' },
  kind_event: { zh: '事件', en: 'Event' },
  light_green: { zh: '绿', en: 'green' },
  light_yellow: { zh: '黄', en: 'yellow' },
  light_red: { zh: '红', en: 'red' },
  status_pending_acceptance: { zh: '待受理', en: 'Pending acceptance' },
  status_verifying: { zh: '核实中', en: 'Verifying' },
  status_pending_filing: { zh: '待立案', en: 'Pending filing' },
  status_pending_dispatch: { zh: '待派遣', en: 'Pending dispatch' },
  status_handling: { zh: '处置中', en: 'Handling' },
  status_suspended: { zh: '已挂账', en: 'Suspended' },
  status_pending_check: { zh: '待核查', en: 'Pending check' },
  status_checking: { zh: '核查中', en: 'Checking' },
  status_pending_closing: { zh: '待结案', en: 'Pending closing' },
  status_closed: { zh: '已结案', en: 'Closed' },
  status_void: { zh: '已作废', en: 'Void' },
  status_pending_review: { zh: '自处置待审', en: 'Self-handled, pending review' },
  source_inspector: { zh: '监督员上报', en: 'Inspector' },
  source_public: { zh: '公众举报', en: 'Public' },
  source_hotline: { zh: '热线', en: 'Hotline' },
  source_media: { zh: '媒体曝光', en: 'Media' },
  source_video: { zh: '视频发现', en: 'Video' },
  source_leader: { zh: '领导交办', en: 'Leader' },
  source_other: { zh: '其他', en: 'Other' },
  closing_normal: { zh: '正常结案', en: 'Normal' },
  closing_overdue: { zh: '超期结案', en: 'Overdue' },
  closing_error: { zh: '错误结案', en: 'Error' },
  closing_special: { zh: '特殊结案', en: 'Special' },
  level_district: { zh: '区', en: 'District' },
  level_street: { zh: '街道', en: 'Street' },
  level_community: { zh: '社区', en: 'Community' },
  level_grid: { zh: '单元网格', en: 'Unit grid' },
  sheet_evaluation: { zh: '评价', en: 'evaluation' },
  sheet_settings: { zh: 'settings', en: 'settings' },
  sheet_headline: { zh: '核心指标', en: 'headline' },
  sheet_cases: { zh: '案卷', en: 'cases' },
  object_regions: { zh: '区域评价', en: 'Evaluation of regions' },
  object_departments: { zh: '专业部门评价', en: 'Evaluation of departments' },
  object_posts: { zh: '岗位评价', en: 'Evaluation of posts' },
} as const satisfies Words;

export type ExportWord = keyof typeof EXPORT_WORDS;

/** The word of `key` in `lang`; a key without a word (a value the table does not know) comes back as itself. */
export function word(lang: Lang, key: string): string {
  const w = (EXPORT_WORDS as Words)[key];
  return w ? w[lang] : key;
}

/** A coded value in words (`status_closed` → 已结案), or the raw code when there is no word for it. */
function coded(lang: Lang, prefix: string, v: string | null | undefined): string | null {
  if (v === null || v === undefined || v === '') return null;
  const w = (EXPORT_WORDS as Words)[`${prefix}${v}`];
  return w ? w[lang] : v;
}

// ---- Dates ------------------------------------------------------------------------------------------------------

/**
 * An instant as the district's wall time with its offset, `YYYY-MM-DD HH:mm:ss±hh:mm`: Excel sorts it as text,
 * people read the local time, machines the exact instant. `offsetMinutes` gives the zone's offset at an instant.
 * @example localStamp(new Date('2026-03-01T01:30:00Z'), () => 480) // '2026-03-01 09:30:00+08:00'
 */
export function localStamp(at: Date | string | null | undefined, offsetMinutes: (utcMs: number) => number): string | null {
  if (at === null || at === undefined) return null;
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(ms)) return null;
  const off = offsetMinutes(ms);
  const local = new Date(ms + off * 60_000).toISOString(); // the wall time, read off a UTC formatter
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${local.slice(0, 10)} ${local.slice(11, 19)}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The offset function of a zone: an IANA name (read through Intl, which is pure) or a fixed "+08:00".
 * @example zoneOffsetMinutes('Asia/Shanghai')(Date.UTC(2026, 0, 1)) // 480
 */
export function zoneOffsetMinutes(zone: string): (utcMs: number) => number {
  const fixed = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (fixed) {
    const off = (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
    return () => off;
  }
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  return (utcMs) => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
    const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 60_000);
  };
}

// ---- Evaluation -------------------------------------------------------------------------------------------------

/** The indicator figures of one row (docs/leader-api.md §Evaluation). */
export type IndicatorFigures = {
  numerator: number | null; denominator: number | null; rate: number | null; score: number | null;
  weight?: number | null; used_weight?: number | null;
};

/** What GET /api/evaluation/{object} answers: the parts an export needs. */
export type EvaluationResult = {
  object: string; from: string; to: string;
  settings: { version: number; weights?: unknown; bands?: unknown; grades?: [string, number][] | unknown } & Record<string, unknown>;
  indicators: { key: string; label_zh: string; label_en: string; kind: string; weight: number | null }[];
  rows: {
    key: string; name: string | null; level?: string | null;
    indicators: Record<string, IndicatorFigures | undefined>;
    composite: number | null; grade: string | null;
    extra?: Record<string, number | null | undefined> | null;
  }[];
};

/** "No data" in words where a rate or score is null because its denominator is 0 (docs/evaluation.md: not 0, not 100). */
function figure(lang: Lang, v: number | null | undefined, noData: boolean): Cell {
  if (v === null || v === undefined) return noData ? word(lang, 'no_data') : null;
  return v;
}

/**
 * The evaluation as two tables: one row per object with every indicator's numerator, denominator, rate, score,
 * weight and used weight, the composite and the grade, the period and the settings version; and the settings
 * (version, weights, bands, grades) the result used.
 */
export function evaluationTables(r: EvaluationResult, lang: Lang): { main: Table; settings: Table } {
  const label = (i: EvaluationResult['indicators'][number]) => (lang === 'zh' ? i.label_zh : i.label_en) || i.key;
  const hasLevel = r.rows.some((row) => row.level);
  const extraKeys = [...new Set(r.rows.flatMap((row) => Object.keys(row.extra ?? {})))];
  const columns: Column[] = [
    { key: 'key', header: word(lang, 'key'), format: 'text', width: 16 },
    { key: 'name', header: word(lang, 'name'), format: 'text', width: 24 },
    ...(hasLevel ? [{ key: 'level', header: word(lang, 'level'), format: 'text' as const, width: 10 }] : []),
    ...r.indicators.flatMap((i): Column[] => {
      const l = label(i);
      const sep = lang === 'zh' ? '' : ' ';
      return [
        { key: `${i.key}.numerator`, header: `${l}${sep}${word(lang, 'numerator')}`, format: 'number' },
        { key: `${i.key}.denominator`, header: `${l}${sep}${word(lang, 'denominator')}`, format: 'number' },
        { key: `${i.key}.rate`, header: `${l}${sep}${word(lang, 'rate')}`, format: i.kind === 'count_band' ? 'number' : 'rate' },
        { key: `${i.key}.score`, header: `${l}${sep}${word(lang, 'score')}`, format: 'score' },
        { key: `${i.key}.weight`, header: `${l}${sep}${word(lang, 'weight')}`, format: 'number' },
        { key: `${i.key}.used_weight`, header: `${l}${sep}${word(lang, 'used_weight')}`, format: 'number' },
      ];
    }),
    { key: 'composite', header: word(lang, 'composite'), format: 'score', width: 12 },
    { key: 'grade', header: word(lang, 'grade'), format: 'text', width: 8 },
    ...extraKeys.map((k): Column => ({ key: `extra.${k}`, header: word(lang, `extra_${k}`), format: 'number' })),
    { key: 'from', header: word(lang, 'from'), format: 'text', width: 12 },
    { key: 'to', header: word(lang, 'to'), format: 'text', width: 12 },
    { key: 'settings_version', header: word(lang, 'settings_version'), format: 'integer', width: 10 },
  ];
  const rows = r.rows.map((row): Cell[] => [
    row.key,
    row.name,
    ...(hasLevel ? [coded(lang, 'level_', row.level ?? null)] : []),
    ...r.indicators.flatMap((i): Cell[] => {
      const f = row.indicators[i.key];
      const noData = !!f && f.denominator === 0;
      return [
        f?.numerator ?? null,
        f?.denominator ?? null,
        figure(lang, f?.rate, noData),
        figure(lang, f?.score, noData || (!!f && f.score === null)),
        f?.weight ?? i.weight ?? null,
        f?.used_weight ?? (noData ? 0 : null),
      ];
    }),
    figure(lang, row.composite, true),
    row.grade ?? word(lang, 'no_data'),
    ...extraKeys.map((k) => row.extra?.[k] ?? null),
    r.from,
    r.to,
    r.settings.version,
  ]);
  return {
    main: { name: word(lang, 'sheet_evaluation'), columns, rows },
    settings: settingsTable(r, lang),
  };
}

/** The settings a result used, flattened to (item, key, value) rows: version, each weight, each band, each grade. */
export function settingsTable(r: EvaluationResult, lang: Lang): Table {
  const rows: Cell[][] = [
    [word(lang, 'settings_version'), 'version', r.settings.version],
    [word(lang, 'from'), 'from', r.from],
    [word(lang, 'to'), 'to', r.to],
  ];
  for (const i of r.indicators) {
    rows.push([`${word(lang, 'weight')}: ${lang === 'zh' ? i.label_zh : i.label_en}`, `weights.${i.key}`, i.weight]);
  }
  // Weights, bands and grades as the settings state them, whatever their nesting (the evaluation owns the shape).
  for (const [path, v] of flatten(r.settings.weights, 'weights')) {
    if (!rows.some((row) => row[1] === path)) rows.push([word(lang, 'weight'), path, v]);
  }
  for (const [path, v] of flatten(r.settings.bands, 'bands')) rows.push([word(lang, 'band'), path, v]);
  for (const [path, v] of flatten(r.settings.grades, 'grades')) rows.push([word(lang, 'grade'), path, v]);
  return {
    name: 'settings',
    columns: [
      { key: 'item', header: word(lang, 'item'), format: 'text', width: 36 },
      { key: 'key', header: word(lang, 'key'), format: 'text', width: 40 },
      { key: 'value', header: word(lang, 'value'), format: 'text', width: 16 },
    ],
    rows,
  };
}

/** Leaves of a JSON value as [dotted path, scalar] pairs, in order. */
export function flatten(v: unknown, path: string): [string, Cell][] {
  if (v === undefined) return [];
  if (v === null || typeof v !== 'object') return [[path, v as Cell]];
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
  return entries.flatMap(([k, x]) => flatten(x, `${path}.${k}`));
}

// ---- Headline ---------------------------------------------------------------------------------------------------

export type RateFigure = { numerator: number; denominator: number; rate: number | null };

/** What GET /api/evaluation/headline answers (docs/leader-api.md). */
export type HeadlineResult = {
  from: string; to: string; region: string | null;
  discovery_rate: RateFigure; dispatch_accuracy: RateFigure; suggestion_accuracy: RateFigure;
  closing_rate: RateFigure; on_time_closing_rate: RateFigure;
  avg_handling_hours: { working: number | null; natural: number | null; count: number };
  reference?: Partial<Record<'discovery_rate' | 'dispatch_accuracy' | 'avg_handling_hours' | 'closing_rate', number>>;
};

export const HEADLINE_RATES = ['discovery_rate', 'dispatch_accuracy', 'suggestion_accuracy', 'closing_rate', 'on_time_closing_rate'] as const;

/** The headline indicators as one table: one row per figure, with the Dongcheng reference beside it. */
export function headlineTable(h: HeadlineResult, lang: Lang, regionName?: string | null): Table {
  const region = h.region ? (regionName ? `${regionName} (${h.region})` : h.region) : word(lang, 'all_district');
  const rows: Cell[][] = HEADLINE_RATES.map((k) => {
    const f = h[k];
    return [k, word(lang, k), f.numerator, f.denominator, figure(lang, f.rate, f.denominator === 0),
      (h.reference as Record<string, number | undefined> | undefined)?.[k] ?? null, region, h.from, h.to];
  });
  const a = h.avg_handling_hours;
  rows.push(['avg_handling_hours.working', word(lang, 'avg_handling_hours_working'), null, a.count, figure(lang, a.working, a.count === 0),
    null, region, h.from, h.to]);
  rows.push(['avg_handling_hours.natural', word(lang, 'avg_handling_hours_natural'), null, a.count, figure(lang, a.natural, a.count === 0),
    h.reference?.avg_handling_hours ?? null, region, h.from, h.to]);
  return {
    name: word(lang, 'sheet_headline'),
    columns: [
      { key: 'key', header: word(lang, 'indicator_key'), format: 'text', width: 28 },
      { key: 'indicator', header: word(lang, 'indicator'), format: 'text', width: 30 },
      { key: 'numerator', header: word(lang, 'numerator'), format: 'number' },
      { key: 'denominator', header: word(lang, 'denominator'), format: 'number' },
      { key: 'value', header: word(lang, 'value'), format: 'number', width: 14 },
      { key: 'reference', header: word(lang, 'reference'), format: 'number', width: 16 },
      { key: 'region', header: word(lang, 'region'), format: 'text', width: 20 },
      { key: 'from', header: word(lang, 'from'), format: 'text', width: 12 },
      { key: 'to', header: word(lang, 'to'), format: 'text', width: 12 },
    ],
    rows,
  };
}

// ---- Cases ------------------------------------------------------------------------------------------------------

/** The fields of a case an export reads (a case search item). */
export type CaseLike = {
  id: string; case_no: string; origin?: string | null; source_system?: string | null; source_id?: string | null;
  status: string; kind?: string | null; class_code: string; source?: string | null;
  grid_code?: string | null; community_code?: string | null; street_code?: string | null;
  address?: string | null; description?: string | null; department_id?: number | string | null; urgent?: boolean | null;
  created_at?: Date | string | null; filed_at?: Date | string | null; dispatched_at?: Date | string | null;
  handling_deadline_at?: Date | string | null; closed_at?: Date | string | null; closing_type?: string | null;
  handled_late?: boolean | null; return_count?: number | null; rework_count?: number | null; extension_count?: number | null;
  light?: string | null; lon?: number | null; lat?: number | null;
  reporter_name?: string | null; reporter_phone?: string | null;
};

/** Names the case columns need: class and department names, the zone's offset for times. */
export type CaseLookups = {
  className(code: string): string | null;
  departmentName(id: number): string | null;
  offsetMinutes(utcMs: number): number;
};

/**
 * The columns of a case export. Reporter name and phone are there only when `reporter` is true (a role that sees
 * them unmasked): others get no such columns at all, not masked ones.
 */
export function caseColumns(lang: Lang, reporter: boolean): Column[] {
  const c = (key: ExportWord, format: ColumnFormat = 'text', width?: number): Column => ({ key, header: word(lang, key), format, width });
  return [
    c('case_no', 'text', 16), c('origin', 'text', 10), c('source_system'), c('source_id', 'text', 14), c('status', 'text', 12),
    c('case_kind'), c('class_code'), c('class_name', 'text', 20), c('channel'), c('grid_code', 'text', 18),
    c('community_code', 'text', 14), c('street_code', 'text', 12), c('address', 'text', 28), c('description', 'text', 40),
    c('department', 'text', 20), c('urgent'), c('reported_at', 'text', 22), c('filed_at', 'text', 22),
    c('dispatched_at', 'text', 22), c('deadline_at', 'text', 22), c('closed_at', 'text', 22), c('closing_type'),
    c('handled_late'), c('return_count', 'integer'), c('rework_count', 'integer'), c('extension_count', 'integer'),
    c('light'), c('lon', 'number', 12), c('lat', 'number', 12),
    ...(reporter ? [c('reporter_name'), c('reporter_phone', 'text', 16)] : []),
  ];
}

/** One case as a row of `caseColumns(lang, reporter)`. */
export function caseRow(x: CaseLike, lang: Lang, reporter: boolean, look: CaseLookups): Cell[] {
  const at = (v: Date | string | null | undefined) => localStamp(v, look.offsetMinutes);
  const yn = (v: boolean | null | undefined) => (v === null || v === undefined ? null : word(lang, v ? 'yes' : 'no'));
  const dept = x.department_id === null || x.department_id === undefined ? null : look.departmentName(Number(x.department_id));
  return [
    x.case_no, coded(lang, 'origin_', x.origin ?? 'live'), x.source_system ?? null, x.source_id ?? null, coded(lang, 'status_', x.status),
    coded(lang, 'kind_', x.kind), x.class_code, look.className(x.class_code), coded(lang, 'source_', x.source), x.grid_code ?? null,
    x.community_code ?? null, x.street_code ?? null, x.address ?? null, x.description ?? null,
    dept, yn(x.urgent), at(x.created_at), at(x.filed_at),
    at(x.dispatched_at), at(x.handling_deadline_at), at(x.closed_at), coded(lang, 'closing_', x.closing_type),
    yn(x.handled_late), x.return_count ?? null, x.rework_count ?? null, x.extension_count ?? null,
    coded(lang, 'light_', x.light), x.lon ?? null, x.lat ?? null,
    ...(reporter ? [x.reporter_name ?? null, x.reporter_phone ?? null] : []),
  ];
}

/**
 * One case as a GeoJSON Feature (RFC 7946): a point, the properties keyed by column key with machine values
 * (codes, ISO instants), no personal data unless `reporter`. Text is kept as-is: GeoJSON is not a spreadsheet.
 */
export function caseFeature(x: CaseLike, reporter: boolean, look: Pick<CaseLookups, 'className' | 'departmentName'>) {
  const iso = (v: Date | string | null | undefined) => (v === null || v === undefined ? null : new Date(v).toISOString());
  return {
    type: 'Feature' as const,
    id: x.id,
    geometry: x.lon === null || x.lon === undefined || x.lat === null || x.lat === undefined
      ? null : { type: 'Point' as const, coordinates: [x.lon, x.lat] },
    properties: {
      id: x.id, case_no: x.case_no, origin: x.origin ?? 'live', source_system: x.source_system ?? null, source_id: x.source_id ?? null,
      status: x.status, kind: x.kind ?? null, class_code: x.class_code, class_name: look.className(x.class_code),
      source: x.source ?? null, grid_code: x.grid_code ?? null, community_code: x.community_code ?? null, street_code: x.street_code ?? null,
      address: x.address ?? null, description: x.description ?? null,
      department_id: x.department_id === null || x.department_id === undefined ? null : Number(x.department_id),
      department: x.department_id === null || x.department_id === undefined ? null : look.departmentName(Number(x.department_id)),
      urgent: x.urgent ?? null, created_at: iso(x.created_at), filed_at: iso(x.filed_at), dispatched_at: iso(x.dispatched_at),
      handling_deadline_at: iso(x.handling_deadline_at), closed_at: iso(x.closed_at), closing_type: x.closing_type ?? null,
      light: x.light ?? null,
      ...(reporter ? { reporter_name: x.reporter_name ?? null, reporter_phone: x.reporter_phone ?? null } : {}),
    },
  };
}

// ---- File names -------------------------------------------------------------------------------------------------

/**
 * A download's file name: the parts joined by '_' with anything but letters, digits, '-' and '.' replaced, so the
 * name is safe on every file system and in a header.
 * @example exportFilename(['evaluation', 'departments', '2026-01-01', '2026-12-31'], 'csv') // 'evaluation_departments_2026-01-01_2026-12-31.csv'
 */
export function exportFilename(parts: readonly (string | null | undefined)[], ext: string): string {
  const safe = parts.filter((p): p is string => !!p).map((p) => p.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '')).filter(Boolean);
  return `${safe.join('_') || 'export'}.${ext}`;
}

/** The period part of a file name: `2026-01-01_2026-12-31`, or a month `2026-03` when the range is exactly one. */
export function periodPart(from: string, to: string): string {
  const m = /^(\d{4})-(\d{2})-01$/.exec(from);
  if (m) {
    const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).toISOString().slice(0, 10);
    if (last === to) return `${m[1]}-${m[2]}`;
  }
  return `${from}_${to}`;
}

/**
 * `Content-Disposition: attachment` with an ASCII `filename` and the RFC 5987 `filename*` (UTF-8).
 * @example contentDisposition('a b.csv') // `attachment; filename="a b.csv"; filename*=UTF-8''a%20b.csv`
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const star = encodeURIComponent(filename).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${star}`;
}

/** Media types of the export formats. */
export const MEDIA_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  geojson: 'application/geo+json; charset=utf-8',
  pdf: 'application/pdf',
} as const;
export type ExportFormat = keyof typeof MEDIA_TYPES;

// ---- Report month -----------------------------------------------------------------------------------------------

/**
 * The period of a report month `YYYY-MM`: first and last day. Throws a RangeError for anything else (the route
 * turns it into a 400 naming `month`).
 * @example monthPeriod('2026-02') // { from: '2026-02-01', to: '2026-02-28' }
 */
export function monthPeriod(month: string): { from: string; to: string } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new RangeError(`"${month}" is not a month like 2026-03`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return { from: `${m[1]}-${m[2]}-01`, to: `${m[1]}-${m[2]}-${String(last).padStart(2, '0')}` };
}

/**
 * The region an export of a user kept to a district covers (issue 12, several districts in one database): the
 * region asked for when it lies in the district, the district itself when none was asked for; a user of every
 * district (`district` null) gets what it asked for. The district's own code is a region of it.
 * @throws DomainError forbidden for a region of another district, naming both
 * @example keptRegion('110101', undefined, 'region') // '110101'
 * @example keptRegion(null, '110102001', 'region') // '110102001'
 */
export function keptRegion(district: string | null, asked: string | undefined, field: string): string | undefined {
  if (!district) return asked;
  if (asked === undefined || asked === '') return district;
  if (!asked.startsWith(district)) {
    throw new DomainError('forbidden', `${field} ${asked} lies outside your district ${district}: leave ${field} out for your whole district, or give a street or community of it`,
      { [field]: `outside your district ${district}`, district_code: district });
  }
  return asked;
}
