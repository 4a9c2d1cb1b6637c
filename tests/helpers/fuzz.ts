// An OpenAPI-driven fuzzer (issue 8's guard): requests generated with fast-check from the SERVED document's own
// schemas — positive data that the schemas allow, and negative data (wrong types, NUL, lone surrogates, integers
// beyond 64 bits, deep nesting, long strings, missing required fields, extra properties, bodies that are not JSON) —
// for every operation, as the anonymous public and as each demo user, sent with app.inject. Each response is checked:
// no status ≥ 500, the status is one the operation declares, and a JSON body matches the declared schema (Ajv).
//
// Seeded: request i of a run with seed S is generated from seed S + i alone, so a failure prints the seed, the index
// and the request, and `FUZZ_SEED=S FUZZ_ONLY=i` reproduces exactly that request.
import fc from 'fast-check';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'; // fast-check's own generator (its dependency)
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, InjectOptions } from 'fastify';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type S = Record<string, any>;
export type Doc = { paths: Record<string, Record<string, S>>; components?: { schemas?: Record<string, S> } };

export type Operation = {
  method: string;
  path: string;
  params: { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: S }[];
  body?: { type: string; schema: S; required: boolean };
  /** status → media type → compiled schema (null: no schema to check) */
  responses: Map<string, Map<string, ValidateFunction | null>>;
};

export type FuzzRequest = {
  op: string;
  role: string;
  negative: string | null;
  inject: InjectOptions & { method: string; url: string };
};

export type Finding = { seed: number; index: number; kind: string; status: number; request: FuzzRequest; detail: string };

// ---- the document ----

function deref(doc: Doc, s: unknown, seen = new Set<string>()): S {
  if (!s || typeof s !== 'object') return s as S;
  if (Array.isArray(s)) return s.map((x) => deref(doc, x, seen)) as unknown as S;
  const o = s as S;
  if (typeof o.$ref === 'string') {
    const name = o.$ref.replace('#/components/schemas/', '');
    if (seen.has(name)) return {}; // a cycle: unconstrained below this point
    return deref(doc, doc.components?.schemas?.[name], new Set([...seen, name]));
  }
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'object' && v !== null ? deref(doc, v, seen) : v]));
}

/** OpenAPI 3.0 Schema Object → JSON Schema draft-07, for Ajv. */
export function oasToJsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(oasToJsonSchema);
  if (!s || typeof s !== 'object') return s;
  const o: S = { ...(s as S) };
  if (o.exclusiveMinimum === true) { o.exclusiveMinimum = o.minimum; delete o.minimum; } else if (o.exclusiveMinimum === false) delete o.exclusiveMinimum;
  if (o.exclusiveMaximum === true) { o.exclusiveMaximum = o.maximum; delete o.maximum; } else if (o.exclusiveMaximum === false) delete o.exclusiveMaximum;
  for (const k of ['properties']) if (o[k]) o[k] = Object.fromEntries(Object.entries(o[k]).map(([n, v]) => [n, oasToJsonSchema(v)]));
  for (const k of ['items', 'additionalProperties', 'not']) if (o[k] && typeof o[k] === 'object') o[k] = oasToJsonSchema(o[k]);
  for (const k of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(o[k])) o[k] = o[k].map(oasToJsonSchema);
  delete o.example; delete o.discriminator; delete o.xml; delete o.externalDocs; delete o.deprecated;
  if (o.nullable) {
    delete o.nullable;
    if (Array.isArray(o.enum) && !o.enum.includes(null)) o.enum = [...o.enum, null];
    if (typeof o.type === 'string') o.type = [o.type, 'null'];
    else if (o.anyOf || o.oneOf) return { anyOf: [o, { type: 'null' }] };
  }
  return o;
}

