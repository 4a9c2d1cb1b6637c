// Why an imported row was rejected, in the reader's language (zh/en): the rejection's code plus its params (what it
// names: the value, the field, the first row …) rendered here, for the admin console's import panel and the
// rejected.csv report. The English `reason` the importers write stays as it was (API compatibility, the CLI's
// detail); this is the short sentence per code that says what is wrong and what to do. Pure; the client uses it too.
import type { CaseRejectCode } from '../case-import.js';
import type { RejectCode, RejectionParams } from './vocabulary.js';

export type ReasonLang = 'zh' | 'en';
export type ReasonCode = RejectCode | CaseRejectCode;

type P = RejectionParams;
type Text = (p: P) => string;

/** `"value"` in the language's quotes, or '' when the row named none. */
const q = (lang: ReasonLang, v: unknown) => (v === undefined || v === null || v === '' ? '' : lang === 'zh' ? `“${v}”` : `"${v}"`);
const sp = (s: string) => (s ? ` ${s}` : '');

const ZH: Record<ReasonCode, Text> = {
  malformed_row: (p) => `行格式错误${p.fields !== undefined ? `：有 ${p.fields} 个字段，表头有 ${p.header} 个` : ''}；请修正该行`,
  missing_source_id: (p) => `缺少源编号${p.field ? `（${p.field} 为空）` : ''}；请填写`,
  invalid_source_id: (p) => `源编号无效${p.max !== undefined ? `（不超过 ${p.max} 个字符）` : '（须为字符串或数字）'}`,
  duplicate_source_id: (p) => `源编号${q('zh', p.value)}重复${p.first_row !== undefined ? `（首次出现在第 ${p.first_row} 行）` : ''}`,
  no_geometry: () => '没有位置（经纬度为空或无几何）；请补上坐标',
  unsupported_geometry: () => '不支持的几何类型；请使用点、线或面',
  invalid_geometry: () => '几何无效（环未闭合、自相交或点数不足）；请修正图形',
  invalid_coordinates: (p) => `坐标无效${p.field ? `：${p.field} ${q('zh', p.value)}不是数字` : p.value ? `：${p.value}` : ''}；请检查经纬度`,
  swapped_coordinates: (p) => `经纬度写反了${p.grid ? `：交换后落在网格 ${p.grid}` : ''}；请交换经度和纬度`,
  outside_grids: (p) => `位置${p.value ? ` ${p.value} ` : ''}不在本区任何现行单元网格内`,
  unknown_class: (p) => `未知的类别代码${q('zh', p.value)}；请使用 GB/T 47678.5-2026 的 5 位代码`,
  legacy_class: (p) => `旧版代码${q('zh', p.value)}没有 2026 版对应；请在映射中指定新代码`,
  invalid_status: (p) => `未知状态${q('zh', p.value)}；请使用规定的状态值，或在映射中加入它`,
  invalid_date: (p) => `${p.field ? `${p.field} ` : ''}${q('zh', p.value)}不是有效日期`,
  invalid_data_source: (p) => `未知数据来源${q('zh', p.value)}；请使用 实测/地形图/基础地理数据/其他`,
  class_changed: (p) => `已导入为部件 ${p.id ?? ''}（类别 ${p.existing ?? '?'}），重新导入不能改为类别 ${p.value ?? '?'}（编号包含类别）`,
  district_changed: (p) => `已导入为部件 ${p.id ?? ''}，新位置${p.grid ? `（网格 ${p.grid}）` : ''}属于另一个区（编号包含区划）`,
  missing_type: (p) => `缺少类型${p.field ? `（${p.field} 为空）` : ''}`,
  unknown_type: (p) => `类型${q('zh', p.value)}在类型映射中没有对应类别；请在映射中加入它再导入`,
  missing_time: (p) => `缺少立案时间${p.field ? `（${p.field} 为空）` : ''}`,
  dispatched_before_opened: (p) => `派遣时间${p.value ? ` ${p.value}` : ''}早于立案时间${p.opened ? ` ${p.opened}` : ''}`,
  target_before_opened: (p) => `处置时限${p.value ? ` ${p.value}` : ''}早于立案时间${p.opened ? ` ${p.opened}` : ''}`,
  closed_before_opened: (p) => `结案时间${p.value ? ` ${p.value}` : ''}早于立案时间${p.opened ? ` ${p.opened}` : ''}`,
  closed_before_dispatched: (p) => `结案时间${p.value ? ` ${p.value}` : ''}早于派遣时间${p.dispatched ? ` ${p.dispatched}` : ''}`,
  time_in_future: (p) => `${p.field ? `${p.field} ` : ''}时间${p.value ? ` ${p.value}` : ''}在未来`,
  inconsistent_status: (p) => (p.status === 'open' ? `状态${q('zh', p.value)}表示未结案，却给了结案时间` : `状态${q('zh', p.value)}表示已结案，但结案时间为空`),
  invalid_channel: (p) => `未知来源渠道${q('zh', p.value)}；请在渠道映射中加入它`,
  invalid_department: (p) => `部门名称过长${p.max !== undefined ? `（不超过 ${p.max} 个字符）` : ''}`,
  history_changed: (p) => `源编号${q('zh', p.value)}的案卷历史已导入，与文件不同；流转记录只能追加，该行未应用`,
};

