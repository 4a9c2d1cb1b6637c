// Open311 GeoReport v2 (issue 11 §Open311): classes → services, cases → service requests, trail entries → mySociety
// request updates, the spec's input rules (dates, ids, windows, description length) and the XML form of every answer.
// Pure: no I/O and no clock (the caller passes `now`).
import { DomainError } from './errors.js';
import type { CaseStatus } from './workflow.js';

/** The limits the spec and the issue set. */
export const OPEN311_LIMITS = {
  description_chars: 4000,
  window_days: 90,
  max_items: 1000,
  max_ids: 100,
  max_attributes: 50,
  attribute_chars: 1000,
  media_url_chars: 2000,
} as const;

// ---- services ----

/** A standard matter class as the service list needs it (db/classes.ts ClassView). */
export type ServiceClass = {
  code: string; major_code: string; major_name_zh: string; major_name_en: string; name_zh: string; name_en: string;
  matter_kind: 'component_anomaly' | 'event' | null;
};

export type Open311Service = {
  service_code: string; service_name: string; description: string; metadata: boolean;
  type: 'realtime'; keywords: string; group: string;
};

export type Open311Attribute = {
  variable: boolean; code: string; datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean; datatype_description: string; order: number; description: string;
  values: { key: string; name: string }[];
};

export type Open311ServiceDefinition = { service_code: string; attributes: Open311Attribute[] };

/** The attribute a component class needs: which component (部件) is broken. */
export const COMPONENT_ATTRIBUTE: Open311Attribute = {
  variable: true, code: 'component_id', datatype: 'string', required: false,
  datatype_description: '17 digits: the component identifier (部件标识码) printed on the component or shown on the map',
  order: 1, description: '部件标识码 Component identifier (optional)', values: [],
};

/**
 * A matter class as an Open311 service: the code is the 5-digit class code, `group` the major class; the anomaly of a
 * component class (majors 01–05) has metadata: its definition asks for the component id.
 * @example serviceOf({ code: '06010', major_name_zh: '市容环境类', name_zh: '暴露垃圾', … }).service_code // '06010'
 */
export function serviceOf(c: ServiceClass): Open311Service {
  return {
    service_code: c.code,
    service_name: c.name_zh,
    description: `${c.name_zh} — ${c.name_en}`,
    metadata: c.matter_kind === 'component_anomaly',
    type: 'realtime',
    keywords: [c.major_name_zh, c.major_name_en, c.name_en].join(','),
    group: c.major_name_zh,
  };
}

/** The service definition of a class: the component id for a component class, no attributes for an event. */
export function definitionOf(c: ServiceClass): Open311ServiceDefinition {
  return { service_code: c.code, attributes: c.matter_kind === 'component_anomaly' ? [COMPONENT_ATTRIBUTE] : [] };
}

// ---- requests ----

/** What a GET answer shows of a case: never the reporter's name, phone or e-mail. */
export type RequestSource = {
  case_no: string; status: CaseStatus; class_code: string; class_name: string | null; description: string | null;
  department_name: string | null; created_at: Date; updated_at: Date; deadline_at: Date | null;
  address: string | null; lon: number; lat: number; media_url: string | null; district_code: string;
  pending_application: string | null; closing_type: string | null; merged: boolean;
};

export type Open311Request = {
  service_request_id: string; status: 'open' | 'closed'; status_notes: string; detailed_status: CaseStatus;
  service_name: string | null; service_code: string; description: string | null; agency_responsible: string | null;
  service_notice: string | null; requested_datetime: string; updated_datetime: string; expected_datetime: string | null;
  address: string | null; address_id: string | null; zipcode: string | null; lat: number; long: number; media_url: string | null;
  jurisdiction_id: string;
};

/** The spec knows only open and closed; void (rejected, merged) and closed cases are closed. */
export const openOrClosed = (s: CaseStatus): 'open' | 'closed' => (s === 'closed' || s === 'void' ? 'closed' : 'open');

/** The richer state, for people: `status_notes` (English, then the zh term). */
const STATUS_NOTES: Record<CaseStatus, string> = {
  pending_acceptance: 'Received; waiting to be verified and accepted (待受理)',
  verifying: 'An inspector is verifying the report on site (核实中)',
  pending_filing: 'Accepted; waiting to be filed (待立案)',
  pending_dispatch: 'Filed; waiting to be dispatched to a department (待派遣)',
  handling: 'A department is handling it (处置中)',
  suspended: 'Suspended until a condition is met (挂账)',
  pending_check: 'Reported fixed; waiting for an inspector to check (待核查)',
  checking: 'An inspector is checking the fix on site (核查中)',
  pending_closing: 'Fix confirmed; waiting to be closed (待结案)',
  closed: 'Closed: the problem was dealt with (已结案)',
  void: 'Closed without action: not accepted or not found (已作废)',
  pending_review: 'Reported as handled on site; waiting for review (待审核)',
};