export function operations(doc: Doc): Operation[] {
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const op = deref(doc, raw);
      const params = (op.parameters ?? []).filter((p: S) => p.in !== 'cookie')
        .map((p: S) => ({ name: p.name, in: p.in, required: !!p.required, schema: p.schema ?? {} }));
      let body: Operation['body'];
      const content = op.requestBody?.content as Record<string, S> | undefined;
      if (content && Object.keys(content).length) {
        const type = Object.keys(content).find((t) => t === 'application/json') ?? Object.keys(content)[0];
        body = { type, schema: content[type].schema ?? {}, required: !!op.requestBody.required };
      }
      const responses = new Map<string, Map<string, ValidateFunction | null>>();
      for (const [status, r] of Object.entries<S>(op.responses ?? {})) {
        const media = new Map<string, ValidateFunction | null>();
        for (const [type, m] of Object.entries<S>(r.content ?? {})) {
          const json = /json/.test(type) && m.schema && Object.keys(m.schema).length > 0;
          media.set(type, json ? ajv.compile(oasToJsonSchema(m.schema) as object) : null);
        }
        responses.set(status, media);
      }
      ops.push({ method: method.toUpperCase(), path, params, body, responses });
    }
  }
  return ops;
}

// ---- generators from the schemas ----

const SMALL = 8;

/**
 * Real values by field or parameter name (case, user and component ids, class and grid codes, department ids,
 * points inside the district): a positive value of a field so named is one of them three times in four, so writes
 * get past the checks that need real references (an unknown class, a point outside the district) and reach the
 * engine. Taken from the database before the run (tests/server/http/fuzz.test.ts).
 */
export type Known = Record<string, readonly unknown[]>;

/** A field's value: from `known` when there are real values by that name, else from the schema. */
function field(name: string, s: S, known: Known, depth: number): fc.Arbitrary<unknown> {
  const pool = known[name];
  const generated = positive(s, depth, known);
  return pool?.length ? fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: 3 }, { arbitrary: generated, weight: 1 }) : generated;
}

/** Data that the schema allows. */
export function positive(s: S, depth = 0, known: Known = {}): fc.Arbitrary<unknown> {
  if (!s || typeof s !== 'object') return fc.constant(null);
  if (Array.isArray(s.enum) && s.enum.length) return fc.constantFrom(...s.enum);
  if (s.nullable) return fc.option(positive({ ...s, nullable: false }, depth, known), { nil: null, freq: 6 });
  for (const k of ['anyOf', 'oneOf']) if (Array.isArray(s[k]) && s[k].length) return fc.oneof(...s[k].map((x: S) => positive({ ...x }, depth, known)));
  if (Array.isArray(s.allOf) && s.allOf.length) return positive(Object.assign({}, ...s.allOf), depth, known);
  switch (s.type) {
    case 'string': return stringOf(s);
    case 'integer': {
      const min = s.minimum ?? -1_000_000, max = s.maximum ?? 1_000_000;
      const lo = Math.max(min, Number.MIN_SAFE_INTEGER), hi = Math.min(max, Number.MAX_SAFE_INTEGER);
      return fc.oneof(fc.integer({ min: lo, max: Math.min(hi, lo + 100) }), fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi));
    }
    case 'number': {
      const min = s.minimum ?? -1e6, max = s.maximum ?? 1e6;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true, minExcluded: s.exclusiveMinimum === true, maxExcluded: s.exclusiveMaximum === true });
    }
    case 'boolean': return fc.boolean();
    case 'array': {
      const minLength = s.minItems ?? 0, maxLength = Math.max(minLength, Math.min(s.maxItems ?? 4, 4));
      const item = positive(s.items ?? {}, depth + 1, known);
      return s.uniqueItems ? fc.uniqueArray(item, { minLength, maxLength, selector: (x) => JSON.stringify(x) }) : fc.array(item, { minLength, maxLength });
    }
    case 'object': case undefined: {
      if (!s.properties) return s.type === 'object' ? fc.constant({}) : fc.jsonValue({ maxDepth: 2 });
      const required: string[] = s.required ?? [];
      const props = Object.fromEntries(Object.entries<S>(s.properties).map(([k, v]) => [k, field(k, v, known, depth + 1)]));
      return fc.record(props, { requiredKeys: required.filter((k) => k in props) });
    }
    default: return fc.constant(null);
  }
}