const EN: Record<ReasonCode, Text> = {
  malformed_row: (p) => `Malformed row${p.fields !== undefined ? `: ${p.fields} fields, the header has ${p.header}` : ''}; fix the row`,
  missing_source_id: (p) => `No source id${p.field ? ` (${p.field} is empty)` : ''}; fill it in`,
  invalid_source_id: (p) => `Invalid source id${p.max !== undefined ? ` (at most ${p.max} characters)` : ' (a string or a number)'}`,
  duplicate_source_id: (p) => `Duplicate source id${sp(q('en', p.value))}${p.first_row !== undefined ? ` (first in row ${p.first_row})` : ''}`,
  no_geometry: () => 'No position (lon/lat empty or no geometry); add coordinates',
  unsupported_geometry: () => 'Unsupported geometry type; use a point, line or polygon',
  invalid_geometry: () => 'Invalid geometry (unclosed or self-intersecting ring, too few points); fix the shape',
  invalid_coordinates: (p) => `Invalid coordinates${p.field ? `: ${p.field} ${q('en', p.value)} is not a number` : p.value ? `: ${p.value}` : ''}; check lon and lat`,
  swapped_coordinates: (p) => `Lon and lat are swapped${p.grid ? ` (exchanged, the point lies in grid ${p.grid})` : ''}; swap them`,
  outside_grids: (p) => `Position${p.value ? ` ${p.value}` : ''} is outside every current unit grid of the district`,
  unknown_class: (p) => `Unknown class code${sp(q('en', p.value))}; use a 5-digit GB/T 47678.5-2026 code`,
  legacy_class: (p) => `Legacy code${sp(q('en', p.value))} has no 2026 mapping; map it to a current code`,
  invalid_status: (p) => `Unknown status${sp(q('en', p.value))}; use a listed status or add it to the mapping`,
  invalid_date: (p) => `${p.field ? `${p.field} ` : ''}${q('en', p.value) || 'value'} is not a valid date`,
  invalid_data_source: (p) => `Unknown data source${sp(q('en', p.value))}; use survey, topographic_map, base_geodata or other`,
  class_changed: (p) => `Already imported as component ${p.id ?? ''} of class ${p.existing ?? '?'}; a re-import cannot change its class to ${p.value ?? '?'} (the id embeds it)`,
  district_changed: (p) => `Already imported as component ${p.id ?? ''}; its new position${p.grid ? ` (grid ${p.grid})` : ''} is in another district (the id embeds it)`,
  missing_type: (p) => `No type${p.field ? ` (${p.field} is empty)` : ''}`,
  unknown_type: (p) => `Type${sp(q('en', p.value))} has no class in the type map; add it to the mapping and import again`,
  missing_time: (p) => `No opened time${p.field ? ` (${p.field} is empty)` : ''}`,
  dispatched_before_opened: (p) => `Dispatched${p.value ? ` ${p.value}` : ''} before it was opened${p.opened ? ` ${p.opened}` : ''}`,
  target_before_opened: (p) => `Target${p.value ? ` ${p.value}` : ''} is before it was opened${p.opened ? ` ${p.opened}` : ''}`,
  closed_before_opened: (p) => `Closed${p.value ? ` ${p.value}` : ''} before it was opened${p.opened ? ` ${p.opened}` : ''}`,
  closed_before_dispatched: (p) => `Closed${p.value ? ` ${p.value}` : ''} before it was dispatched${p.dispatched ? ` ${p.dispatched}` : ''}`,
  time_in_future: (p) => `${p.field ? `${p.field} time` : 'Time'}${p.value ? ` ${p.value}` : ''} is in the future`,
  inconsistent_status: (p) => (p.status === 'open' ? `Status${sp(q('en', p.value))} says open, but a closed time is given` : `Status${sp(q('en', p.value))} says closed, but the closed time is empty`),
  invalid_channel: (p) => `Unknown channel${sp(q('en', p.value))}; add it to the channel mapping`,
  invalid_department: (p) => `Department name too long${p.max !== undefined ? ` (at most ${p.max} characters)` : ''}`,
  history_changed: (p) => `Case history of source id${sp(q('en', p.value))} was already imported and differs; a trail is append-only, so the row was not applied`,
};

/** Whether `code` is a rejection code this module can say. */
export function isReasonCode(code: string): code is ReasonCode {
  return Object.prototype.hasOwnProperty.call(ZH, code);
}

/**
 * A rejection in `lang`. An unknown code (a newer server, an old job) falls back to the English `reason` it came with.
 * @example rejectionText('zh', { code: 'duplicate_source_id', params: { value: 'A-7', first_row: 3 }, reason: '' }) // '源编号“A-7”重复（首次出现在第 3 行）'
 */
export function rejectionText(lang: ReasonLang, r: { code: string; params?: P | null; reason: string }): string {
  if (!isReasonCode(r.code)) return r.reason;
  return (lang === 'zh' ? ZH : EN)[r.code](r.params ?? {});
}