export function statusNotes(s: Pick<RequestSource, 'status' | 'merged' | 'pending_application'>): string {
  if (s.merged) return 'Closed as a duplicate of another report (已合并)';
  const base = STATUS_NOTES[s.status];
  return s.pending_application ? `${base}; the department applied for ${s.pending_application === 'return' ? 'a return' : `an ${s.pending_application}`}` : base;
}

/**
 * A case as a GeoReport v2 service request; `jurisdiction_id` is the district code.
 * @example requestOf(row).status // 'open' while the case is being handled
 */
export function requestOf(r: RequestSource): Open311Request {
  return {
    service_request_id: r.case_no,
    status: openOrClosed(r.status),
    status_notes: statusNotes(r),
    detailed_status: r.status,
    service_name: r.class_name,
    service_code: r.class_code,
    description: r.description,
    agency_responsible: r.department_name,
    service_notice: null,
    requested_datetime: r.created_at.toISOString(),
    updated_datetime: r.updated_at.toISOString(),
    expected_datetime: r.deadline_at && openOrClosed(r.status) === 'open' ? r.deadline_at.toISOString() : null,
    address: r.address,
    address_id: null,
    zipcode: null,
    lat: r.lat,
    long: r.lon,
    media_url: r.media_url,
    jurisdiction_id: r.district_code,
  };
}

// ---- updates (mySociety's servicerequestupdates) ----

/** The states of mySociety's extension (FixMyStreet "Open311 FMS – Additional states"). */
export type UpdateStatus = 'OPEN' | 'INVESTIGATING' | 'ACTION_SCHEDULED' | 'IN_PROGRESS' | 'FIXED' | 'CLOSED'
  | 'DUPLICATE' | 'NO_FURTHER_ACTION';

export type UpdateSource = { id: number; case_no: string; at: Date; action: string; to_status: CaseStatus };

export type Open311Update = {
  update_id: string; service_request_id: string; status: UpdateStatus; updated_datetime: string;
  description: string; media_url: string | null; external_status_code: CaseStatus;
};

const UPDATE_STATUS: Record<CaseStatus, UpdateStatus> = {
  pending_acceptance: 'OPEN', pending_review: 'OPEN', verifying: 'INVESTIGATING',
  pending_filing: 'ACTION_SCHEDULED', pending_dispatch: 'ACTION_SCHEDULED',
  handling: 'IN_PROGRESS', suspended: 'IN_PROGRESS', pending_check: 'IN_PROGRESS', checking: 'IN_PROGRESS', pending_closing: 'IN_PROGRESS',
  closed: 'FIXED', void: 'NO_FURTHER_ACTION',
};

/**
 * One trail entry as a request update. The description is the public meaning of the new state, never the trail's
 * note (an internal remark may name people).
 */
export function updateOf(u: UpdateSource): Open311Update {
  const merged = u.action === 'merge';
  return {
    update_id: String(u.id),
    service_request_id: u.case_no,
    status: merged ? 'DUPLICATE' : UPDATE_STATUS[u.to_status],
    updated_datetime: u.at.toISOString(),
    description: statusNotes({ status: u.to_status, merged, pending_application: null }),
    media_url: null,
    external_status_code: u.to_status,
  };
}

// ---- input rules ----

/** W3C date-time with a time zone (Z or ±HH:MM), with or without fractional seconds. */
const W3C_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A spec date: ISO 8601 with its time zone; a time without one is refused (its instant would be a guess).
 * @example parseDate('2026-12-01T08:00:00+08:00', 'start_date').toISOString() // '2026-12-01T00:00:00.000Z'
 */
export function parseDate(s: string, field: string): Date {
  const m = W3C_DATETIME.exec(s);
  const d = m ? new Date(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) : null;
  if (!m || !d || Number.isNaN(d.getTime()) || Number(m[1]) < 1970 || Number(m[1]) > 2999 || Number(m[2]) > 12 || Number(m[3]) > 31 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) {
    throw new DomainError('bad_request', `${field} "${s}" is not a date-time with a time zone (years 1970–2999); write it like 2026-12-01T08:00:00+08:00 or 2026-12-01T00:00:00Z`, { [field]: 'date-time with a time zone' });
  }
  return d;
}

const DAY_MS = 86_400_000;

