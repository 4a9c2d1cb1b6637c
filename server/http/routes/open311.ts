// Open311 GeoReport v2 at /open311/v2/… (issue 11; api.md): discovery, services, service definitions, POST and GET
// requests, tokens and mySociety's servicerequestupdates, each in .json and .xml with the same fields; errors as the
// spec's `errors` list in the format asked for; CORS for browser clients. And the admin's API keys of client systems
// (/api/admin/open311-keys). Thin: the rules are in services/open311.ts and domain/open311.ts.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import type { CaseDeps } from '../../services/cases.js';
import type { PhotoDeps } from '../../services/photos.js';
import {
  KeyRateLimit, MAX_UPLOADS, getRequest, getRequests, getUpdates, issueKey, listKeys, listServices, postRequest, resolveToken,
  revokeKey, serviceDefinition, type Upload,
} from '../../services/open311.js';
import { DomainError } from '../../domain/errors.js';
import { discoveryOf, errorsOf, toXml } from '../../domain/open311.js';
import { STATUS } from '../errors.js';
import { parseMultipart } from '../multipart.js';
import { ErrorBody, Id } from '../schemas/common.js';
import { Content } from '../schemas/shapes.js';
import {
  DiscoverySchema, IssueKeyBody, IssuedKeySchema, JurisdictionQuery, KeySchema, Open311ErrorsSchema, PostAnswerSchema,
  PostForm, RequestSchema, RequestsQuery, ServiceDefinitionSchema, ServiceSchema, TokenAnswerSchema, UpdateSchema,
  UpdatesQuery, XmlBody,
} from '../schemas/open311.js';

export const OPEN311_PREFIX = '/open311/v2';
const FORMATS = ['json', 'xml'] as const;
type Format = (typeof FORMATS)[number];
const XML_TYPE = 'text/xml; charset=utf-8';

/** The format a request asked for: its path's extension (.xml), JSON otherwise. */
const formatOf = (req: FastifyRequest): Format => (/\.xml$/i.test(req.url.split('?')[0]) ? 'xml' : 'json');

/** Statuses an Open311 answer may carry; any other refusal of the case engine (409 aside) is the spec's 400. */
const KEPT = new Set([400, 403, 404, 409, 413, 415, 429]);

