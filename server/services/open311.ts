// Open311 GeoReport v2 use cases (issue 11 §Open311): services from the standard classes, POST requests through the
// same reportCase as POST /api/cases (one idempotency scope per client system), the public GET answers (never the
// reporter's name, phone or e-mail), tokens, mySociety's request updates, and the API keys of client systems.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import * as classes from '../db/classes.js';
import * as open311 from '../db/open311.js';
import * as audit from '../db/audit.js';
import { DomainError } from '../domain/errors.js';
import {
  OPEN311_LIMITS, REQUEST_ID, SERVICE_CODE, TOKEN, checkJurisdiction, clientRequestId, commaList, dateWindow,
  definitionOf, geocodeOf, open311District, parsePost, requestOf, serviceOf, updateOf,
  type Open311Request, type Open311Service, type Open311ServiceDefinition, type Open311Update,
} from '../domain/open311.js';
import { reportCase, type CaseDeps, type CaseUser } from './cases.js';
import { uploadPhoto, type PhotoDeps } from './photos.js';
import { search as searchPlaces } from './places.js';
import { takeToken, type Bucket, type BucketPolicy } from '../domain/token-bucket.js';

export type Open311Deps = { cases: CaseDeps; photos: PhotoDeps; photo_max_bytes: number; post_limit?: KeyRateLimit | null };

/**
 * POSTs per API key (issue 11 §Bad input): a token bucket per key in this process's memory (a restart forgets it;
 * several processes each keep their own): a brake on a client system gone wrong, not an account. Past it: 429 with
 * Retry-After and the spec's error list.
 */
export class KeyRateLimit {
  private buckets = new Map<number, Bucket>();
  constructor(readonly policy: BucketPolicy, private clock: { now(): Date }) {}

  /** @throws DomainError too_many_requests (details.retry_after_s) */
  take(key: { id: number; name: string }): void {
    const r = takeToken(this.buckets.get(key.id), this.clock.now().getTime(), this.policy);
    this.buckets.set(key.id, r.bucket);
    if (!r.ok) {
      throw new DomainError('too_many_requests', `Too many requests from the API key of ${key.name} (at most ${this.policy.per_minute} a minute, `
        + `${this.policy.burst} at once): try again in ${r.retry_after_s} s`, { retry_after_s: r.retry_after_s });
    }
  }
}

/** An uploaded file of a multipart POST (`media`, `photo1` …). */
export type Upload = { field: string; bytes: Uint8Array };

/** At most this many files in one request (media plus photo1…photo9 would allow ten). */
export const MAX_UPLOADS = 5;

export async function listServices(db: Queryable, jurisdiction_id?: string): Promise<Open311Service[]> {
  checkJurisdiction(jurisdiction_id, await open311.districtCodes(db));
  return (await classes.list(db, 'matter')).map(serviceOf);
}

