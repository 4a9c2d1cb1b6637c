// Open311 GeoReport v2 conformance (issue 11 §Open311), on each engine: every JSON answer checked against the
// GeoReport v2 JSON Schemas of tests/fixtures/open311 (written from the spec, not from our code), every XML answer
// parsed back and compared field by field with the JSON; POST through an admin-issued key (form-encoded and multipart
// with a photo), idempotent retries, tokens, request updates, the spec's error list in both formats, CORS, and a
// scan that no GET answer carries the reporter's name, phone or e-mail.
import { beforeAll, describe, expect, test } from 'vitest';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { withTestApp } from '../../helpers/app.js';
import { pointInGrid } from '../../helpers/cases.js';
import { png } from '../../fixtures/images/build.js';
import type { Queryable } from '../../../server/db/types.js';
import { issueKey as issueKeyDirectly } from '../../../server/services/open311.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const schemas = Object.fromEntries(['discovery', 'services', 'service_definition', 'requests', 'post_response', 'tokens', 'updates', 'errors']
  .map((n) => [n, ajv.compile(JSON.parse(readFileSync(new URL(`../../fixtures/open311/${n}.json`, import.meta.url), 'utf8')))])) as Record<string, ValidateFunction>;

function conforms(name: string, body: unknown) {
  const v = schemas[name];
  expect(v(body), `${name}: ${JSON.stringify(v.errors?.slice(0, 3))}`).toBe(true);
}

// ---- a tiny XML reader for the spec's documents: elements, text, entities; no attributes, no mixed content ----

type XmlNode = { name: string; children: XmlNode[]; text: string; empty: boolean };

function parseXml(xml: string): XmlNode {
  let i = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*/.exec(xml);
  expect(decl, 'XML declaration with UTF-8').not.toBeNull();
  i = decl![0].length;
  const unescape = (s: string) => s.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: '\'', amp: '&' })[e]!);
  function node(): XmlNode {
    const open = /^<([A-Za-z_][\w.-]*)(\/?)>/.exec(xml.slice(i));
    if (!open) throw new Error(`expected an element at ${i}: ${xml.slice(i, i + 40)}`);
    i += open[0].length;
    const n: XmlNode = { name: open[1], children: [], text: '', empty: open[2] === '/' };
    if (n.empty) return n;
    for (;;) {
      if (xml.startsWith(`</${n.name}>`, i)) { i += n.name.length + 3; return n; }
      if (xml[i] === '<') { n.children.push(node()); continue; }
      const end = xml.indexOf('<', i);
      if (end < 0) throw new Error(`unclosed <${n.name}>`);
      const raw = xml.slice(i, end);
      expect(raw, 'no bare & or > in text').not.toMatch(/&(?!(lt|gt|quot|apos|amp);)/);
      n.text += unescape(raw);
      i = end;
    }
  }
  const root = node();
  expect(xml.slice(i).trim(), 'nothing after the root element').toBe('');
  return root;
}

/** The element names of the spec's lists: container → item. */
const LISTS: Record<string, string> = {
  services: 'service', service_requests: 'request', service_request_updates: 'request_update', errors: 'error',
  attributes: 'attribute', values: 'value', endpoints: 'endpoint', formats: 'format',
};

/** An XML element as the JSON it should equal: lists as arrays, leaves as strings, empty elements as null. */
function xmlValue(n: XmlNode): unknown {
  if (n.name in LISTS) {
    for (const c of n.children) expect(c.name, `items of <${n.name}>`).toBe(LISTS[n.name]);
    return n.children.map(xmlValue);
  }
  if (n.empty) return null;
  if (n.children.length) return Object.fromEntries(n.children.map((c) => [c.name, xmlValue(c)]));
  return n.text;
}

/** JSON with every scalar as the text XML carries. */
function asText(v: unknown): unknown {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(asText);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, asText(x)]));
  return String(v);
}

