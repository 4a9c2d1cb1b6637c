// Historical case import (历史案卷导入): the pure half. Past cases of another system (a city's old 数字城管
// system, a 311 export) arrive as CSV records or GeoJSON features; this module maps their fields, validates each
// row, and turns a good row into the columns of an imported case and the trail entries of its known steps
// (report → dispatch → feedback → close). No I/O, no clock: `now` and the known classes are arguments.
// The service (services/import-cases.ts) streams the input, and db/import-cases.ts stages, locates and writes.
//
// Decisions:
// - A case is identified by (source_system, source_id): a re-import updates it, never duplicates it.
// - Times without a zone are local wall times of the source (`time_zone`, e.g. America/New_York); a time with
//   `Z` or an offset, or epoch milliseconds, is absolute. `MM/DD/YYYY` is read month first (US exports);
//   Chinese exports write `YYYY/MM/DD` or `YYYY-MM-DD`, which are unambiguous.
// - The source's own deadline (target) is the handling deadline: on time = fed back (closed) no later than it.
//   Without a dispatch time the case counts as dispatched when it was opened.
// - The trail of an imported case: `report` (opened, to pending_dispatch: the old system had filed it), `dispatch`
//   (to the department, deadline = target), and for a closed case `feedback` and `close` at the closed time. Every
//   entry has actor null, role `system`, and `data.imported: true` with the source system and id: they are
//   nobody's work in this system, so no post is evaluated on them, while departments and regions are.
// - A re-import (the same source id again) compares the row with the case:
//   nothing differs → unchanged; descriptive fields differ (type/class, channel, description, address, position)
//   → the case is updated and one `import_update` entry lists the changes; the source has moved on (an open case
//   is now closed) → `feedback` and `close` are appended; the source rewrote history (opened, dispatched,
//   deadline or department changed, a closed case reopened or closed at another time) → the row is rejected
//   (`history_changed`): a trail is append-only, and Gridline keeps the history it imported.
import { buildCalendar, localTime } from './calendar.js';
import { type Crs } from './coords.js';
import { parseCsv } from './csv.js';
import { DomainError } from './errors.js';
import { checkGeometry } from './import/geometry.js';
import { lookup, nulInFields, parseFeature } from './import/rows.js';
import { mapClassCode, vocabularyKey } from './import/vocabulary.js';
import type { TrailEntry } from './trail.js';

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