/** @throws DomainError not_found for a code that is no service */
export async function serviceDefinition(db: Queryable, code: string, jurisdiction_id?: string): Promise<Open311ServiceDefinition> {
  checkJurisdiction(jurisdiction_id, await open311.districtCodes(db));
  const c = SERVICE_CODE.test(code) ? await classes.get(db, 'matter', code) : null;
  if (!c) throw new DomainError('not_found', `No service with code "${code}"; the codes are listed by services.json`);
  return definitionOf(c);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The POST answer: the case number, or the token for a client system that asked for tokens. Never both. */
export type PostAnswer =
  | { service_request_id: string; service_notice: string; account_id: string | null }
  | { token: string; service_notice: string; account_id: string | null };

/**
 * POST requests: checks the form, the API key (403) and the service, stores the uploaded photos (the same checks as
 * POST /api/photos), then reports the case through reportCase. A retry with the same Idempotency-Key, or the same
 * client request id (attribute[client_request_id] or attribute[fixmystreet_id]), from the same key creates nothing
 * and gets the same answer.
 */
export async function postRequest(deps: Open311Deps, input: {
  fields: Record<string, unknown>; uploads: readonly Upload[]; idempotency_key: string | null;
}): Promise<{ answer: PostAnswer[]; replay: boolean }> {
  const db = deps.cases.db;
  const p = parsePost(input.fields);
  const key = await open311.activeKeyByHash(db, sha256(p.api_key));
  if (!key) throw new DomainError('forbidden', 'api_key is not valid (unknown or revoked); ask the city\'s administrator for a key of your system');
  deps.post_limit?.take(key); // before any work: a flood costs one key lookup each
  checkJurisdiction(p.jurisdiction_id, await open311.districtCodes(db));
  const district = open311District(p.jurisdiction_id, key.district_code);
  const cls = await classes.get(db, 'matter', p.service_code);
  if (!cls || !cls.matter_kind) throw new DomainError('bad_request', `service_code "${p.service_code}" is no service; pick one from services.json`, { service_code: 'unknown' });
  if (p.attributes.component_id !== undefined && cls.matter_kind !== 'component_anomaly') {
    throw new DomainError('bad_request', `Service ${p.service_code} is an event, not a component's anomaly: leave attribute[component_id] out`, { 'attribute[component_id]': 'not an attribute of this service' });
  }
  // address_string without lat/long: the district's named place it names (400 when none or ambiguous)
  const point = p.lat !== null && p.long !== null ? { lon: p.long, lat: p.lat } : geocodeOf(p.address_string!, await searchPlaces(db, p.address_string!, 6));
  if (input.uploads.length > MAX_UPLOADS) {
    throw new DomainError('bad_request', `${input.uploads.length} files were sent; send at most ${MAX_UPLOADS} photos with one request`, { media: `at most ${MAX_UPLOADS}` });
  }
  const photo_ids: string[] = [];
  for (const u of input.uploads) {
    if (u.bytes.length > deps.photo_max_bytes) {
      throw new DomainError('payload_too_large', `${u.field} is larger than ${Math.round(deps.photo_max_bytes / 1024)} KB; resize it and send again`, { max_bytes: deps.photo_max_bytes });
    }
    if (u.bytes.length === 0) continue; // an empty file input of a browser form
    photo_ids.push((await uploadPhoto(deps.photos, { bytes: u.bytes, uploader: null })).id);
  }
  const client_request_id = clientRequestId(p);
  const idem = input.idempotency_key ?? (client_request_id ? `client:${client_request_id}` : null);
  const name = [p.first_name, p.last_name].filter(Boolean).join(' ');
  const user: CaseUser = null; // a client system relays the public: no Gridline user
  let token = '';
  const r = await reportCase(deps.cases, user, {
    kind: cls.matter_kind, class_code: cls.code, lon: point.lon, lat: point.lat, source: key.source,
    ...(p.description ? { description: p.description } : {}),
    ...(p.address_string ? { address: p.address_string } : {}),
    ...(p.attributes.component_id ? { component_id: p.attributes.component_id } : {}),
    ...(photo_ids.length ? { photo_ids } : {}),
    ...(name ? { reporter_name: name } : {}),
    ...(p.phone ? { reporter_phone: p.phone } : {}),
  }, idem, {
    scope: `open311:${key.id}`,
    // a client system of the hotline or the media reports as the operator who would type it in
    actor: { roles: key.source === 'public' ? ['public'] : ['operator'] },
    photos_uploaded_with_report: true,
    username: `open311:${key.name}`,
    // A key bound to a district (or a jurisdiction_id) reports there only, as a user kept to a district does (issue 12):
    // reportCase locates the point once, in that district.
    district,
    outsideDistrict: (found) => new DomainError('unprocessable', `The point lon=${point.lon.toFixed(6)}, lat=${point.lat.toFixed(6)} lies in district ${found}, outside `
      + `${key.district_code ? `the district ${district} of this API key` : `jurisdiction_id ${district}`}: report it to that district, or check the point`,
    { reason: 'outside_key_district', district_code: found }),
    within: async (tx, created) => {
      token = randomBytes(16).toString('hex');
      await open311.insertRequest(tx, {
        case_id: created.id, district_code: created.district_code, key_id: key.id, token, client_request_id, media_url: p.media_url, email: p.email,
        device_id: p.device_id, account_id: p.account_id, created_at: deps.cases.clock.now(),
      });
    },
  });
  if (r.replay) token = (await open311.requestOfCase(db, r.case))?.token ?? '';
  const notice = `Received as case ${r.case.case_no}; the city verifies it, then dispatches it to the department in charge`;
  const answer: PostAnswer = key.answer === 'token' && token
    ? { token, service_notice: notice, account_id: p.account_id }
    : { service_request_id: r.case.case_no, service_notice: notice, account_id: p.account_id };
  return { answer: [answer], replay: r.replay };
}

/**
 * Whom a GET answers: jurisdiction_id (the district asked for) and api_key (GETs are public; a key bound to a
 * district keeps the answer to it; a key that is unknown or revoked is ignored, as before keys had districts).
 */
export type ReadScope = { jurisdiction_id?: string; api_key?: string };

/** The district a GET keeps to (domain/open311.ts open311District), or null for every district. */
async function readDistrict(db: Queryable, q: ReadScope): Promise<string | null> {
  checkJurisdiction(q.jurisdiction_id, await open311.districtCodes(db));
  const key = q.api_key ? await open311.activeKeyByHash(db, sha256(q.api_key)) : null;
  return open311District(q.jurisdiction_id, key?.district_code);
}

export type RequestsQuery = ReadScope & {
  service_request_id?: string; service_code?: string; start_date?: string; end_date?: string; status?: string;
};

/**
 * GET requests: by ids (no window), else within a window of at most 90 days; at most 1,000, newest first; of one
 * district when the call keeps to one (readDistrict).
 */
export async function getRequests(db: Queryable, q: RequestsQuery, now: Date): Promise<Open311Request[]> {
  const district = await readDistrict(db, q);
  const ids = commaList(q.service_request_id, 'service_request_id', OPEN311_LIMITS.max_ids, REQUEST_ID, 'a service request id (a case number such as 2026-000123)');
  const service_codes = commaList(q.service_code, 'service_code', 300, SERVICE_CODE, 'a service code (5 digits, from services.json)');
  const statuses = commaList(q.status, 'status', 2, /^(open|closed)$/, 'open or closed') as ('open' | 'closed')[] | null;
  const window = ids && q.start_date === undefined && q.end_date === undefined ? null : dateWindow(q.start_date, q.end_date, now);
  const rows = await open311.requestRows(db, {
    ids, service_codes, statuses, from: window?.from ?? null, to: window?.to ?? null, limit: OPEN311_LIMITS.max_items, district,
  });
  return rows.map(requestOf);
}

/** GET requests/{id}: an array of one (another district's request is not found by a call kept to a district). @throws DomainError not_found */
export async function getRequest(db: Queryable, id: string, q: ReadScope): Promise<Open311Request[]> {
  const district = await readDistrict(db, q);
  const rows = REQUEST_ID.test(id) ? await open311.requestRows(db, { ids: [id], service_codes: null, statuses: null, from: null, to: null, limit: 1, district }) : [];
  if (!rows.length) throw new DomainError('not_found', `No service request "${id}"; use the service_request_id a POST answered (a case number such as 2026-000123)`);
  return rows.map(requestOf);
}

/** GET tokens/{token}: the request id a token stands for, as an array of one. @throws DomainError not_found */
export async function resolveToken(db: Queryable, token: string, q: ReadScope): Promise<{ service_request_id: string; token: string }[]> {
  const district = await readDistrict(db, q);
  const case_no = TOKEN.test(token) ? await open311.caseNoOfToken(db, token, district) : null;
  if (!case_no) throw new DomainError('not_found', `No request has token "${token}"; use the token exactly as the POST answered it`);
  return [{ service_request_id: case_no, token }];
}

/** mySociety's GET servicerequestupdates: each status change within a window of at most 90 days, oldest first. */
export async function getUpdates(db: Queryable, q: ReadScope & Pick<RequestsQuery, 'start_date' | 'end_date'>, now: Date): Promise<Open311Update[]> {
  const district = await readDistrict(db, q);
  const w = dateWindow(q.start_date, q.end_date, now);
  return (await open311.updateRows(db, { ...w, limit: OPEN311_LIMITS.max_items, district })).map(updateOf);
}

// ---- API keys (admin) ----

export type KeyView = Omit<open311.Open311KeyRow, 'created_at' | 'revoked_at'> & { created_at: string; revoked_at: string | null };

const keyView = (k: open311.Open311KeyRow): KeyView => ({
  ...k, created_at: k.created_at.toISOString(), revoked_at: k.revoked_at ? k.revoked_at.toISOString() : null,
});

type Admin = { id: number; username: string };

/**
 * Issues a key: the key itself is in this answer only; the database keeps its sha256. `district_code`: the district
 * its client system reports in and reads (issue 12); left out, every district.
 */
export async function issueKey(db: Queryable, admin: Admin, input: { name: string; source?: open311.KeySource; answer?: open311.KeyAnswer; district_code?: string }, now: Date): Promise<KeyView & { api_key: string }> {
  const name = input.name.trim();
  if (!name) throw new DomainError('bad_request', 'name is empty; name the client system the key is for', { name: 'required' });
  const district_code = input.district_code ?? null;
  if (district_code !== null) {
    const served = await open311.districtCodes(db);
    if (!served.includes(district_code)) {
      throw new DomainError('unprocessable', `No district with code ${district_code}; use one of ${served.join(', ') || 'none'} or leave district_code out for a key of every district`,
        { district_code: 'unknown district' });
    }
  }
  const api_key = `o311_${randomBytes(24).toString('hex')}`;
  return db.transaction(async (tx) => {
    const row = await open311.insertKey(tx, {
      name, source: input.source ?? 'public', answer: input.answer ?? 'service_request_id', key_hash: sha256(api_key),
      key_prefix: api_key.slice(0, 12), district_code, created_at: now, created_by: admin.id,
    });
    await audit.record(tx, { at: now, action: 'open311_key.issue', user_id: admin.id, username: admin.username, target: `open311_key:${row.id}`, detail: { name, source: row.source, answer: row.answer, district_code } });
    return { ...keyView(row), api_key };
  });
}

export async function listKeys(db: Queryable): Promise<KeyView[]> {
  return (await open311.listKeys(db)).map(keyView);
}

/** @throws DomainError not_found (no such key, or revoked already) */
export async function revokeKey(db: Queryable, admin: Admin, id: number, now: Date): Promise<KeyView> {
  return db.transaction(async (tx) => {
    const row = await open311.revokeKey(tx, id, now, admin.id);
    if (!row) {
      const known = await open311.getKey(tx, id);
      throw new DomainError('not_found', known ? `Key ${id} (${known.name}) was revoked already` : `No Open311 key with id ${id}`);
    }
    await audit.record(tx, { at: now, action: 'open311_key.revoke', user_id: admin.id, username: admin.username, target: `open311_key:${id}`, detail: { name: row.name } });
    return keyView(row);
  });
}