/** GETs (or POSTs) a resource in both formats and checks that the XML says what the JSON says. */
async function both(app: FastifyInstance, path: string, root: string, schema: string, opts: { status?: number } = {}) {
  const j = await app.inject({ method: 'GET', url: path.replace('{fmt}', 'json') });
  const x = await app.inject({ method: 'GET', url: path.replace('{fmt}', 'xml') });
  expect(j.statusCode, j.body).toBe(opts.status ?? 200);
  expect(x.statusCode, x.body).toBe(opts.status ?? 200);
  expect(j.headers['content-type']).toMatch(/^application\/json/);
  expect(x.headers['content-type']).toMatch(/^text\/xml; charset=utf-8/);
  const json = j.json();
  conforms(schema, json);
  const doc = parseXml(x.body);
  expect(doc.name).toBe(root);
  expect(xmlValue(doc)).toEqual(asText(json));
  return { json, xml: x.body };
}

// ---- the app with an admin-issued key ----

async function login(app: FastifyInstance, username: string) {
  const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' } });
  expect(r.statusCode, r.body).toBe(200);
  return { authorization: `Bearer ${r.json().token}` };
}

/** A key through the admin API (a login: argon2, slow), or straight from the service when `db` is given. */
async function issueKey(app: FastifyInstance, body: { name: string; source?: 'public' | 'hotline' | 'media'; answer?: 'service_request_id' | 'token' } = { name: 'FixMyStreet test' }, db?: Queryable) {
  if (db) {
    const admin = (await db.query<{ id: number; username: string }>(`select id::float8 as id, username from users where username = 'admin'`)).rows[0];
    return issueKeyDirectly(db, admin, body, new Date());
  }
  const r = await app.inject({ method: 'POST', url: '/api/admin/open311-keys', headers: await login(app, 'admin'), payload: body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: number; api_key: string; key_prefix: string };
}

const form = (fields: Record<string, string | number>) => new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function multipart(fields: Record<string, string>, files: { name: string; filename: string; type: string; bytes: Buffer }[]) {
  const boundary = 'gridline-test-boundary-7d1';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`), f.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const count = async (db: Queryable, sql: string, params: unknown[] = []) => Number((await db.query<{ n: number }>(sql, params)).rows[0].n);

const REPORTER = { first_name: 'Zhenxi', last_name: 'Quartermaine', phone: '13812345678', email: 'zq.reporter@example.org' };

describe.each(testBackends())('Open311 GeoReport v2 on %s', (backend: Backend) => {
  beforeAll(() => withTestDb(backend, async () => {}), 300_000); // the engine opened and migrated before the first test's clock

  test('discovery, the services and a service definition conform in JSON and XML, with identical fields', () => withTestApp(backend, async ({ app }) => {
    const d = await both(app, '/open311/v2/discovery.{fmt}', 'discovery', 'discovery');
    expect((d.json as { endpoints: { url: string }[] }).endpoints[0].url).toMatch(/\/open311\/v2$/);

    const s = await both(app, '/open311/v2/services.{fmt}', 'services', 'services');
    const services = s.json as { service_code: string; metadata: boolean; group: string }[];
    expect(services.length).toBeGreaterThan(200);
    const manhole = services.find((x) => x.service_code === '01001')!;
    expect(manhole.metadata).toBe(true); // a component class: asks for the component id
    expect(manhole.group).toBe('市政公用设施类');
    expect(services.find((x) => x.service_code === '06010')!.metadata).toBe(false);

    const def = await both(app, '/open311/v2/services/01001.{fmt}', 'service_definition', 'service_definition');
    expect((def.json as { attributes: { code: string }[] }).attributes.map((a) => a.code)).toEqual(['component_id']);
    await both(app, '/open311/v2/services/99999.{fmt}', 'errors', 'errors', { status: 404 });
  }));

  test('a FixMyStreet-style flow: key → POST form → request → XML → token → updates; retries create nothing', () => withTestApp(backend, async ({ app, db }) => {
    const key = await issueKey(app);
    const p = await pointInGrid(db);
    const fields = { api_key: key.api_key, service_code: '06010', lat: p.lat, long: p.lon, description: 'Rubbish piled at the corner & <gate>',
      address_string: 'Corner of the market', 'attribute[client_request_id]': 'fms-1001', ...REPORTER };
    const before = await count(db, 'select count(*)::int as n from cases');
    const r = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM, payload: form(fields) });
    expect(r.statusCode, r.body).toBe(201);
    conforms('post_response', r.json());
    const id = r.json()[0].service_request_id as string;
    expect(typeof id).toBe('string');
    expect(r.json()[0]).not.toHaveProperty('token');

    // the same client request id, and then the same Idempotency-Key: the same answer, nothing new
    const again = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM, payload: form(fields) });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(r.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    const k = { ...FORM, 'idempotency-key': 'retry-42' };
    const noClientId = { ...fields, 'attribute[client_request_id]': '' };
    const a1 = await app.inject({ method: 'POST', url: '/open311/v2/requests.xml', headers: k, payload: form(noClientId) });
    const a2 = await app.inject({ method: 'POST', url: '/open311/v2/requests.xml', headers: k, payload: form(noClientId) });
    expect(a1.statusCode, a1.body).toBe(201);
    expect(a2.body).toBe(a1.body);
    const posted = xmlValue(parseXml(a1.body)) as Record<string, string | null>[];
    expect(posted).toHaveLength(1);
    expect(Object.keys(posted[0]).sort()).toEqual(['account_id', 'service_notice', 'service_request_id']);
    expect(posted[0].service_request_id).toMatch(/^\d+$/);
    expect(await count(db, 'select count(*)::int as n from cases')).toBe(before + 2);

    // the same case as POST /api/cases makes: a public report waiting for verification, with the reporter kept
    const c = (await db.query<{ source: string; status: string; reporter_name: string; description: string }>('select source, status, reporter_name, description from cases where case_no = $1', [id])).rows[0];
    expect(c).toMatchObject({ source: 'public', status: 'pending_acceptance', reporter_name: 'Zhenxi Quartermaine', description: fields.description });

    const one = await both(app, `/open311/v2/requests/${id}.{fmt}`, 'service_requests', 'requests');
    const req = (one.json as Record<string, unknown>[]);
    expect(req).toHaveLength(1); // a single request is an array of one
    expect(req[0]).toMatchObject({ service_request_id: id, status: 'open', detailed_status: 'pending_acceptance', service_code: '06010', description: fields.description });
    expect(one.xml).toContain('&amp; &lt;gate&gt;');

    const list = await both(app, '/open311/v2/requests.{fmt}?service_code=06010&status=open', 'service_requests', 'requests');
    expect((list.json as { service_request_id: string }[]).map((x) => x.service_request_id)).toContain(id);
    const closed = await both(app, '/open311/v2/requests.{fmt}?status=closed&service_code=06010&start_date=2026-01-01T00:00:00Z&end_date=2026-02-01T00:00:00.000%2B08:00', 'service_requests', 'requests');
    expect(closed.json).toEqual([]);
    const byIds = await both(app, `/open311/v2/requests.{fmt}?service_request_id=${id},NOPE-1&status=&service_code=`, 'service_requests', 'requests');
    expect((byIds.json as unknown[]).length).toBe(1); // an empty parameter is an absent one

    const updates = await both(app, '/open311/v2/servicerequestupdates.{fmt}', 'service_request_updates', 'updates');
    expect((updates.json as { service_request_id: string; status: string }[]).find((u) => u.service_request_id === id)).toMatchObject({ status: 'OPEN' });
  }));

  test('a key issued for tokens answers a token, never both; tokens/{token} names the request', () => withTestApp(backend, async ({ app, db }) => {
    const key = await issueKey(app, { name: 'hotline bridge', answer: 'token' }, db);
    const p = await pointInGrid(db);
    const r = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM, payload: form({ api_key: key.api_key, service_code: '06010', lat: p.lat, long: p.lon }) });
    expect(r.statusCode, r.body).toBe(201);
    conforms('post_response', r.json());
    const token = r.json()[0].token as string;
    expect(r.json()[0]).not.toHaveProperty('service_request_id');
    const t = await both(app, `/open311/v2/tokens/${token}.{fmt}`, 'service_requests', 'tokens');
    const case_no = (await db.query<{ case_no: string }>('select c.case_no from cases c join open311_requests o on o.case_id = c.id and o.district_code = c.district_code where o.token = $1', [token])).rows[0].case_no;
    expect(t.json).toEqual([{ service_request_id: case_no, token }]);
    await both(app, '/open311/v2/tokens/00000000000000000000000000000000.{fmt}', 'errors', 'errors', { status: 404 });
  }));

  test('multipart with a photo: stored with the checks of POST /api/photos and cited by the case', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridline-open311-'));
    try {
      await withTestApp(backend, async ({ app, db }) => {
        const key = await issueKey(app, undefined, db);
        const p = await pointInGrid(db);
        const fields = { api_key: key.api_key, service_code: '06010', lat: String(p.lat), long: String(p.lon), description: '带照片的上报' };
        const m = multipart(fields, [{ name: 'media', filename: 'a.png', type: 'image/png', bytes: png(8, 6) }]);
        const r = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', ...m });
        expect(r.statusCode, r.body).toBe(201);
        const id = r.json()[0].service_request_id;
        const cited = (await db.query<{ photo_ids: string[] }>('select t.photo_ids from case_trail t join cases c on c.id = t.case_id and c.district_code = t.district_code where c.case_no = $1 and t.seq = 1', [id])).rows[0].photo_ids;
        expect(cited).toHaveLength(1);
        expect(await count(db, 'select count(*)::int as n from photos where id = $1', [cited[0]])).toBe(1);

        const notImage = multipart(fields, [{ name: 'photo1', filename: 'x.png', type: 'image/png', bytes: Buffer.from('not an image at all') }]);
        const bad = await app.inject({ method: 'POST', url: '/open311/v2/requests.xml', ...notImage });
        expect(bad.statusCode).toBe(415);
        expect(xmlValue(parseXml(bad.body))).toEqual([{ code: '415', description: expect.stringMatching(/JPEG|PNG|WebP/) }]);
      }, { GRIDLINE_PHOTO_DIR: dir });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const POST_REFUSALS: [string, (f: Record<string, string>) => Record<string, string>, number][] = [
    ['no api_key', (f) => ({ ...f, api_key: '' }), 403],
    ['an unknown api_key', (f) => ({ ...f, api_key: 'o311_nope' }), 403],
    ['no service_code', (f) => ({ ...f, service_code: '' }), 400],
    ['an unknown service_code', (f) => ({ ...f, service_code: '99999' }), 400],
    ['no location', (f) => ({ ...f, lat: '', long: '' }), 400],
    ['a description of 4,001 characters', (f) => ({ ...f, description: 'x'.repeat(4001) }), 400],
    ['a media_url that is not http(s)', (f) => ({ ...f, media_url: 'javascript:alert(1)' }), 400],
    ['another jurisdiction', (f) => ({ ...f, jurisdiction_id: 'atlantis' }), 404],
    ['an unknown field', (f) => ({ ...f, descripton: 'typo' }), 400],
  ];
  test(`POST refusals (${POST_REFUSALS.map((r) => r[0]).join('; ')}): the spec's error list in both formats, nothing created`, () => withTestApp(backend, async ({ app, db }) => {
    const key = await issueKey(app, undefined, db);
    const p = await pointInGrid(db);
    const before = await count(db, 'select count(*)::int as n from cases');
    for (const [name, change, status] of POST_REFUSALS) {
      const fields = change({ api_key: key.api_key, service_code: '06010', lat: String(p.lat), long: String(p.lon) });
      for (const fmt of ['json', 'xml']) {
        const r = await app.inject({ method: 'POST', url: `/open311/v2/requests.${fmt}`, headers: FORM, payload: form(fields) });
        expect(r.statusCode, `${name} (${fmt}): ${r.body}`).toBe(status);
        const errors = fmt === 'json' ? r.json() : xmlValue(parseXml(r.body));
        conforms('errors', errors);
        expect((errors as { code: string }[])[0].code).toBe(String(status));
      }
    }
    expect(await count(db, 'select count(*)::int as n from cases')).toBe(before);
  }));

  test('a description of 4,000 characters is taken whole (longer than /api/cases allows)', () => withTestApp(backend, async ({ app, db }) => {
    const key = await issueKey(app, undefined, db);
    const p = await pointInGrid(db);
    const description = '井'.repeat(4000);
    const r = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM, payload: form({ api_key: key.api_key, service_code: '06010', lat: p.lat, long: p.lon, description, jurisdiction_id: '' }) });
    expect(r.statusCode, r.body).toBe(201);
    const got = await app.inject(`/open311/v2/requests/${r.json()[0].service_request_id}.json`);
    expect(got.json()[0].description).toBe(description);
  }));

  const GET_REFUSALS: [string, string, number][] = [
    ['a window over 90 days', 'start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z', 400],
    ['a date without a time zone', 'start_date=2026-01-01T00:00:00', 400],
    ['end before start', 'start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z', 400],
    ['a status other than open/closed', 'status=pending', 400],
    ['an unknown parameter', 'colour=red', 400],
    ['another jurisdiction', 'jurisdiction_id=atlantis', 404],
  ];
  test(`GET refusals (${GET_REFUSALS.map((r) => r[0]).join('; ')}): the error list in both formats`, () => withTestApp(backend, async ({ app }) => {
    for (const [, query, status] of GET_REFUSALS) {
      await both(app, `/open311/v2/requests.{fmt}?${query}`, 'errors', 'errors', { status });
      await both(app, `/open311/v2/servicerequestupdates.{fmt}?${query.replace('status=pending', 'start_date=yesterday')}`, 'errors', 'errors', { status });
    }
  }));

  test('dates with a time zone, with or without milliseconds, and the district as jurisdiction_id are accepted', () => withTestApp(backend, async ({ app, db }) => {
    const district = (await db.query<{ code: string }>(`select code from regions where level = 'district' limit 1`)).rows[0].code;
    for (const q of ['start_date=2026-11-01T00:00:00Z', 'start_date=2026-11-01T08:00:00.123%2B08:00&end_date=2026-11-30T00:00:00%2B0800', `jurisdiction_id=${district}`]) {
      await both(app, `/open311/v2/requests.{fmt}?${q}`, 'service_requests', 'requests');
    }
  }));

  test('an unknown resource and an unknown request are 404 in the spec\'s shape', () => withTestApp(backend, async ({ app }) => {
    await both(app, '/open311/v2/requests/2000-999999.{fmt}', 'errors', 'errors', { status: 404 });
    await both(app, '/open311/v2/nothing.{fmt}', 'errors', 'errors', { status: 404 });
  }));

  test('CORS: GET and POST from any origin, preflight answered', () => withTestApp(backend, async ({ app }) => {
    const pre = await app.inject({ method: 'OPTIONS', url: '/open311/v2/requests.json', headers: { origin: 'https://fixmystreet.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(String(pre.headers['access-control-allow-methods'])).toMatch(/POST/);
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/content-type/);
    const get = await app.inject({ method: 'GET', url: '/open311/v2/services.json', headers: { origin: 'https://fixmystreet.example' } });
    expect(get.headers['access-control-allow-origin']).toBe('*');
  }));

  test('no GET answer carries the reporter\'s name, phone or e-mail', () => withTestApp(backend, async ({ app, db }) => {
    const key = await issueKey(app, { name: 'token system', answer: 'token' }, db);
    const p = await pointInGrid(db);
    const r = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM, payload: form({ api_key: key.api_key, service_code: '06010', lat: p.lat, long: p.lon, ...REPORTER }) });
    expect(r.statusCode, r.body).toBe(201);
    const token = r.json()[0].token;
    const case_no = (await db.query<{ case_no: string }>('select c.case_no from cases c join open311_requests o on o.case_id = c.id and o.district_code = c.district_code where o.token = $1', [token])).rows[0].case_no;
    const secrets = [REPORTER.first_name, REPORTER.last_name, REPORTER.phone, REPORTER.phone.slice(-4) + '', REPORTER.email];
    expect(await count(db, 'select count(*)::int as n from cases where case_no = $1 and reporter_name is not null and reporter_phone is not null', [case_no])).toBe(1);
    for (const fmt of ['json', 'xml']) {
      for (const url of [`requests.${fmt}`, `requests/${case_no}.${fmt}`, `requests.${fmt}?service_request_id=${case_no}`, `tokens/${token}.${fmt}`, `servicerequestupdates.${fmt}`]) {
        const res = await app.inject(`/open311/v2/${url}`);
        expect(res.statusCode, url).toBe(200);
        expect(res.body).toContain(case_no);
        for (const s of secrets.slice(0, 3).concat(secrets[4])) expect(res.body, `${url} leaks ${s}`).not.toContain(s);
      }
    }
  }));

  test('API keys: admin only, the key shown once and stored hashed, revoked keys refused, both audited', () => withTestApp(backend, async ({ app, db }) => {
    const crew = await login(app, 'crew1');
    expect((await app.inject({ method: 'POST', url: '/api/admin/open311-keys', headers: crew, payload: { name: 'x' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/admin/open311-keys' })).statusCode).toBe(401);
    const key = await issueKey(app, { name: 'city hotline', source: 'hotline' });
    expect(key.api_key).toMatch(/^o311_[0-9a-f]{48}$/);
    const admin = await login(app, 'admin');
    const list = await app.inject({ method: 'GET', url: '/api/admin/open311-keys', headers: admin });
    expect(list.body).not.toContain(key.api_key);
    expect(list.json().find((k: { id: number }) => k.id === key.id)).toMatchObject({ name: 'city hotline', source: 'hotline', revoked_at: null, key_prefix: key.api_key.slice(0, 12) });
    expect(await count(db, 'select count(*)::int as n from open311_keys where key_hash = $1', [key.api_key])).toBe(0);

    const p = await pointInGrid(db);
    const ok = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM, payload: form({ api_key: key.api_key, service_code: '06010', lat: p.lat, long: p.lon }) });
    expect(ok.statusCode, ok.body).toBe(201);
    expect((await db.query<{ source: string }>('select source from cases where case_no = $1', [ok.json()[0].service_request_id])).rows[0].source).toBe('hotline');

    const del = await app.inject({ method: 'DELETE', url: `/api/admin/open311-keys/${key.id}`, headers: admin });
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json().revoked_at).not.toBeNull();
    expect((await app.inject({ method: 'DELETE', url: `/api/admin/open311-keys/${key.id}`, headers: admin })).statusCode).toBe(404);
    const refused = await app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM, payload: form({ api_key: key.api_key, service_code: '06010', lat: p.lat, long: p.lon }) });
    expect(refused.statusCode).toBe(403);
    expect(await count(db, `select count(*)::int as n from audit_log where target = $1 and action in ('open311_key.issue', 'open311_key.revoke')`, [`open311_key:${key.id}`])).toBe(2);
  }));

  test('the OpenAPI document lists every Open311 route in both formats, XML with its content type', () => withTestApp(backend, async ({ app }) => {
    const doc = (await app.inject('/api/openapi.json')).json() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
    for (const fmt of ['json', 'xml']) {
      for (const path of ['discovery', 'services', 'services/{service_code}', 'requests', 'requests/{service_request_id}', 'tokens/{token}', 'servicerequestupdates']) {
        expect(doc.paths, `${path}.${fmt}`).toHaveProperty([`/open311/v2/${path}.${fmt}`]);
      }
      const get = doc.paths[`/open311/v2/requests.${fmt}`].get.responses['200'].content!;
      expect(Object.keys(get)).toEqual([fmt === 'json' ? 'application/json' : 'text/xml']);
    }
    expect(doc.paths['/open311/v2/requests.json'].post).toBeDefined();
    expect(doc.paths['/api/admin/open311-keys'].post).toBeDefined();
  }));
});