function stringOf(s: S): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0, maxLength = Math.max(minLength, Math.min(s.maxLength ?? 40, 60));
  const fits = (x: string) => x.length >= minLength && x.length <= (s.maxLength ?? Infinity);
  if (s.format === 'uuid') return fc.uuid();
  if (s.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'date') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'binary') return fc.string({ maxLength: 16 });
  if (typeof s.pattern === 'string') {
    let re: RegExp | null = null;
    try { re = new RegExp(s.pattern); } catch { /* not a JS pattern: plain strings */ }
    if (re) return fc.stringMatching(re, { size: 'xsmall' }).filter(fits);
  }
  return fc.oneof(
    fc.string({ minLength, maxLength }),
    fc.string({ minLength, maxLength, unit: 'grapheme' }),
    fc.string({ minLength, maxLength: Math.max(minLength, Math.min(maxLength, SMALL)), unit: 'binary' }),
  ).filter(fits);
}

const HUGE_INTS = ['99999999999999999999', '-99999999999999999999', '18446744073709551616', '9223372036854775808', '1e400', '-0', '1.5', 'NaN'];
const BAD_STRINGS = ['\u0000', 'a\u0000b', '\ud800', 'x\udc00y', 'e\u0301', '\uFEFF', '\u202E', "'; drop table cases; --", '../../etc/passwd', '%00', '{}', ''];