/** Channels (上报渠道) of an imported case: cases.source. */
export const CHANNELS = ['inspector', 'public', 'hotline', 'media', 'video', 'leader', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CASE_STATES = ['open', 'closed'] as const;
export type SourceState = (typeof CASE_STATES)[number];

/** Fields of a past case a row may supply; `source_id`, `type` and `opened` are required, lon/lat are found by name. */
export const CASE_IMPORT_FIELDS = [
  'source_id', 'type', 'lon', 'lat', 'opened', 'dispatched', 'target', 'closed', 'status', 'department', 'channel',
  'description', 'address', 'closure',
] as const;
export type CaseImportField = (typeof CASE_IMPORT_FIELDS)[number];
export type CaseFieldMap = Partial<Record<CaseImportField, string>>;
const REQUIRED_FIELDS: readonly CaseImportField[] = ['source_id', 'type', 'opened'];

/** Why a row was not imported; `reason` says it for a person, with what to do where there is something to do. */
export type CaseRejectCode =
  | 'malformed_row'            // not a JSON Feature / CSV field count differs from the header
  | 'missing_source_id'
  | 'invalid_source_id'
  | 'duplicate_source_id'      // an earlier row of the same file has the same source id
  | 'no_geometry'
  | 'invalid_coordinates'
  | 'unsupported_geometry'     // a case is a point
  | 'outside_grids'            // no current unit grid covers it: outside the district
  | 'missing_type'
  | 'unknown_type'             // the type has no class in the type map
  | 'missing_time'             // no opened time
  | 'invalid_date'
  | 'dispatched_before_opened'
  | 'target_before_opened'
  | 'closed_before_opened'
  | 'closed_before_dispatched'
  | 'time_in_future'
  | 'invalid_status'
  | 'inconsistent_status'      // closed without a closed time, or open with one
  | 'invalid_channel'
  | 'invalid_department'
  | 'history_changed';         // a re-import would rewrite the history already in the trail

/** `params`: what the reason names (value, field, row …), for saying it in the UI's language (domain/import/reasons.ts). */
export type CaseRejection = { row: number; code: CaseRejectCode; reason: string; params?: Record<string, string | number> };

/** What an import reads and how (the query string of the endpoint, the options of `npm run import:cases`). */
export type CaseImportSpec = {
  /** Name of the system the cases come from, e.g. `boston311`; with the source id it identifies a case. */
  source_system: string;
  /** Column (CSV) or property (GeoJSON) of each field. */
  map: CaseFieldMap;
  /** Source type → 5-digit matter class code (a 4-digit 2013 event code is mapped by docs/domain.md §2). */
  type_map: Readonly<Record<string, string>>;
  /** Extra channel words, e.g. { 'City Worker App': 'inspector' }, on top of the built-in ones. */
  channel_values?: Readonly<Record<string, Channel>>;
  /** Extra status words, e.g. { 'Resolved - Duplicate': 'closed' }. */
  status_values?: Readonly<Record<string, SourceState>>;
  /** Channel of rows whose channel field is empty (or of all rows when none is mapped); `other` by default. */
  default_channel?: Channel;
  /** IANA zone (or fixed offset +08:00) of the source's local times; UTC by default. */
  time_zone?: string;
  crs?: Crs;
};

// ---------------------------------------------------------------------------------------------------------------
// Words

const CHANNEL_WORDS = wordMap<Channel>({
  inspector: ['inspector', 'inspectors', 'patrol', 'city worker', 'employee', 'staff', '监督员', '监督员上报', '巡查', '巡查上报', '网格员'],
  public: ['public', 'citizen', 'resident', 'app', 'web', 'website', 'online', 'self service', 'social media', '公众', '公众上报', '市民', '群众', '微信', '网站'],
  hotline: ['hotline', 'phone', 'call', 'telephone', '12345', '12319', '热线', '电话', '热线电话'],
  media: ['media', 'press', 'news', '媒体', '媒体曝光'],
  video: ['video', 'camera', 'cctv', '视频', '视频监控', '视频发现'],
  leader: ['leader', 'leadership', '领导', '领导批示'],
  other: ['other', 'others', 'system', 'integration', '其他', '其它'],
});

const STATUS_WORDS = wordMap<SourceState>({
  open: ['open', 'opened', 'new', 'pending', 'in progress', 'assigned', 'active', 'ongoing', 'unresolved', '未结案', '处置中', '办理中', '待处置', '已派遣'],
  closed: ['closed', 'close', 'resolved', 'completed', 'complete', 'done', 'finished', '结案', '已结案', '办结', '已办结', '已关闭'],
});

function wordMap<T extends string>(groups: Record<T, string[]>): Map<string, T> {
  const m = new Map<string, T>();
  for (const [value, words] of Object.entries(groups) as [T, string[]][]) for (const w of words) m.set(vocabularyKey(w), value);
  for (const v of Object.keys(groups) as T[]) m.set(vocabularyKey(v), v);
  return m;
}

/**
 * Parses a mapping (type → class code, channel words, status words) given inline or read from a file:
 * a JSON object (`{"Street Light Outages": "01037"}`), CSV text with a header whose first two columns are the
 * key and the value (more columns, e.g. a note, are ignored), or `KEY=VALUE,KEY=VALUE` (use JSON or CSV when a
 * key contains a comma or "=").
 * @throws DomainError bad_request naming `what` when the text is none of these or a value is empty
 */
export function parseValueMap(text: string, what: string): Record<string, string> {
  const t = text.replace(/^\uFEFF/, '').trim();
  const out: Record<string, string> = {};
  const put = (k: unknown, v: unknown, where: string) => {
    const key = typeof k === 'string' ? k.trim() : '';
    const value = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
    if (!key || !value) throw new DomainError('bad_request', `${what}: ${where} needs a key and a value`, { field: what });
    out[key] = value;
  };
  if (t.startsWith('{')) {
    let o: unknown;
    try {
      o = JSON.parse(t);
    } catch (e) {
      throw new DomainError('bad_request', `${what}: not valid JSON (${(e as Error).message})`, { field: what });
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw new DomainError('bad_request', `${what}: JSON must be an object of key → value`, { field: what });
    for (const [k, v] of Object.entries(o)) put(k, v, `"${k}"`);
    return out;
  }
  if (/[\r\n]/.test(t)) {
    const lines = parseCsv(t);
    if (lines.length === 0 || lines[0].length < 2) throw new DomainError('bad_request', `${what}: CSV needs a header with two columns (key, value)`, { field: what });
    lines.slice(1).forEach((fields, i) => {
      if (fields.length === 1 && fields[0].trim() === '') return;
      put(fields[0], fields[1], `CSV line ${i + 2}`);
    });
    return out;
  }
  for (const part of t.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    if (eq < 0) throw new DomainError('bad_request', `${what}: "${part}" must be KEY=VALUE`, { field: what });
    put(part.slice(0, eq), part.slice(eq + 1), `"${part}"`);
  }
  return out;
}

/** Channel words (parseValueMap output) checked against CHANNELS. @throws DomainError bad_request */
export function channelValues(raw: Readonly<Record<string, string>>): Record<string, Channel> {
  const out: Record<string, Channel> = {};
  for (const [k, v] of Object.entries(raw)) {
    const c = v.trim().toLowerCase();
    if (!(CHANNELS as readonly string[]).includes(c)) {
      throw new DomainError('bad_request', `channel_values: "${k}=${v}": the channel must be one of ${CHANNELS.join(', ')}`, { field: 'channel_values' });
    }
    out[k] = c as Channel;
  }
  return out;
}

/** Status words checked against open/closed. @throws DomainError bad_request */
export function statusValues(raw: Readonly<Record<string, string>>): Record<string, SourceState> {
  const out: Record<string, SourceState> = {};
  for (const [k, v] of Object.entries(raw)) {
    const s = v.trim().toLowerCase();
    if (s !== 'open' && s !== 'closed') throw new DomainError('bad_request', `status_values: "${k}=${v}": the status must be open or closed`, { field: 'status_values' });
    out[k] = s;
  }
  return out;
}

/**
 * Parses `source_id=CASE_ID,type=TYPE,opened=OPEN_DT,…` into a CaseFieldMap.
 * @throws DomainError bad_request for an unknown field or a missing column name
 */
export function parseCaseFieldMap(text: string): CaseFieldMap {
  const out: CaseFieldMap = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const column = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!(CASE_IMPORT_FIELDS as readonly string[]).includes(key)) {
      throw new DomainError('bad_request', `map: unknown field "${key}"; the fields are ${CASE_IMPORT_FIELDS.join(', ')}`, { field: 'map' });
    }
    if (!column) throw new DomainError('bad_request', `map: "${key}" needs a column or property name, as in ${key}=NAME`, { field: 'map' });
    out[key as CaseImportField] = column;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Times

/** A date-time reader for one source time zone; memoised (exports repeat the same deadlines thousands of times). */
export class TimeReader {
  private readonly cal;
  private readonly cache = new Map<string, Date | null>();

  /** @throws DomainError bad_request for a zone that is neither IANA nor ±HH:MM */
  constructor(readonly time_zone = 'UTC') {
    try {
      this.cal = buildCalendar([], { id: 'source', time_zone });
    } catch {
      throw new DomainError('bad_request', `time_zone "${time_zone}" is neither an IANA zone (America/New_York, Asia/Shanghai) nor an offset like +08:00`, { field: 'time_zone' });
    }
  }

  /**
   * A time value → instant. Accepts `YYYY-MM-DD[ T]HH:MM[:SS[.fff]]` (also with / or .), `YYYY-MM-DD`
   * (midnight), `MM/DD/YYYY hh:mm[:ss] AM/PM` and `MM/DD/YYYY HH:MM[:SS]`, `YYYY年M月D日 HH:MM[:SS]`, any of
   * those followed by `Z` or `±HH:MM` (absolute), and epoch milliseconds (10+ digits, or a JSON number).
   * Null for an empty value; undefined when it is not a time.
   * @example new TimeReader('America/New_York').read('01/01/2015 12:25:23 AM') // 2015-01-01T05:25:23.000Z
   */
  read(v: unknown): Date | null | undefined {
    if (v === null || v === undefined) return null;
    if (typeof v === 'number') return Number.isFinite(v) && Math.abs(v) >= 1e9 ? new Date(v) : undefined;
    if (typeof v !== 'string') return undefined;
    const s = v.trim();
    if (s === '') return null;
    let d = this.cache.get(s);
    if (d === undefined && !this.cache.has(s)) {
      if (this.cache.size > 50_000) this.cache.clear();
      d = this.parse(s);
      this.cache.set(s, d);
    }
    return d ?? undefined;
  }

  private parse(s: string): Date | null {
    if (/^-?\d{10,}$/.test(s)) return new Date(Number(s));
    let y: number, mo: number, d: number;
    let rest: string;
    let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(.*)$/.exec(s) ?? /^(\d{4})年(\d{1,2})月(\d{1,2})日?(.*)$/.exec(s);
    if (m) {
      [y, mo, d, rest] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4]];
    } else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(.*)$/.exec(s))) {
      [mo, d, y, rest] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4]];
    } else return null;
    if (!validDate(y, mo, d)) return null;
    const t = /^(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*([AaPp][Mm])?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(rest);
    if (!t) return null;
    let hh = t[1] === undefined ? 0 : Number(t[1]);
    const mm = t[2] === undefined ? 0 : Number(t[2]);
    const ss = t[3] === undefined ? 0 : Number(t[3]);
    const ms = t[4] === undefined ? 0 : Math.round(Number(`0.${t[4]}`) * 1000);
    if (t[5]) {
      if (hh < 1 || hh > 12) return null;
      const pm = t[5].toLowerCase() === 'pm';
      hh = (hh % 12) + (pm ? 12 : 0);
    }
    if (hh > 23 || mm > 59 || ss > 59) return null;
    const date = `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const clock = `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
    if (t[6]) {
      const zone = t[6] === 'Z' ? 'Z' : `${t[6].slice(0, 3)}:${t[6].slice(-2)}`;
      const at = new Date(`${date}T${clock}.${String(ms).padStart(3, '0')}${zone}`);
      return Number.isNaN(at.getTime()) ? null : at;
    }
    return new Date(localTime(this.cal, `${date} ${clock}`).getTime() + ms);
  }
}