/**
 * The date window of a list: at most 90 days; one end alone reaches 90 days the other way; neither: the last 90 days.
 * @throws DomainError bad_request when end < start or the window is longer than 90 days
 */
export function dateWindow(start: string | undefined, end: string | undefined, now: Date): { from: Date; to: Date } {
  const max = OPEN311_LIMITS.window_days * DAY_MS;
  const from0 = start === undefined ? null : parseDate(start, 'start_date');
  const to0 = end === undefined ? null : parseDate(end, 'end_date');
  const to = to0 ?? (from0 ? new Date(from0.getTime() + max) : now);
  const from = from0 ?? new Date(to.getTime() - max);
  if (to < from) throw new DomainError('bad_request', 'end_date is before start_date; swap them', { end_date: 'before start_date' });
  if (to.getTime() - from.getTime() > max) {
    throw new DomainError('bad_request', `The window from start_date to end_date is longer than ${OPEN311_LIMITS.window_days} days; ask for a shorter one`, { end_date: `at most ${OPEN311_LIMITS.window_days} days after start_date` });
  }
  return { from, to };
}

/** A comma list (service_request_id=a,b; service_code; status): trimmed, empty items dropped, duplicates once. */
export function commaList(s: string | undefined, field: string, max: number, pattern: RegExp, hint: string): string[] | null {
  if (s === undefined) return null;
  const xs = [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))];
  if (xs.length > max) throw new DomainError('bad_request', `${field} lists ${xs.length} values; ask for at most ${max} at once`, { [field]: `at most ${max}` });
  const bad = xs.filter((x) => !pattern.test(x));
  if (bad.length) throw new DomainError('bad_request', `${field} "${bad[0]}" is not ${hint}`, { [field]: hint });
  return xs.length ? xs : null;
}

/** A case number as a service_request_id. */
export const REQUEST_ID = /^[0-9A-Za-z-]{1,40}$/;
export const SERVICE_CODE = /^[0-9]{5}$/;
export const TOKEN = /^[0-9a-f]{32}$/;

/** What a POST requests body (form fields, after empty ones are dropped) says, checked. */
export type Open311Post = {
  api_key: string; service_code: string; lat: number | null; long: number | null; address_string: string | null;
  address_id: string | null; description: string | null; media_url: string | null; jurisdiction_id: string | null;
  email: string | null; first_name: string | null; last_name: string | null; phone: string | null;
  device_id: string | null; account_id: string | null; attributes: Record<string, string>;
};

const POST_FIELDS = new Set(['api_key', 'jurisdiction_id', 'service_code', 'lat', 'long', 'address_string', 'address_id',
  'email', 'device_id', 'account_id', 'first_name', 'last_name', 'phone', 'description', 'media_url']);
const ATTRIBUTE_KEY = /^attribute\[([A-Za-z0-9_.-]{1,64})\]$/;
const FILE_FIELD = /^(media|photo[1-9])$/;

const bad = (field: string, message: string) => new DomainError('bad_request', `${field}: ${message}`, { [field]: message });

/**
 * Reads a POST requests body: `fields` as parsed from the form (an empty value is an absent one; upload parts are not
 * here). Refuses an unknown field, a missing service_code or api_key, a location that is neither lat/long nor
 * address_string, a description over 4,000 characters, and a media_url that is not http(s).
 */