/** A value of the wrong kind for any schema. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...BAD_STRINGS),
  fc.constantFrom<unknown>(...HUGE_INTS),
  fc.constantFrom<unknown>(1e308, -1e308, 2 ** 64, -(2 ** 63), 0.1, -1, 0, true, false, null, [], {}, [[[]]]),
  fc.integer({ min: 1, max: 3 }).map((n) => 'x'.repeat(10 ** (n + 2))), // 1,000 … 100,000 characters
  fc.integer({ min: 20, max: 200 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n))), // deep nesting
  fc.jsonValue({ maxDepth: 3 }),
);

// ---- requests ----

type Parts = { path: Record<string, unknown>; query: Record<string, unknown>; header: Record<string, unknown>; body: unknown; hasBody: boolean };

function partsArbitrary(op: Operation, known: Known): fc.Arbitrary<Parts> {
  const rec = (where: 'path' | 'query' | 'header') => {
    const ps = op.params.filter((p) => p.in === where);
    return fc.record(Object.fromEntries(ps.map((p) => [p.name, field(p.name, p.schema, known, 0)])),
      { requiredKeys: ps.filter((p) => p.required || where === 'path').map((p) => p.name) });
  };
  const body: fc.Arbitrary<{ body: unknown; hasBody: boolean }> = op.body
    ? (/json/.test(op.body.type) ? positive(op.body.schema, 0, known) : fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b))))
      .map((b) => ({ body: b, hasBody: true }))
    : fc.constant({ body: undefined, hasBody: false });
  return fc.record({ path: rec('path'), query: rec('query'), header: rec('header'), b: body })
    .map(({ path, query, header, b }) => ({ path, query, header, body: b.body, hasBody: b.hasBody }));
}

type Mutation = (p: Parts, pick: number, value: unknown) => { parts: Parts; name: string; raw?: string; contentType?: string } | null;

const keysOf = (o: unknown) => (o && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o) : []);

const MUTATIONS: Mutation[] = [
  // a parameter of the wrong kind
  (p, pick, value) => {
    const all = [...Object.keys(p.path).map((k) => ['path', k]), ...Object.keys(p.query).map((k) => ['query', k])] as ['path' | 'query', string][];
    if (!all.length) return null;
    const [where, k] = all[pick % all.length];
    return { parts: { ...p, [where]: { ...p[where], [k]: typeof value === 'object' ? JSON.stringify(value) : value } }, name: `${where}.${k} = hostile` };
  },
  // a body field of the wrong kind
  (p, pick, value) => {
    const ks = keysOf(p.body);
    if (!p.hasBody) return null;
    if (!ks.length) return { parts: { ...p, body: value }, name: 'body = hostile' };
    const k = ks[pick % ks.length];
    return { parts: { ...p, body: { ...(p.body as S), [k]: value } }, name: `body.${k} = hostile` };
  },
  // a required body field missing, or an extra one
  (p, pick, value) => {
    const ks = keysOf(p.body);
    if (!p.hasBody || !ks.length) return null;
    if (pick % 2) { const k = ks[pick % ks.length]; const { [k]: _, ...rest } = p.body as S; return { parts: { ...p, body: rest }, name: `body.${k} missing` }; }
    return { parts: { ...p, body: { ...(p.body as S), extra_fuzz_field: value } }, name: 'body.extra_fuzz_field' };
  },
  // an unknown query parameter
  (p, _pick, value) => ({ parts: { ...p, query: { ...p.query, fuzz_unknown: typeof value === 'string' ? value : JSON.stringify(value) } }, name: 'query.fuzz_unknown' }),
  // a body that is not what the content type says, or a content type the route does not take
  (p, pick) => {
    if (!p.hasBody) return null;
    const raws = ['{"a":', '[1,2', 'null', '"\\ud800"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000', '1e999999'];
    if (pick % 3 === 0) return { parts: p, name: 'content-type text/plain', raw: 'hello', contentType: 'text/plain' };
    return { parts: p, name: 'malformed JSON', raw: raws[pick % raws.length], contentType: 'application/json' };
  },
  // a mangled Authorization header
  (p, pick) => ({ parts: { ...p, header: { ...p.header, authorization: ['Bearer ', 'Bearer \u0000', 'Basic YWRtaW46ZGVtbw==', `Bearer ${'a'.repeat(5000)}`, 'Bearer 00000000-0000-0000-0000-000000000000'][pick % 5] } }, name: 'authorization mangled' }),
];

/** encodeURIComponent that also sends a lone surrogate, as the UTF-8-like bytes a broken client would send. */
function enc(x: string): string {
  return !/\p{Cs}/u.test(x)
    ? encodeURIComponent(x)
    : [...x].map((ch) => (/\p{Cs}/u.test(ch)
      ? [0xe0 | (ch.charCodeAt(0) >> 12), 0x80 | ((ch.charCodeAt(0) >> 6) & 0x3f), 0x80 | (ch.charCodeAt(0) & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('')
      : encodeURIComponent(ch))).join('');
}

const text = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function toInject(op: Operation, parts: Parts, extra: { raw?: string; contentType?: string } = {}): FuzzRequest['inject'] {
  let url = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => enc(text(parts.path[name] ?? 'x')));
  const q: string[] = [];
  for (const [k, v] of Object.entries(parts.query)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) q.push(`${enc(k)}=${enc(text(x))}`);
  }
  const qs = q.join('&');
  if (qs) url += `?${qs}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(parts.header)) if (v !== undefined) headers[k.toLowerCase()] = String(v).replace(/[\r\n]/g, ' ');
  const inject: FuzzRequest['inject'] = { method: op.method, url, headers };
  if (extra.raw !== undefined) {
    headers['content-type'] = extra.contentType ?? 'application/json';
    inject.payload = extra.raw;
  } else if (parts.hasBody && parts.body !== undefined) {
    const type = op.body!.type;
    headers['content-type'] = type;
    inject.payload = /json/.test(type) ? JSON.stringify(parts.body) : (parts.body as string | Buffer);
  }
  return inject;
}

export type Generator = (index: number) => FuzzRequest & { opIndex: number };

/**
 * Request `index` of a run: the operation is index mod the number of operations (every operation gets its share),
 * the role and whether (and how) the request is spoiled come from seed + index.
 */
export function generator(ops: Operation[], roles: string[], seed: number, negativeShare = 0.5, known: Known = {}): Generator {
  const arbs = ops.map((op) => partsArbitrary(op, known));
  const choice = fc.record({ role: fc.nat(), neg: fc.double({ min: 0, max: 1, noNaN: true }), m: fc.nat(), pick: fc.nat(), value: hostile });
  return (index) => {
    const opIndex = index % ops.length;
    const op = ops[opIndex];
    const mrng = new fc.Random(xoroshiro128plus(seed + index));
    const parts = arbs[opIndex].generate(mrng, 2).value;
    const c = choice.generate(mrng, 2).value;
    const role = roles[c.role % roles.length];
    if (c.neg < negativeShare) {
      for (let i = 0; i < MUTATIONS.length; i++) {
        const m = MUTATIONS[(c.m + i) % MUTATIONS.length](parts, c.pick, c.value);
        if (m) return { opIndex, op: `${op.method} ${op.path}`, role, negative: m.name, inject: toInject(op, m.parts, m) };
      }
    }
    return { opIndex, op: `${op.method} ${op.path}`, role, negative: null, inject: toInject(op, parts) };
  };
}

// ---- checks ----

export function check(op: Operation, res: { statusCode: number; headers: Record<string, unknown>; body: string }): { kind: string; detail: string } | null {
  const status = res.statusCode;
  if (status >= 500) return { kind: '5xx', detail: res.body.slice(0, 500) };
  const declared = op.responses.get(String(status)) ?? op.responses.get(`${String(status)[0]}XX`) ?? op.responses.get('default');
  if (!declared) return { kind: 'undeclared status', detail: `${status} not in [${[...op.responses.keys()].join(', ')}]: ${res.body.slice(0, 300)}` };
  const type = String(res.headers['content-type'] ?? '').split(';')[0].trim();
  if (!res.body.length || !/json/.test(type)) return null;
  const validate = declared.get(type);
  if (validate === undefined) {
    return declared.size ? { kind: 'undeclared content type', detail: `${type} not in [${[...declared.keys()].join(', ')}]` } : null;
  }
  if (validate === null) return null;
  let body: unknown;
  try { body = JSON.parse(res.body); } catch { return { kind: 'invalid JSON', detail: res.body.slice(0, 300) }; }
  if (!validate(body)) return { kind: 'schema mismatch', detail: `${JSON.stringify(validate.errors?.slice(0, 3))} in ${res.body.slice(0, 300)}` };
  return null;
}

// ---- a run ----

export const DEMO_ROLES = ['inspector1', 'inspector2', 'operator1', 'shiftlead1', 'dispatcher1', 'crew1', 'leader1', 'admin'] as const;
export const ROLES = ['anonymous', ...DEMO_ROLES];

/** Operations whose success ends the caller's (or any) session: the tokens are refreshed after them. */
const ENDS_SESSIONS = /^(POST \/api\/auth\/logout|POST \/api\/users\/\{id\}\/sessions\/revoke|PATCH \/api\/users\/\{id\})$/;

export type RunOptions = {
  seed: number; from: number; to: number; only?: number; negativeShare?: number;
  /** Logs every request of this operation ("POST /api/cases") with its answer (FUZZ_TRACE). */
  trace?: string;
  /** Real values by field name (see Known). */
  known?: Known;
  /** Puts the demo users back as they were (roles, password, enabled) after a request changed one of them. */
  restoreUsers?: () => Promise<void>;
};
export type RunResult = { requests: number; findings: Finding[]; statuses: Map<string, number>; warnings: Finding[]; perOp: Map<string, number>; msPerOp: Map<string, number>; loginMs?: number; logins?: number; lost401: Map<string, number> };

/**
 * Sends requests from..to-1 (or only `only`) to the app and checks every answer. /api/live is requested
 * anonymously only: an authorised request opens an endless stream, which app.inject cannot end.
 */
export async function run(app: FastifyInstance, ops: Operation[], opts: RunOptions): Promise<RunResult> {
  const gen = generator(ops, ROLES, opts.seed, opts.negativeShare, opts.known);
  const tokens = new Map<string, string | null>();
  let logins = 0, loginMs = 0;
  const login = async (u: string) => {
    logins++;
    const t = performance.now();
    const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: u, password: 'demo' } });
    tokens.set(u, r.statusCode === 200 ? r.json().token : null);
    loginMs += performance.now() - t;
  };
  for (const u of DEMO_ROLES) await login(u);
  const result: RunResult = { requests: 0, findings: [], statuses: new Map(), warnings: [], perOp: new Map(), msPerOp: new Map(), lost401: new Map() };
  const indices = opts.only !== undefined ? [opts.only] : Array.from({ length: opts.to - opts.from }, (_, i) => opts.from + i);
  let previous = '';
  for (const index of indices) {
    const req = gen(index);
    const op = ops[req.opIndex];
    if (op.path === '/api/live') req.role = 'anonymous';
    if (req.role !== 'anonymous' && !req.inject.headers?.authorization) {
      const t = tokens.get(req.role);
      if (t) (req.inject.headers as Record<string, string>).authorization = `Bearer ${t}`;
    }
    if (op.path === '/api/live' && !req.negative) (req.inject.headers as Record<string, string>).authorization = 'Bearer fuzz-not-a-token';
    // from addresses of their own: the login throttle's refusals of fuzzed logins do not lock the roles' logins out
    req.inject.remoteAddress = `198.51.100.${(index % 200) + 1}`;
    const t0 = performance.now();
    const res = await app.inject(req.inject);
    result.msPerOp.set(req.op, (result.msPerOp.get(req.op) ?? 0) + performance.now() - t0);
    result.requests++;
    result.statuses.set(String(res.statusCode), (result.statuses.get(String(res.statusCode)) ?? 0) + 1);
    result.perOp.set(req.op, (result.perOp.get(req.op) ?? 0) + 1);
    if (res.statusCode === 401 && req.role !== 'anonymous' && !req.negative?.startsWith('authorization')) {
      const k = `${req.op} ${res.body.slice(0, 80)}`;
      result.lost401.set(k, (result.lost401.get(k) ?? 0) + 1);
    }
    if (opts.trace && req.op === opts.trace) {
      console.log(`${index} ${req.role}${req.negative ? ` (${req.negative})` : ''} → ${res.statusCode} ${res.body.slice(0, 160)} ← ${req.inject.url.slice(0, 120)} ${typeof req.inject.payload === 'string' ? req.inject.payload.slice(0, 200) : ''}`);
    }
    const problem = check(op, res);
    if (problem && problem.kind === '5xx' && previous) problem.detail += ` — after ${previous}`;
    previous = `${req.op} as ${req.role}${req.negative ? ` (${req.negative})` : ''} → ${res.statusCode} ${res.body.slice(0, 200)}: ${req.inject.method} ${req.inject.url.slice(0, 200)} ${typeof req.inject.payload === 'string' ? req.inject.payload.slice(0, 300) : ''}`;
    if (problem) {
      const f = { seed: opts.seed, index, kind: problem.kind, status: res.statusCode, request: { op: req.op, role: req.role, negative: req.negative, inject: req.inject }, detail: problem.detail };
      (problem.kind === 'undeclared content type' ? result.warnings : result.findings).push(f);
    }
    // keep each role logged in: its own logout ends its session; revoking or changing a user may end any
    const ownToken = req.role !== 'anonymous' && !req.negative?.startsWith('authorization');
    if (res.statusCode < 300 && req.op === 'POST /api/auth/logout' && ownToken) await login(req.role);
    else if (res.statusCode < 300 && ENDS_SESSIONS.test(req.op)) {
      await opts.restoreUsers?.();
      for (const u of DEMO_ROLES) await login(u);
    }
    else if (res.statusCode === 401 && ownToken && tokens.get(req.role)) await login(req.role);

  }
  result.logins = logins;
  result.loginMs = loginMs;
  return result;
}

/** One line per finding, enough to reproduce it. */
export function describeFinding(f: Finding): string {
  const inj = f.request.inject;
  const payload = inj.payload === undefined ? '' : ` payload=${JSON.stringify(typeof inj.payload === 'string' ? inj.payload.slice(0, 300) : '<bytes>')}`;
  return `[${f.kind}] ${f.status} ${f.request.op} as ${f.request.role}${f.request.negative ? ` (${f.request.negative})` : ''}: `
    + `${inj.method} ${inj.url.slice(0, 300)}${payload} — reproduce with FUZZ_SEED=${f.seed} FUZZ_ONLY=${f.index} — ${f.detail.slice(0, 400)}`;
}
