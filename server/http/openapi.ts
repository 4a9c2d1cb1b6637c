// The edge's contract, in one place (issue 8, defects 5 and 9):
// - every integer a request may carry is bounded (an id, offset or count beyond 32 bits is a 400, never a 500 from
//   the database);
// - every route's response list names the statuses the edge itself answers (400 for a bad request, 401/403 from the
//   auth hooks, 413/415 for a body);
// - the served document is OpenAPI 3.0.3: TypeBox emits JSON Schema 2019-09 (numeric exclusiveMinimum, const,
//   tuples, examples arrays, type "null"), which toOpenApi30 rewrites.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ErrorBody } from './schemas/common.js';

/** The largest integer a request may carry where a schema gives no maximum: PostgreSQL's integer. */
export const INT_MAX = 2_147_483_647;

type Schema = Record<string, unknown>;
const isObj = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A copy of a request schema where every integer has a minimum and a maximum (±INT_MAX when none is given). */
export function boundIntegers(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(boundIntegers);
  if (!isObj(s)) return s;
  const out: Schema = { ...s };
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes('integer')) {
    if (s.maximum === undefined && s.exclusiveMaximum === undefined) out.maximum = INT_MAX;
    if (s.minimum === undefined && s.exclusiveMinimum === undefined) out.minimum = -INT_MAX - 1;
  }
  for (const k of ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains']) {
    if (isObj(s[k]) || Array.isArray(s[k])) out[k] = boundIntegers(s[k]);
  }
  for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) if (Array.isArray(s[k])) out[k] = boundIntegers(s[k]);
  for (const k of ['properties', 'patternProperties']) {
    if (isObj(s[k])) out[k] = Object.fromEntries(Object.entries(s[k]).map(([n, v]) => [n, boundIntegers(v)]));
  }
  // TypeBox keeps its kind under a symbol: copy it so the type provider's runtime checks still recognise the schema.
  for (const sym of Object.getOwnPropertySymbols(s)) (out as Record<symbol, unknown>)[sym] = (s as Record<symbol, unknown>)[sym];
  return out;
}

/** The auth hooks (plugins/auth.ts) as this module recognises them on a route. */
export type AuthHooks = { authenticate: unknown; authenticateOptional: unknown; roleHooks: WeakSet<object> };

/**
 * Wraps app.requireRole so the hooks it makes can be recognised on a route, and returns the set of recognisable
 * hooks. Call after the auth plugin is registered and before the routes.
 */