export function parsePost(fields: Record<string, unknown>): Open311Post {
  const f: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const [k, given] of Object.entries(fields)) {
    const v = typeof given === 'number' && Number.isFinite(given) ? String(given) : given; // a JSON body's lat/long
    if (v === undefined || v === null || v === '') continue;
    if (FILE_FIELD.test(k)) continue; // a file part's name sent as text: ignored, like an empty file
    if (typeof v !== 'string') throw bad(k, 'must be text (send the form as application/x-www-form-urlencoded or multipart/form-data)');
    const a = ATTRIBUTE_KEY.exec(k);
    if (a) {
      if (v.length > OPEN311_LIMITS.attribute_chars) throw bad(k, `is longer than ${OPEN311_LIMITS.attribute_chars} characters`);
      attributes[a[1]] = v;
      continue;
    }
    if (!POST_FIELDS.has(k)) throw bad(k, `is not a field of POST requests; use ${[...POST_FIELDS].join(', ')} or attribute[code]`);
    f[k] = v;
  }
  if (Object.keys(attributes).length > OPEN311_LIMITS.max_attributes) throw bad('attribute', `at most ${OPEN311_LIMITS.max_attributes} attributes`);
  if (!f.api_key) throw new DomainError('forbidden', 'api_key is missing: ask the city for an API key of your system and send it as api_key');
  if (!f.service_code) throw bad('service_code', 'is required; pick one from services.json');
  if (!SERVICE_CODE.test(f.service_code)) throw bad('service_code', `"${f.service_code}" is not a service code (5 digits, from services.json)`);
  const num = (k: 'lat' | 'long', min: number, max: number) => {
    if (f[k] === undefined) return null;
    const n = Number(f[k]);
    if (!/^\s*-?\d+(\.\d+)?\s*$/.test(f[k]) || !(n >= min && n <= max)) throw bad(k, `"${f[k]}" is not a number from ${min} to ${max} (WGS84 degrees)`);
    return n;
  };
  const lat = num('lat', -90, 90);
  const long = num('long', -180, 180);
  if ((lat === null) !== (long === null)) throw bad(lat === null ? 'lat' : 'long', 'lat and long go together; send both');
  // The spec allows address_string instead of a point: the server then finds it among the district's named places
  // (services/open311.ts, geocodeOf below); address_id alone names no place this server knows.
  if (lat === null && !f.address_string) throw bad('lat', 'send lat and long (WGS84 degrees), or address_string with a street address or place name of the district');
  const limit = (k: string, n: number) => { if (f[k] !== undefined && f[k].length > n) throw bad(k, `is longer than ${n} characters; shorten it`); };
  limit('description', OPEN311_LIMITS.description_chars);
  limit('address_string', 256); limit('address_id', 200); limit('email', 254); limit('first_name', 50); limit('last_name', 50);
  limit('device_id', 200); limit('account_id', 200); limit('api_key', 200); limit('jurisdiction_id', 40);
  limit('media_url', OPEN311_LIMITS.media_url_chars);
  if (f.phone !== undefined && !/^[0-9+ ()-]{1,30}$/.test(f.phone)) throw bad('phone', 'is not a phone number (digits, spaces, + ( ) -; at most 30)');
  if (f.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(f.email)) throw bad('email', `"${f.email}" is not an e-mail address`);
  if (f.media_url !== undefined) {
    let ok = false;
    try { ok = ['http:', 'https:'].includes(new URL(f.media_url).protocol); } catch { ok = false; }
    if (!ok) throw bad('media_url', 'is not an http(s) URL');
  }
  if (attributes.component_id !== undefined && !/^[0-9]{17}$/.test(attributes.component_id)) {
    throw bad('attribute[component_id]', `"${attributes.component_id}" is not a component identifier (17 digits)`);
  }
  const o = (k: string) => f[k] ?? null;
  return {
    api_key: f.api_key, service_code: f.service_code, lat, long, address_string: o('address_string'), address_id: o('address_id'),
    description: o('description'), media_url: o('media_url'), jurisdiction_id: o('jurisdiction_id'), email: o('email'),
    first_name: o('first_name'), last_name: o('last_name'), phone: o('phone'), device_id: o('device_id'),
    account_id: o('account_id'), attributes,
  };
}

/**
 * The point of an address_string among the district's named places found for it (db/places.ts search: names
 * containing the text, those starting with it first): the one whose name is the text (letter case and spaces aside),
 * or the only one found. None, or several with none exactly it, is the spec's 400 naming the candidates.
 * @example geocodeOf('东四北大街', [{ name: '东四北大街', kind: 'road', lon: 116.41, lat: 39.93 }]) // → { lon: 116.41, lat: 39.93, name: '东四北大街' }
 */
export function geocodeOf(address: string, found: readonly { name: string; lon: number; lat: number }[]): { lon: number; lat: number; name: string } {
  const norm = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const exact = found.filter((f) => norm(f.name) === norm(address));
  const pick = exact.length === 1 ? exact[0] : found.length === 1 ? found[0] : null;
  if (pick) return { lon: pick.lon, lat: pick.lat, name: pick.name };
  if (!found.length) {
    throw bad('address_string', `"${address}" matches no street, lane, doorplate or place of the district; send lat and long, or the name as it is signposted`);
  }
  const names = found.slice(0, 5).map((f) => `"${f.name}"`).join(', ');
  throw bad('address_string', `"${address}" is ambiguous: it matches ${found.length > 5 ? `${found.length}+ places, e.g.` : ''} ${names}; send one of them exactly, or lat and long`);
}

/** The client's own id of a request, when it sends one (FixMyStreet: attribute[fixmystreet_id]). */
export function clientRequestId(p: Pick<Open311Post, 'attributes'>): string | null {
  return p.attributes.client_request_id ?? p.attributes.fixmystreet_id ?? null;
}

