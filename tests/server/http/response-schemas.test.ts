// Every operation of the served OpenAPI document declares what its success answers look like (issue 8: response
// schemas for every route, so the document is complete and the answers can be checked): a 2xx status, and for each 2xx
// with a body a schema that says something (not `{}` / Type.Unknown), per media type when the route lists several.
import { describe, expect, test } from 'vitest';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { testBackends } from '../../helpers/backends.js';
import { withTestApp } from '../../helpers/app.js';
import { pointInGrid } from '../../helpers/cases.js';
import { eventsAfter, lastEventId } from '../../../server/db/cases.js';
import { LiveCaseEventSchema, ReportResultSchema } from '../../../server/http/schemas/cases.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Schema = Record<string, unknown>;
type Response = { description?: string; content?: Record<string, { schema?: Schema }> };
type Operation = { responses?: Record<string, Response> };

/** Keywords that constrain a value; a schema with none of them accepts anything. */
const CONSTRAINING = ['type', 'properties', 'items', 'anyOf', 'oneOf', 'allOf', '$ref', 'enum', 'const', 'format', 'nullable', 'additionalProperties', 'patternProperties'];

export function trivialSchema(s: Schema | undefined): boolean {
  return !s || !CONSTRAINING.some((k) => k in s);
}

/** What is wrong with an operation's success responses, one line each (empty: nothing). */
export function successProblems(op: Operation): string[] {
  const responses = op.responses ?? {};
  const ok = Object.keys(responses).filter((s) => /^2\d\d$|^2XX$/i.test(s));
  if (!ok.length) return ['no 2xx response'];
  const problems: string[] = [];
  for (const status of ok) {
    if (status === '204') continue; // no body
    const content = responses[status].content ?? {};
    const types = Object.keys(content);
    if (!types.length) problems.push(`${status}: no content`);
    for (const t of types) if (trivialSchema(content[t].schema)) problems.push(`${status} ${t}: schema says nothing (${JSON.stringify(content[t].schema ?? null)})`);
  }
  return problems;
}

describe('the trivial-schema check', () => {
  test('refuses {} and a bare description, accepts real schemas', () => {
    expect(trivialSchema({})).toBe(true);
    expect(trivialSchema({ description: 'the case' })).toBe(true);
    expect(trivialSchema({ type: 'object', properties: {} })).toBe(false);
    expect(trivialSchema({ anyOf: [{ type: 'string' }, { type: 'null' }] })).toBe(false);
    expect(successProblems({ responses: { 200: { content: { 'application/json': { schema: { description: 'x' } } } } } })).toHaveLength(1);
    expect(successProblems({ responses: { 400: { content: { 'application/json': { schema: { type: 'object' } } } } } })).toEqual(['no 2xx response']);
    expect(successProblems({ responses: { 204: { description: 'empty' } } })).toEqual([]);
  });
});

describe.each(testBackends())('response schemas on %s', (backend) => {
  test('every operation of /api/openapi.json declares a non-trivial schema for each 2xx answer', () => withTestApp(backend, async ({ app }) => {
    const doc = (await app.inject('/api/openapi.json')).json() as { paths: Record<string, Record<string, Operation>> };
    const problems: string[] = [];
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'put', 'post', 'patch', 'delete'].includes(method)) continue;
        operations++;
        for (const p of successProblems(op)) problems.push(`${method.toUpperCase()} ${path}: ${p}`);
      }
    }
    expect(operations).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  }));

  test('the case answers name every field: a report, the list, the detail with its trail', () => withTestApp(backend, async ({ app }) => {
    const doc = (await app.inject('/api/openapi.json')).json() as { paths: Record<string, Record<string, Operation>> };
    const json = (path: string, method: string, status: string) => doc.paths[path][method].responses![status].content!['application/json'].schema!;
    const detail = json('/api/cases/{id}', 'get', '200') as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(detail.additionalProperties).toBe(false);
    for (const f of ['id', 'case_no', 'status', 'light', 'reporter_name', 'created_at', 'available_actions', 'trail', 'photos']) {
      expect(detail.properties, f).toHaveProperty(f);
    }
    const report = json('/api/cases', 'post', '201') as { properties: Record<string, unknown> };
    expect(report.properties).toHaveProperty('possible_duplicates');
  }));

  test('an anonymous report and the live event it makes match their schemas exactly', () => withTestApp(backend, async ({ app, db }) => {
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    const p = await pointInGrid(db);
    const before = await lastEventId(db);
    const res = await app.inject({ method: 'POST', url: '/api/cases', payload: { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: 'response schema check' } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    const report = ajv.compile(ReportResultSchema);
    expect(report(body), ajv.errorsText(report.errors)).toBe(true);
    // every property the schema names is sent: a field missing from the schema would have been dropped silently
    expect(Object.keys(body).sort()).toEqual(Object.keys(ReportResultSchema.properties).sort());
    const events = (await eventsAfter(db, before)).filter((e) => e.case_id === body.id);
    expect(events).toHaveLength(1);
    const live = ajv.compile(LiveCaseEventSchema);
    expect(live(events[0].payload), ajv.errorsText(live.errors)).toBe(true);
    expect(Object.keys(events[0].payload).sort()).toEqual(Object.keys(LiveCaseEventSchema.properties).sort());
  }));
});