export function recogniseAuthHooks(app: FastifyInstance): AuthHooks {
  const roleHooks = new WeakSet<object>();
  const requireRole = app.requireRole.bind(app);
  app.requireRole = (...roles) => {
    const hook = requireRole(...roles);
    roleHooks.add(hook);
    return hook;
  };
  return { authenticate: app.authenticate, authenticateOptional: app.authenticateOptional, roleHooks };
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * onRoute: bounds the integers of the request schemas and completes the response list with the statuses the edge
 * answers for this route. Hidden routes are left alone.
 */
export function completeRoute(route: RouteOptions, auth: AuthHooks): void {
  const schema = route.schema as Schema | undefined;
  if (!schema || schema.hide) return;
  for (const part of ['querystring', 'params', 'body', 'headers']) {
    if (schema[part] !== undefined) schema[part] = boundIntegers(schema[part]);
  }
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const hooks = [route.onRequest, route.preHandler, route.preValidation].flat().filter(Boolean) as object[];
  const response = (schema.response ??= {}) as Record<string, unknown>;
  const add = (status: number) => { if (response[status] === undefined && response[String(status)] === undefined) response[status] = ErrorBody; };
  add(400); // a malformed request: validation, text normalisation (NUL), a body that does not parse
  if (hooks.some((h) => h === auth.authenticate || h === auth.authenticateOptional || auth.roleHooks.has(h))) add(401);
  if (hooks.some((h) => auth.roleHooks.has(h))) add(403);
  if (methods.some((m) => BODY_METHODS.has(m))) { add(413); add(415); }
}

// ---- the served document: JSON Schema 2019-09 (TypeBox) → OpenAPI 3.0.3 Schema Objects ----

const OAS30_KEYWORDS = new Set([
  'title', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength',
  'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'required', 'enum', 'type',
  'allOf', 'oneOf', 'anyOf', 'not', 'items', 'properties', 'additionalProperties', 'description', 'format', 'default',
  'nullable', 'discriminator', 'readOnly', 'writeOnly', 'xml', 'externalDocs', 'example', 'deprecated', '$ref',
]);

const isNullSchema = (s: unknown) => isObj(s) && s.type === 'null' && Object.keys(s).filter((k) => k !== 'description').length === 1;

/** One JSON Schema (2019-09, as TypeBox and @fastify/swagger leave it) as an OpenAPI 3.0 Schema Object. */
export function schemaToOas30(input: unknown): unknown {
  if (!isObj(input)) return input;
  let s: Schema = { ...input };
  if ('const' in s) { s.enum = [s.const]; delete s.const; }
  if (Array.isArray(s.examples)) { if (s.example === undefined && s.examples.length) s.example = s.examples[0]; delete s.examples; }
  if (typeof s.exclusiveMinimum === 'number') { s.minimum = s.exclusiveMinimum; s.exclusiveMinimum = true; }
  if (typeof s.exclusiveMaximum === 'number') { s.maximum = s.exclusiveMaximum; s.exclusiveMaximum = true; }
  if (Array.isArray(s.type)) {
    const types = (s.type as string[]).filter((t) => t !== 'null');
    if (types.length < s.type.length) s.nullable = true;
    if (types.length === 1) s.type = types[0];
    else { delete s.type; s.anyOf = types.map((t) => ({ type: t })); }
  }
  if (s.type === 'null') { delete s.type; s.nullable = true; s.enum = [null]; }
  for (const k of ['anyOf', 'oneOf'] as const) {
    const xs = s[k];
    if (Array.isArray(xs) && xs.some(isNullSchema)) {
      const rest = xs.filter((x) => !isNullSchema(x));
      if (rest.length === 1 && isObj(rest[0]) && !('$ref' in rest[0])) {
        delete s[k];
        s = { ...s, ...(rest[0] as Schema), nullable: true };
        if (input.description !== undefined) s.description = input.description;
      } else {
        s[k] = rest.map((x) => (isObj(x) && !('$ref' in x) ? { ...x, nullable: true } : x));
        if (rest.length === 1) s[k] = [...(s[k] as unknown[]), { type: 'object', nullable: true, enum: [null] }];
        s.nullable = true;
      }
    }
  }
  const tuple = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : null;
  if (tuple) {
    const distinct = [...new Map(tuple.map((t) => [JSON.stringify(t), t])).values()];
    s.items = distinct.length === 1 ? distinct[0] : { anyOf: distinct };
    s.minItems ??= tuple.length;
    if (s.additionalItems === false || s.items === false || s.prefixItems) s.maxItems ??= tuple.length;
  }
  if (isObj(s.patternProperties) && s.additionalProperties === undefined) {
    const vs = Object.values(s.patternProperties);
    if (vs.length === 1) s.additionalProperties = vs[0];
  }
  if (s.type === undefined && s.$ref === undefined && !s.anyOf && !s.oneOf && !s.allOf && !s.not && s.nullable && !s.enum) {
    delete s.nullable; // nullable without a type is meaningless in 3.0.3: an unconstrained schema already allows null
  }
  for (const k of Object.keys(s)) if (!OAS30_KEYWORDS.has(k) && !k.startsWith('x-')) delete s[k];
  if ('$ref' in s) return { $ref: s.$ref }; // siblings of $ref are ignored in 3.0.3
  if (isObj(s.properties)) s.properties = Object.fromEntries(Object.entries(s.properties).map(([n, v]) => [n, schemaToOas30(v)]));
  for (const k of ['items', 'not'] as const) if (isObj(s[k])) s[k] = schemaToOas30(s[k]);
  if (isObj(s.additionalProperties)) s.additionalProperties = schemaToOas30(s.additionalProperties);
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) if (Array.isArray(s[k])) s[k] = (s[k] as unknown[]).map(schemaToOas30);
  if (Array.isArray(s.required) && s.required.length === 0) delete s.required;
  return s;
}

function mapContent(content: unknown): void {
  if (!isObj(content)) return;
  for (const media of Object.values(content)) if (isObj(media) && media.schema !== undefined) media.schema = schemaToOas30(media.schema);
}

/** The document @fastify/swagger built, with every Schema Object rewritten to OpenAPI 3.0.3 (swagger's transformObject). */
export function toOpenApi30<T>(doc: T): T {
  const d = doc as unknown as { components?: { schemas?: Schema }; paths?: Record<string, Record<string, Schema>> };
  if (d.components?.schemas) {
    for (const [k, v] of Object.entries(d.components.schemas)) d.components.schemas[k] = schemaToOas30(v);
  }
  for (const item of Object.values(d.paths ?? {})) {
    for (const op of Object.values(item)) {
      if (!isObj(op)) continue;
      if (Array.isArray(op.parameters)) {
        for (const p of op.parameters) if (isObj(p) && p.schema !== undefined) p.schema = schemaToOas30(p.schema);
      }
      if (isObj(op.requestBody)) mapContent(op.requestBody.content);
      if (isObj(op.responses)) {
        for (const r of Object.values(op.responses)) {
          if (!isObj(r)) continue;
          mapContent(r.content);
          if (isObj(r.headers)) for (const h of Object.values(r.headers)) if (isObj(h) && h.schema !== undefined) h.schema = schemaToOas30(h.schema);
        }
      }
    }
  }
  return doc;
}