function validDate(y: number, m: number, d: number): boolean {
  if (!(y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

// ---------------------------------------------------------------------------------------------------------------
// Rows

/** A valid row, ready to be located and written. */
export type CaseRow = {
  row: number;
  source_id: string;
  /** The source's own type, kept as cases.source_type. */
  source_type: string;
  class_code: string;
  kind: 'component_anomaly' | 'event';
  lon: number;
  lat: number;
  opened_at: Date;
  /** = opened_at when the source has no dispatch time. */
  dispatched_at: Date;
  target_at: Date | null;
  closed_at: Date | null;
  state: SourceState;
  department: string | null;
  channel: Channel;
  description: string | null;
  address: string | null;
  closure: string | null;
};

export type CaseRowResult = { ok: true; row: CaseRow } | { ok: false; rejection: CaseRejection };

const MAX_SOURCE_ID = 200;
const MAX_DESCRIPTION = 2000;
const MAX_ADDRESS = 256;
const MAX_NOTE = 2000;
const MAX_DEPARTMENT = 200;
const LON_NAMES = ['lon', 'lng', 'long', 'longitude', 'x'];
const LAT_NAMES = ['lat', 'latitude', 'y'];

/** Matter classes of components (01–05) are component anomalies, the rest events (cases' check constraint). */
export function kindOfClass(code: string): CaseRow['kind'] {
  const major = code.slice(0, 2);
  return major >= '01' && major <= '05' ? 'component_anomaly' : 'event';
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = typeof v === 'string' ? v.trim() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s === '' ? null : s;
}

function clip(s: string | null, max: number): string | null {
  return s === null || s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

/**
 * Turns input rows into CaseRows or rejections, one at a time, remembering the source ids seen (duplicates in
 * one file: the first valid row wins). Checks run in a fixed order: source id, position, type, times, status,
 * channel, department, duplicate; the first failure is the row's reason.
 */
export class CaseRowReader {
  private readonly seen = new Map<string, number>();
  private readonly types = new Map<string, string>();
  private readonly channels: Map<string, Channel>;
  private readonly states: Map<string, SourceState>;
  private readonly times: TimeReader;
  private readonly defaultChannel: Channel;
  private csvIndex: { fields: [CaseImportField, number][]; lon: number; lat: number; width: number } | null = null;

  /**
   * @param matters the known matter class codes
   * @throws DomainError bad_request (a required field not mapped, a bad source system or zone) or unknown_class
   *   (type map values that are not matter classes, all named)
   */
  constructor(private readonly spec: CaseImportSpec, matters: ReadonlySet<string>, private readonly now: Date) {
    if (!/^[A-Za-z0-9][\w.:-]{0,63}$/.test(spec.source_system ?? '')) {
      throw new DomainError('bad_request', `source_system "${spec.source_system ?? ''}" must be 1–64 letters, digits or . _ : - (e.g. boston311)`, { field: 'source_system' });
    }
    const missing = REQUIRED_FIELDS.filter((f) => !spec.map[f]);
    if (missing.length) {
      throw new DomainError('bad_request', `map: give the column of ${missing.join(', ')} (as in map=source_id=ID,type=TYPE,opened=OPENED)`, { field: 'map', missing });
    }
    const bad: string[] = [];
    for (const [type, code] of Object.entries(spec.type_map)) {
      const m = mapClassCode('matter', code, matters);
      if (m.code === null) bad.push(`"${type}" → ${code} (${m.reason})`);
      else this.types.set(vocabularyKey(type), m.code);
    }
    if (bad.length) {
      throw new DomainError('unknown_class', `type_map: ${bad.length} type(s) map to no matter class of GB/T 47678.5-2026: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? '; …' : ''}. Fix the mapping (data/standard/matters.csv lists the classes)`, { field: 'type_map' });
    }
    if (this.types.size === 0) throw new DomainError('bad_request', 'type_map is empty: map each source type to a matter class code', { field: 'type_map' });
    this.channels = new Map(CHANNEL_WORDS);
    for (const [k, v] of Object.entries(spec.channel_values ?? {})) this.channels.set(vocabularyKey(k), v);
    this.states = new Map(STATUS_WORDS);
    for (const [k, v] of Object.entries(spec.status_values ?? {})) this.states.set(vocabularyKey(k), v);
    this.times = new TimeReader(spec.time_zone ?? 'UTC');
    const dc = spec.default_channel ?? 'other';
    if (!(CHANNELS as readonly string[]).includes(dc)) throw new DomainError('bad_request', `default_channel must be one of ${CHANNELS.join(', ')}`, { field: 'default_channel' });
    this.defaultChannel = dc;
  }

  /** The header record of a CSV input. @throws DomainError bad_request naming every mapped column that is missing */
  csvHeader(fields: string[]): void {
    const header = fields.map((h) => h.trim());
    const find = (name: string) => {
      const i = header.indexOf(name);
      return i >= 0 ? i : header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
    };
    const missing: string[] = [];
    const index: [CaseImportField, number][] = [];
    for (const [field, column] of Object.entries(this.spec.map) as [CaseImportField, string][]) {
      if (field === 'lon' || field === 'lat') continue;
      const i = find(column);
      if (i < 0) missing.push(`${field}=${column}`);
      else index.push([field, i]);
    }
    const coord = (field: 'lon' | 'lat', names: string[]) => {
      const given = this.spec.map[field];
      if (given) {
        const i = find(given);
        if (i < 0) missing.push(`${field}=${given}`);
        return i;
      }
      for (const n of names) {
        const i = find(n);
        if (i >= 0) return i;
      }
      missing.push(`${field} (no column named ${names.join('/')}; map it, as in ${field}=COLUMN)`);
      return -1;
    };
    const lon = coord('lon', LON_NAMES);
    const lat = coord('lat', LAT_NAMES);
    if (missing.length) {
      throw new DomainError('bad_request', `CSV: no column for ${missing.join(', ')}; the header has ${header.join(', ')}`, { field: 'map', missing });
    }
    this.csvIndex = { fields: index, lon, lat, width: header.length };
  }

  /** One CSV data record (call csvHeader first). */
  csvRecord(row: number, fields: string[]): CaseRowResult {
    const ix = this.csvIndex;
    if (!ix) throw new Error('csvHeader() must come first');
    if (fields.length !== ix.width) return reject(row, 'malformed_row', `row has ${fields.length} fields; the header has ${ix.width}`, { fields: fields.length, header: ix.width });
    const nul = nulInFields(fields);
    if (nul) return reject(row, 'malformed_row', nul);
    const raw: Partial<Record<CaseImportField, unknown>> = {};
    for (const [f, i] of ix.fields) raw[f] = fields[i];
    const lon = fields[ix.lon].trim();
    const lat = fields[ix.lat].trim();
    if (lon === '' && lat === '') return this.finish(row, raw, null);
    const x = Number(lon);
    const y = Number(lat);
    if (lon === '' || !Number.isFinite(x)) return this.finish(row, raw, { bad: `lon "${lon}" is not a number` });
    if (lat === '' || !Number.isFinite(y)) return this.finish(row, raw, { bad: `lat "${lat}" is not a number` });
    return this.finish(row, raw, this.point(x, y));
  }

  /** The JSON text of one element of a FeatureCollection's `features` (a Point geometry, or lon/lat properties). */
  feature(row: number, json: string): CaseRowResult {
    const parsed = parseFeature(json);
    if ('malformed' in parsed) return reject(row, 'malformed_row', parsed.malformed);
    const { feat, props } = parsed;
    const raw: Partial<Record<CaseImportField, unknown>> = {};
    for (const [field, name] of Object.entries(this.spec.map) as [CaseImportField, string][]) raw[field] = lookup(props, name);
    if (raw.source_id === undefined && this.spec.map.source_id === 'id') raw.source_id = feat.id;
    let place: Place | null = null;
    if (feat.geometry != null) {
      const g = checkGeometry(feat.geometry, this.spec.crs);
      if (!g.ok) place = { bad: g.reason, code: g.code === 'invalid_coordinates' || g.code === 'swapped_coordinates' ? 'invalid_coordinates' : 'unsupported_geometry' };
      else if (g.geom.type !== 'Point') place = { bad: `a case is a point; got a ${g.geom.type}`, code: 'unsupported_geometry' };
      else place = { x: g.geom.coordinates[0], y: g.geom.coordinates[1] };
    } else if (raw.lon != null && raw.lat != null && raw.lon !== '' && raw.lat !== '') {
      const x = Number(raw.lon);
      const y = Number(raw.lat);
      place = Number.isFinite(x) && Number.isFinite(y) ? this.point(x, y) : { bad: `lon/lat "${text(raw.lon)}", "${text(raw.lat)}" are not numbers` };
    }
    return this.finish(row, raw, place);
  }

  private point(x: number, y: number): Place {
    const g = checkGeometry({ type: 'Point', coordinates: [x, y] }, this.spec.crs);
    if (!g.ok) return { bad: g.reason };
    const [lon, lat] = (g.geom as { coordinates: [number, number] }).coordinates;
    return { x: lon, y: lat };
  }

  private finish(row: number, raw: Partial<Record<CaseImportField, unknown>>, place: Place | null): CaseRowResult {
    // Source id
    const rawId = raw.source_id;
    if (rawId !== null && rawId !== undefined && typeof rawId !== 'string' && typeof rawId !== 'number') {
      return reject(row, 'invalid_source_id', `source id in ${this.spec.map.source_id} must be a string or a number; got ${JSON.stringify(rawId)}`);
    }
    const source_id = text(rawId);
    if (source_id === null) return reject(row, 'missing_source_id', `no source id: ${this.spec.map.source_id} is empty`, { field: String(this.spec.map.source_id) });
    if (source_id.length > MAX_SOURCE_ID) return reject(row, 'invalid_source_id', `source id is longer than ${MAX_SOURCE_ID} characters`, { max: MAX_SOURCE_ID });
    // Position
    if (place === null) return reject(row, 'no_geometry', 'no position: lon and lat are empty (or the feature has no geometry)');
    if ('bad' in place) return reject(row, place.code ?? 'invalid_coordinates', place.bad);
    // Type
    const source_type = text(raw.type);
    if (source_type === null) return reject(row, 'missing_type', `no type: ${this.spec.map.type} is empty`, { field: String(this.spec.map.type) });
    const class_code = this.types.get(vocabularyKey(source_type));
    if (!class_code) {
      return reject(row, 'unknown_type', `type "${source_type}" has no class in the type map; add "${source_type}" with a matter class code (data/standard/matters.csv) to the mapping and import again`, { value: source_type });
    }
    // Times
    const times: Partial<Record<'opened' | 'dispatched' | 'target' | 'closed', Date | null>> = {};
    for (const k of ['opened', 'dispatched', 'target', 'closed'] as const) {
      if (!this.spec.map[k]) { times[k] = null; continue; }
      const v = raw[k];
      const t = this.times.read(typeof v === 'string' || typeof v === 'number' ? v : v == null ? null : String(v));
      if (t === undefined) {
        return reject(row, 'invalid_date', `${k} time "${text(v)}" is not a date-time (YYYY-MM-DD HH:MM:SS, MM/DD/YYYY hh:mm:ss AM/PM, ISO 8601 or epoch milliseconds)`, { field: k, value: String(text(v)) });
      }
      times[k] = t;
    }
    const opened = times.opened ?? null;
    if (!opened) return reject(row, 'missing_time', `no opened time: ${this.spec.map.opened} is empty`, { field: String(this.spec.map.opened) });
    const dispatched = times.dispatched ?? opened;
    const target = times.target ?? null;
    const closed = times.closed ?? null;
    for (const [name, t] of [['opened', opened], ['dispatched', dispatched], ['closed', closed]] as const) {
      if (t && t.getTime() > this.now.getTime()) return reject(row, 'time_in_future', `${name} time ${iso(t)} is in the future`, { field: name, value: iso(t) });
    }
    if (dispatched < opened) return reject(row, 'dispatched_before_opened', `dispatched ${iso(dispatched)} before it was opened ${iso(opened)}`, { value: iso(dispatched), opened: iso(opened) });
    if (target && target < opened) return reject(row, 'target_before_opened', `target (deadline) ${iso(target)} is before it was opened ${iso(opened)}`, { value: iso(target), opened: iso(opened) });
    if (closed && closed < opened) return reject(row, 'closed_before_opened', `closed ${iso(closed)} before it was opened ${iso(opened)}`, { value: iso(closed), opened: iso(opened) });
    if (closed && closed < dispatched) return reject(row, 'closed_before_dispatched', `closed ${iso(closed)} before it was dispatched ${iso(dispatched)}`, { value: iso(closed), dispatched: iso(dispatched) });
    // Status
    let state: SourceState = closed ? 'closed' : 'open';
    const rawStatus = text(raw.status);
    if (rawStatus !== null) {
      const s = this.states.get(vocabularyKey(rawStatus));
      if (!s) return reject(row, 'invalid_status', `unknown status "${rawStatus}": use open or closed, or add it to status_values (as in status_values=${rawStatus}=closed)`, { value: String(rawStatus) });
      if (s === 'closed' && !closed) return reject(row, 'inconsistent_status', `status "${rawStatus}" says closed, but the closed time is empty`, { value: String(rawStatus), status: 'closed' });
      if (s === 'open' && closed) return reject(row, 'inconsistent_status', `status "${rawStatus}" says open, but a closed time ${iso(closed)} is given`, { value: String(rawStatus), status: 'open' });
      state = s;
    }
    // Channel
    let channel = this.defaultChannel;
    const rawChannel = text(raw.channel);
    if (rawChannel !== null) {
      const c = this.channels.get(vocabularyKey(rawChannel));
      if (!c) return reject(row, 'invalid_channel', `unknown channel "${rawChannel}": add it to channel_values (as in channel_values=${rawChannel}=public; channels are ${CHANNELS.join(', ')})`, { value: String(rawChannel) });
      channel = c;
    }
    // Department
    const department = text(raw.department);
    if (department !== null && department.length > MAX_DEPARTMENT) return reject(row, 'invalid_department', `department name is longer than ${MAX_DEPARTMENT} characters`, { max: MAX_DEPARTMENT });
    // Duplicates last, so a bad first row does not block a good later one.
    const first = this.seen.get(source_id);
    if (first !== undefined) return reject(row, 'duplicate_source_id', `duplicate source id ${source_id} (first in row ${first})`, { value: source_id, first_row: first });
    this.seen.set(source_id, row);
    return {
      ok: true,
      row: {
        row, source_id, source_type: clip(source_type, 200)!, class_code, kind: kindOfClass(class_code), lon: place.x, lat: place.y,
        opened_at: opened, dispatched_at: dispatched, target_at: target, closed_at: closed, state, department, channel,
        description: clip(text(raw.description), MAX_DESCRIPTION), address: clip(text(raw.address), MAX_ADDRESS),
        closure: clip(text(raw.closure), MAX_NOTE),
      },
    };
  }
}

type Place = { x: number; y: number } | { bad: string; code?: CaseRejectCode };

function reject(row: number, code: CaseRejectCode, reason: string, params?: Record<string, string | number>): CaseRowResult {
  return { ok: false, rejection: params ? { row, code, reason, params } : { row, code, reason } };
}

// ---------------------------------------------------------------------------------------------------------------
// Row → case and trail

/** Where a row lies and who handles it, as planned by the database. */
export type CasePlace = {
  grid_code: string; community_code: string; street_code: string; district_code: string; responsibility_code: string | null;
  department_id: number | null;
};

/** Share of the handling time after which an open imported case shows yellow (domain/lights.ts's default). */
const YELLOW_SHARE = 0.8;

/** The columns of an imported case (db/cases.ts CASE_FIELDS names) that follow from the row: all but id, case_no, trail_head, version. */
export function importedCaseColumns(r: CaseRow, p: CasePlace, source_system: string, now: Date): Record<string, unknown> {
  const closed = r.state === 'closed';
  const late = closed && r.target_at !== null && r.closed_at!.getTime() > r.target_at.getTime();
  const yellow = r.target_at ? new Date(r.dispatched_at.getTime() + YELLOW_SHARE * (r.target_at.getTime() - r.dispatched_at.getTime())) : null;
  return {
    status: closed ? 'closed' : 'handling', source: r.channel, kind: r.kind, class_code: r.class_code, condition: null,
    component_id: null, description: r.description, address: r.address, lon: r.lon, lat: r.lat,
    district_code: p.district_code, street_code: p.street_code, community_code: p.community_code, grid_code: p.grid_code,
    responsibility_code: p.responsibility_code, reporter_id: null, reporter_name: null, reporter_phone: null,
    self_handled: false, urgent: false, department_id: p.department_id, suggested_department_id: null, suggestion_taken: null,
    pending_application: null, pending_extension_hours: null, verify_found: null, handled_late: late, urged: false,
    return_count: 0, rework_count: 0, urge_count: 0, extension_count: 0, extension_hours: 0, suspension_count: 0,
    suspended_at: null, closing_type: closed ? (late ? 'overdue' : 'normal') : null, void_reason: null,
    step: closed ? null : 'handling',
    step_started_at: closed ? null : r.dispatched_at,
    step_deadline_at: closed ? null : r.target_at,
    yellow_at: closed ? null : yellow,
    red_at: closed ? null : r.target_at,
    handling_started_at: r.dispatched_at, handling_deadline_at: r.target_at, overdue_after: r.target_at,
    filed_at: r.opened_at, dispatched_at: r.dispatched_at, closed_at: closed ? r.closed_at : null, merged_into: null,
    created_at: r.opened_at, updated_at: now,
    origin: 'imported', source_system, source_id: r.source_id, source_type: r.source_type,
  };
}

/** Trail entries without case_id, seq and hashes (the service chains them). */
export type DraftEntry = Omit<TrailEntry, 'case_id' | 'seq'>;

const mark = (source_system: string, source_id: string) => ({ imported: true, source_system, source_id });

/** The entries of a new imported case: report, dispatch, and for a closed one feedback and close. */
export function importedTrail(r: CaseRow, p: CasePlace, source_system: string): DraftEntry[] {
  const m = mark(source_system, r.source_id);
  const entries: DraftEntry[] = [
    {
      at: r.opened_at, actor: null, role: 'system', action: 'report', from_status: null, to_status: 'pending_dispatch',
      note: r.description, deadline_at: null,
      data: { ...m, source: r.channel, source_type: r.source_type, class_code: r.class_code, grid_code: p.grid_code },
    },
    {
      at: r.dispatched_at, actor: null, role: 'system', action: 'dispatch', from_status: 'pending_dispatch', to_status: 'handling',
      deadline_at: r.target_at, data: { ...m, department_id: p.department_id, department: r.department },
    },
  ];
  if (r.state === 'closed') entries.push(...closingEntries(r, p, source_system));
  return entries;
}

function closingEntries(r: CaseRow, p: CasePlace, source_system: string): DraftEntry[] {
  const m = mark(source_system, r.source_id);
  const late = r.target_at !== null && r.closed_at!.getTime() > r.target_at.getTime();
  return [
    { at: r.closed_at!, actor: null, role: 'system', action: 'feedback', from_status: 'handling', to_status: 'pending_check',
      deadline_at: null, data: { ...m, department_id: p.department_id } },
    { at: r.closed_at!, actor: null, role: 'system', action: 'close', from_status: 'pending_check', to_status: 'closed',
      note: r.closure, deadline_at: null, data: { ...m, closing_type: late ? 'overdue' : 'normal' } },
  ];
}

/** What the database holds of an imported case, for a re-import to compare with. */
export type ImportedSnapshot = {
  id: string; version: number; status: string; source: string; class_code: string; description: string | null;
  address: string | null; lon: number; lat: number; district_code: string; grid_code: string; department_id: number | null; source_type: string | null;
  created_at: Date; dispatched_at: Date | null; handling_deadline_at: Date | null; closed_at: Date | null;
  /** Time of the last trail entry: appended entries never go back before it. */
  last_at: Date;
};

export type ReimportDecision =
  | { kind: 'unchanged' }
  | { kind: 'rejected'; rejection: CaseRejection }
  | { kind: 'update'; columns: Record<string, unknown>; entries: DraftEntry[] };

const same = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime());
const show = (d: Date | null) => (d ? iso(d) : 'none');

/**
 * What a re-import of `r` does to the case it imported before (see the header for the rules).
 * @param now the import's time: `import_update` entries are stamped with it (never before the last entry)
 */
export function reimport(e: ImportedSnapshot, r: CaseRow, p: CasePlace, source_system: string, now: Date): ReimportDecision {
  const conflict = (what: string): ReimportDecision => ({
    kind: 'rejected',
    rejection: {
      row: r.row, code: 'history_changed',
      reason: `source id ${r.source_id} is case history already imported: ${what}. A trail is append-only, so the row was not applied; import corrected history under another source_system if it must replace this`,
      params: { value: r.source_id },
    },
  });
  const wasClosed = e.status === 'closed' || e.status === 'void';
  if (!same(e.created_at, r.opened_at)) return conflict(`opened ${show(e.created_at)} in Gridline, ${show(r.opened_at)} in the file`);
  // A case stays in its district: its trail and facts carry the district (their key to the case, migrations/0064),
  // and on Citus the district is where its rows live (issue 12).
  if (e.district_code !== p.district_code) return conflict(`in district ${e.district_code} in Gridline, in district ${p.district_code} by the file's point (a case never moves to another district)`);
  if (!same(e.dispatched_at, r.dispatched_at)) return conflict(`dispatched ${show(e.dispatched_at)} in Gridline, ${show(r.dispatched_at)} in the file`);
  if (!same(e.handling_deadline_at, r.target_at)) return conflict(`target ${show(e.handling_deadline_at)} in Gridline, ${show(r.target_at)} in the file`);
  if (e.department_id !== p.department_id) return conflict(`department ${e.department_id ?? 'none'} in Gridline, "${r.department ?? ''}" (${p.department_id ?? 'none'}) in the file`);
  if (wasClosed && r.state === 'open') return conflict(`${e.status} in Gridline since ${show(e.closed_at)}, open in the file (a closed case is not reopened by an import)`);
  if (wasClosed && !same(e.closed_at, r.closed_at)) return conflict(`closed ${show(e.closed_at)} in Gridline, ${show(r.closed_at)} in the file`);
  const closing = !wasClosed && r.state === 'closed';
  if (closing && e.status !== 'handling') {
    return conflict(`the case has moved on in Gridline (status ${e.status}); the file's closing at ${show(r.closed_at)} was not applied: close it in Gridline`);
  }

  const changes: Record<string, [unknown, unknown]> = {};
  const diff = (k: string, a: unknown, b: unknown) => { if (a !== b) changes[k] = [a, b]; };
  diff('class_code', e.class_code, r.class_code);
  diff('source_type', e.source_type, r.source_type);
  diff('source', e.source, r.channel);
  diff('description', e.description, r.description);
  diff('address', e.address, r.address);
  if (e.lon !== r.lon || e.lat !== r.lat) changes.position = [[e.lon, e.lat], [r.lon, r.lat]];
  diff('grid_code', e.grid_code, p.grid_code);
  if (!closing && Object.keys(changes).length === 0) return { kind: 'unchanged' };

  // The source's closing first (its own time), then the record edit (stamped with the import's time).
  const entries: DraftEntry[] = closing ? closingEntries(r, p, source_system) : [];
  const status = closing ? 'closed' : e.status;
  if (Object.keys(changes).length) {
    const at = new Date(Math.max(now.getTime(), e.last_at.getTime()));
    entries.push({
      at, actor: null, role: 'system', action: 'import_update', from_status: status, to_status: status, deadline_at: null,
      data: { ...mark(source_system, r.source_id), changes },
    });
  }
  const all = importedCaseColumns(r, p, source_system, now);
  const keep = closing ? [...DESCRIPTIVE_COLUMNS, ...CLOSING_COLUMNS] : DESCRIPTIVE_COLUMNS;
  const columns: Record<string, unknown> = {};
  for (const k of keep) columns[k] = all[k];
  return { kind: 'update', columns, entries };
}

/** Columns a re-import may change on any imported case: what the source describes, not what happened to it. */
export const DESCRIPTIVE_COLUMNS = [
  'source', 'kind', 'class_code', 'description', 'address', 'lon', 'lat', 'district_code', 'street_code', 'community_code',
  'grid_code', 'responsibility_code', 'source_type', 'updated_at',
] as const;

/** Columns a re-import sets when the source closed an open case. */
export const CLOSING_COLUMNS = [
  'status', 'handled_late', 'closing_type', 'closed_at', 'step', 'step_started_at', 'step_deadline_at', 'yellow_at', 'red_at',
] as const;