function sendErrors(reply: FastifyReply, fmt: Format, status: number, description: string) {
  const body = errorsOf(status, description);
  if (fmt === 'xml') return reply.status(status).type(XML_TYPE).send(toXml('errors', body));
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

/** The answers of one route in one format: 200 (or 201) and its errors, each in that format. */
function answers(fmt: Format, ok: number, json: Parameters<typeof Type.Array>[0] | ReturnType<typeof Type.Object>, errors: number[]) {
  const out: Record<number, unknown> = {};
  out[ok] = fmt === 'json' ? json : Content('GeoReport v2 XML', { 'text/xml': XmlBody });
  for (const s of errors) out[s] = fmt === 'json' ? Open311ErrorsSchema : Content('GeoReport v2 errors, XML', { 'text/xml': XmlBody });
  return out;
}

const uploadsOf = new WeakMap<FastifyRequest, Upload[]>();

/** Route deps: the case engine (reports go through reportCase) and the clock. */
export type Open311RouteDeps = Deps & { cases: CaseDeps };

const open311Routes: FastifyPluginAsyncTypebox<{ deps: Open311RouteDeps }> = async (app, { deps }) => {
  const { config } = deps;
  const clock = deps.cases.clock;
  const photos: PhotoDeps = {
    db: deps.db, photo_dir: config.photo_dir, max_pixels: config.photo_max_pixels, clock,
    secret: config.secret, link_minutes: config.photo_link_minutes,
  };
  const post_limit = config.open311_posts_per_minute > 0
    ? new KeyRateLimit({ burst: config.open311_posts_per_minute, per_minute: config.open311_posts_per_minute }, clock) : null;
  const svc = { cases: deps.cases, photos, photo_max_bytes: config.photo_max_bytes, post_limit };
  const db = deps.db;

  // CORS: any origin may read and post (no cookies are involved; the api_key is in the body); preflights answered.
  app.addHook('onRequest', async (_req, reply) => {
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', 'idempotent-replayed');
  });
  app.options('/*', { schema: { hide: true } }, async (_req, reply) => reply.status(204)
    .header('access-control-allow-methods', 'GET, POST, OPTIONS')
    .header('access-control-allow-headers', 'content-type, idempotency-key')
    .header('access-control-max-age', '86400')
    .send());

  // An empty parameter is an absent one (the spec's rule; clients send `status=&service_code=`).
  app.addHook('preValidation', async (req) => {
    const q = req.query as Record<string, unknown> | undefined;
    if (q) for (const [k, v] of Object.entries(q)) if (v === '' || (Array.isArray(v) && v.every((x) => x === ''))) delete q[k];
  });

  // The v2 practice: form-encoded fields; multipart with `media` / `photo1…` files.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) => {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body as string)) if (k !== '__proto__' && !Object.hasOwn(out, k)) out[k] = v;
    done(null, out);
  });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: MAX_UPLOADS * config.photo_max_bytes + 1024 * 1024 }, (req, body, done) => {
    try {
      const m = parseMultipart(body as Buffer, String(req.headers['content-type']));
      uploadsOf.set(req, m.files.map((f) => ({ field: f.field, bytes: f.bytes })));
      done(null, m.fields);
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  // Every refusal in the spec's shape and in the format asked for.
  app.setErrorHandler((err: FastifyError | DomainError, req, reply) => {
    const fmt = formatOf(req);
    if (err instanceof DomainError) {
      const s = STATUS[err.code];
      const wait = (err.details as { retry_after_s?: unknown } | undefined)?.retry_after_s;
      if (s === 429 && typeof wait === 'number') reply.header('Retry-After', String(Math.ceil(wait)));
      return sendErrors(reply, fmt, KEPT.has(s) ? s : 400, err.message);
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const what = fe.validation.map((v) => `${fe.validationContext ?? 'request'}${v.instancePath.replace(/\//g, '.')} ${v.message}${
        v.keyword === 'additionalProperties' ? `: "${String(v.params?.additionalProperty)}" is not a parameter here` : ''}`).join('; ');
      return sendErrors(reply, fmt, 400, what);
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendErrors(reply, fmt, 413, `The request is larger than allowed: at most ${MAX_UPLOADS} photos of ${Math.round(config.photo_max_bytes / 1024)} KB each; resize them and send again`);
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendErrors(reply, fmt, 415, `Send the form as application/x-www-form-urlencoded or multipart/form-data; got ${req.headers['content-type'] ?? 'no Content-Type'}`);
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return sendErrors(reply, fmt, KEPT.has(fe.statusCode) ? fe.statusCode : 400, fe.message);
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).type('application/json; charset=utf-8').send(errorsOf(500, 'Internal server error'));
  });
  app.setNotFoundHandler((req, reply) => sendErrors(reply, formatOf(req), 404,
    `No Open311 resource ${req.method} ${req.url.split('?')[0].replace(/\.(json|xml)$/i, '')}; start from ${OPEN311_PREFIX}/discovery.json`));

  const send = <T>(reply: FastifyReply, fmt: Format, root: string, value: T, status = 200) =>
    fmt === 'xml' ? reply.status(status).type(XML_TYPE).send(toXml(root, value)) : reply.status(status).send(value);

  for (const fmt of FORMATS) {
    const tags = ['open311'];
    app.get(`/discovery.${fmt}`, {
      schema: { tags, summary: `Service discovery (${fmt})`, response: answers(fmt, 200, DiscoverySchema, [400]) },
    }, async (req, reply) => send(reply, fmt, 'discovery', discoveryOf(`${req.protocol}://${req.host}${OPEN311_PREFIX}`)));

    app.get(`/services.${fmt}`, {
      schema: {
        tags, summary: `The services: one per matter class (GB/T 47678.5-2026), group = major class (${fmt})`,
        querystring: JurisdictionQuery, response: answers(fmt, 200, Type.Array(ServiceSchema), [400, 404]),
      },
    }, async (req, reply) => send(reply, fmt, 'services', await listServices(db, req.query.jurisdiction_id)));

    app.get(`/services/:service_code.${fmt}`, {
      schema: {
        tags, summary: `A service definition: the attributes to send (the component id of a component class) (${fmt})`,
        params: Type.Object({ service_code: Type.String({ maxLength: 40 }) }), querystring: JurisdictionQuery,
        response: answers(fmt, 200, ServiceDefinitionSchema, [400, 404]),
      },
    }, async (req, reply) => send(reply, fmt, 'service_definition', await serviceDefinition(db, req.params.service_code, req.query.jurisdiction_id)));

    app.post(`/requests.${fmt}`, {
      schema: {
        tags, summary: `Report a problem (${fmt}): the same case as POST /api/cases; needs an api_key; retry-safe`,
        description: 'Form fields of GeoReport v2 as application/x-www-form-urlencoded, or multipart/form-data with up to '
          + `${MAX_UPLOADS} photos in \`media\` / \`photo1\`… (JPEG, PNG or WebP, the same checks and limits as POST /api/photos). `
          + 'A retry with the same Idempotency-Key header, or the same attribute[client_request_id] (FixMyStreet: '
          + 'attribute[fixmystreet_id]) from the same key, creates nothing and gets the same answer (header idempotent-replayed: true). '
          + 'The answer carries service_request_id (the case number), or token for a key issued with answer=token (GET tokens/{token}). '
          + 'Without lat/long, address_string is looked up among the district\'s named places (400 when it matches none, or several and none exactly). '
          + 'Each API key may POST GRIDLINE_OPEN311_POSTS_PER_MINUTE times a minute (default 60): past it 429 with Retry-After.',
        consumes: ['application/x-www-form-urlencoded', 'multipart/form-data'],
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
        body: Type.Partial(PostForm, { additionalProperties: Type.String({ maxLength: 1000 }) }),
        response: answers(fmt, 201, PostAnswerSchema, [400, 403, 404, 409, 413, 415, 429]),
      },
    }, async (req, reply) => {
      const key = req.headers['idempotency-key'];
      const r = await postRequest(svc, {
        fields: (req.body ?? {}) as Record<string, unknown>, uploads: uploadsOf.get(req) ?? [],
        idempotency_key: typeof key === 'string' && key ? key : null,
      });
      if (r.replay) reply.header('idempotent-replayed', 'true');
      return send(reply, fmt, 'service_requests', r.answer, 201);
    });

    app.get(`/requests.${fmt}`, {
      schema: {
        tags, summary: `Service requests (${fmt}): by ids, service codes, status, within at most 90 days; at most 1,000, newest first`,
        querystring: RequestsQuery, response: answers(fmt, 200, Type.Array(RequestSchema), [400, 404]),
      },
    }, async (req, reply) => send(reply, fmt, 'service_requests', await getRequests(db, req.query, clock.now())));

    app.get(`/requests/:service_request_id.${fmt}`, {
      schema: {
        tags, summary: `One service request, as an array of one (${fmt})`,
        params: Type.Object({ service_request_id: Type.String({ maxLength: 100 }) }), querystring: JurisdictionQuery,
        response: answers(fmt, 200, Type.Array(RequestSchema, { minItems: 1, maxItems: 1 }), [400, 404]),
      },
    }, async (req, reply) => send(reply, fmt, 'service_requests', await getRequest(db, req.params.service_request_id, req.query)));

    app.get(`/tokens/:token.${fmt}`, {
      schema: {
        tags, summary: `The service_request_id a token stands for (${fmt})`,
        params: Type.Object({ token: Type.String({ maxLength: 100 }) }), querystring: JurisdictionQuery,
        response: answers(fmt, 200, TokenAnswerSchema, [400, 404]),
      },
    }, async (req, reply) => send(reply, fmt, 'service_requests', await resolveToken(db, req.params.token, req.query)));

    app.get(`/servicerequestupdates.${fmt}`, {
      schema: {
        tags, summary: `mySociety's extension: status changes within at most 90 days, oldest first; at most 1,000 (${fmt})`,
        querystring: UpdatesQuery, response: answers(fmt, 200, Type.Array(UpdateSchema), [400, 404]),
      },
    }, async (req, reply) => send(reply, fmt, 'service_request_updates', await getUpdates(db, req.query, clock.now())));
  }
};

/** The admin's API keys of Open311 client systems: issue (the key shown once), list, revoke. */
export const open311KeyRoutes: FastifyPluginAsyncTypebox<{ deps: Open311RouteDeps }> = async (app, { deps }) => {
  const adminOnly = app.requireRole('admin');
  const clock = deps.cases.clock;
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
  const adminOf = (req: FastifyRequest) => ({ id: req.user!.id, username: req.user!.username });

  app.post('/api/admin/open311-keys', {
    onRequest: adminOnly,
    schema: {
      tags: ['open311'], summary: 'Issue an API key to an Open311 client system (admin); the key is in this answer only',
      body: IssueKeyBody, response: { 201: IssuedKeySchema, ...errors, 422: ErrorBody },
    },
  }, async (req, reply) => reply.status(201).send(await issueKey(deps.db, adminOf(req), req.body, clock.now())));

  app.get('/api/admin/open311-keys', {
    onRequest: adminOnly,
    schema: { tags: ['open311'], summary: 'The API keys of Open311 client systems (admin); never the keys themselves', response: { 200: Type.Array(KeySchema), ...errors } },
  }, async () => listKeys(deps.db));

  app.delete('/api/admin/open311-keys/:id', {
    onRequest: adminOnly,
    schema: {
      tags: ['open311'], summary: 'Revoke an API key (admin): its system can no longer POST',
      params: Type.Object({ id: Id('key id') }), response: { 200: KeySchema, ...errors },
    },
  }, async (req) => revokeKey(deps.db, adminOf(req), req.params.id, clock.now()));
};

export default open311Routes;