/**
 * The district an Open311 call keeps to (issue 12, several districts in one database): the district of a key bound
 * to one (open311_keys.district_code), else the jurisdiction_id given (the GeoReport name of the district asked
 * for), else null (every district). Call checkJurisdiction on jurisdiction_id first.
 * @throws DomainError bad_request for a jurisdiction_id other than the key's district, naming both
 * @example open311District('110101', null) // '110101'
 */
export function open311District(jurisdiction_id: string | null | undefined, key_district: string | null | undefined): string | null {
  const asked = jurisdiction_id || null;
  if (key_district && asked && asked !== key_district) {
    throw new DomainError('bad_request', `jurisdiction_id "${asked}" is not the district of this API key (${key_district}): leave jurisdiction_id out or send ${key_district}`,
      { jurisdiction_id: `not the key's district ${key_district}` });
  }
  return key_district || asked;
}

/** A jurisdiction_id names the district; another one is refused (404: we serve none other). */
export function checkJurisdiction(given: string | null | undefined, district_codes: readonly string[]): void {
  if (given == null || given === '') return;
  if (!district_codes.includes(given)) {
    throw new DomainError('not_found', `jurisdiction_id "${given}" is not served here; use ${district_codes.join(' or ') || 'none'} (the district code) or leave it out`);
  }
}

// ---- discovery ----

export type Open311Discovery = {
  changeset: string; contact: string; key_service: string;
  endpoints: { specification: string; url: string; changeset: string; type: 'production'; formats: string[] }[];
};

/** The date the interface last changed (discovery's changeset): this module's, updated with it. */
export const OPEN311_CHANGESET = '2026-12-04T00:00:00Z';

/** Service discovery: one production endpoint (`url`: this server's /open311/v2) in JSON and XML. */
export function discoveryOf(url: string): Open311Discovery {
  return {
    changeset: OPEN311_CHANGESET,
    contact: 'The city\'s urban-management command centre (城市管理指挥中心), through its operators',
    key_service: 'API keys for POST requests are issued by the Gridline administrator (POST /api/admin/open311-keys), one per client system',
    endpoints: [{
      specification: 'http://wiki.open311.org/GeoReport_v2', url, changeset: OPEN311_CHANGESET, type: 'production',
      formats: ['application/json', 'text/xml'],
    }],
  };
}

// ---- errors ----

export type Open311Error = { code: string; description: string };

/** The spec's error list: the HTTP status as the code, our message as the description. */
export const errorsOf = (status: number, description: string): Open311Error[] => [{ code: String(status), description }];

/**
 * A refusal made before any route runs (the router's: a path parameter over 100 characters, a malformed URL), for a
 * URL under /open311/: the spec's error list in the format its extension asks for; null for any other URL.
 */
export function open311Refusal(url: string, status: number, description: string): { content_type: string; body: string } | null {
  const path = url.split('?')[0];
  if (!path.startsWith('/open311/')) return null;
  const errors = errorsOf(status, description);
  return /\.xml$/i.test(path)
    ? { content_type: 'text/xml; charset=utf-8', body: toXml('errors', errors) }
    : { content_type: 'application/json; charset=utf-8', body: JSON.stringify(errors) };
}

// ---- XML ----

/** How arrays are written: the element name of each item, by the name of the array's element. */
export const XML_ITEMS: Readonly<Record<string, string>> = {
  services: 'service', service_requests: 'request', service_request_updates: 'request_update', errors: 'error',
  attributes: 'attribute', values: 'value', endpoints: 'endpoint', formats: 'format',
};

/** Characters XML 1.0 cannot carry even escaped (the C0 controls but tab, LF and CR; U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xmlEscape(s: string): string {
  return s.replace(XML_FORBIDDEN, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function element(name: string, v: unknown): string {
  if (v === null || v === undefined) return `<${name}/>`;
  if (Array.isArray(v)) {
    const item = XML_ITEMS[name] ?? 'item';
    return `<${name}>${v.map((x) => element(item, x)).join('')}</${name}>`;
  }
  if (typeof v === 'object') {
    return `<${name}>${Object.entries(v as Record<string, unknown>).map(([k, x]) => element(k, x)).join('')}</${name}>`;
  }
  return `<${name}>${xmlEscape(String(v))}</${name}>`;
}

/**
 * An answer as the spec's XML: the same fields as the JSON, arrays as repeated elements named by XML_ITEMS.
 * @example toXml('services', [{ service_code: '06010' }]) // '<?xml …?><services><service><service_code>06010</service_code></service></services>'
 */
export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, value)}\n`;
}
