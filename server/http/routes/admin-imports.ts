// Imports as jobs for the admin console (issue 10), admin only: upload a component or case file, get a job at once
// (202) and poll it for progress; at the end download every rejected row as CSV. The file is spooled first, like
// the direct imports (routes/import.ts, routes/import-cases.ts: same query options, same limits), so a document that
// is cut short or not CSV/GeoJSON is refused before a job starts. A retry with the same Idempotency-Key returns the
// job the first request started (header idempotent-replayed: true) and imports nothing.
//
// Not fastify-plugin: its stream parsers stay in its own scope.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import { spoolImport } from '../body.js';
import { DocumentCheck } from '../../services/import-document.js';
import { ImportJobs, type JobStart } from '../../services/import-jobs.js';
import { DomainError } from '../../domain/errors.js';
import { loadWorkRules, type WorkRules } from '../../services/work-rules.js';
import { ErrorBody } from '../schemas/common.js';
import { Content, StringEnum } from '../schemas/shapes.js';
import { FileName, ImportJobParams, ImportJobSchema } from '../schemas/admin.js';
import { currentUser, requestMeta } from '../plugins/auth.js';
import { ComponentImportQuery, DEFAULT_IMPORT_BODY_LIMIT, IMPORT_FORMATS, componentImportOptions } from './import.js';
import { CaseImportQuery, caseImportOptions } from './import-cases.js';

const ComponentsQuery = Type.Object({ ...ComponentImportQuery.properties, file_name: FileName }, { additionalProperties: false });
const CasesQuery = Type.Object({ ...CaseImportQuery.properties, file_name: FileName }, { additionalProperties: false });
const Headers = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const startErrors = { ...errors, 408: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody };
const INSTEAD = 'split the file, or use npm run import / npm run import:cases on the server';

type Opts = { deps: Deps & { clock: { now(): Date }; work?: WorkRules }; bodyLimit?: number; mappings_dir?: string };

const adminImportRoutes: FastifyPluginAsync<Opts> = async (app, { deps, bodyLimit = DEFAULT_IMPORT_BODY_LIMIT, mappings_dir }) => {
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(Object.keys(IMPORT_FORMATS), (_req: FastifyRequest, payload: unknown, done: (err: Error | null, body?: unknown) => void) => done(null, payload));

  const adminOnly = app.requireRole('admin');
  const work = deps.work ?? loadWorkRules();
  const jobs = new ImportJobs(deps.db, deps.clock, (e) => app.log.error({ err: e }, 'import job failed'));
  app.addHook('onClose', () => jobs.settle());

  /** Spools the body, then starts the job; options are checked before a byte is read. */
  const start = async (req: FastifyRequest, reply: FastifyReply, job: (format: 'csv' | 'geojson') => JobStart, file_name: string | undefined) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = IMPORT_FORMATS[type];
    if (!format) throw new DomainError('unsupported_media_type', 'Send the file as text/csv or application/geo+json', { field: 'content-type' });
    const what = job(format);
    const body = await spoolImport(req, reply, { limit: bodyLimit, instead: INSTEAD, config: deps.config, check: new DocumentCheck(format) });
    const key = req.headers['idempotency-key'];
    const out = await jobs.start(currentUser(req), what, body, {
      file_name: file_name ?? null, idempotency_key: typeof key === 'string' ? key : null, ip: requestMeta(req).ip,
    }).catch(async (e) => { await body.remove(); throw e; });
    if (out.replayed) reply.header('idempotent-replayed', 'true');
    return reply.status(out.replayed ? 200 : 202).send(out.job);
  };

  const description = (what: string, direct: string) => `Body: ${what}, as for ${direct} (same query options). Answers 202 with the job as soon as the `
    + 'file is received and checked; poll GET /api/admin/imports/{id} for progress. Retry-safe with Idempotency-Key (200 with the first job).';

  app.post<{ Querystring: Static<typeof ComponentsQuery> }>('/api/admin/imports/components', {
    onRequest: adminOnly,
    bodyLimit,
    schema: {
      tags: ['import'], summary: 'Start a component import job from GeoJSON or CSV (admin)',
      description: description('a GeoJSON FeatureCollection or CSV with lon,lat columns', 'POST /api/admin/import/components'),
      querystring: ComponentsQuery, headers: Headers,
      response: { 200: ImportJobSchema, 202: ImportJobSchema, ...startErrors },
    },
  }, async (req, reply) => {
    const { file_name, ...q } = req.query;
    return start(req, reply, (format) => ({ kind: 'components', options: { ...componentImportOptions(q), format } }), file_name);
  });

  app.post<{ Querystring: Static<typeof CasesQuery> }>('/api/admin/imports/cases', {
    onRequest: adminOnly,
    bodyLimit,
    schema: {
      tags: ['import'], summary: 'Start a case import job from CSV or GeoJSON (admin)',
      description: description('CSV or a GeoJSON FeatureCollection of points', 'POST /api/admin/import/cases'),
      querystring: CasesQuery, headers: Headers,
      response: { 200: ImportJobSchema, 202: ImportJobSchema, ...startErrors },
    },
  }, async (req, reply) => {
    const { file_name, ...q } = req.query;
    return start(req, reply, (format) => ({ kind: 'cases', options: { ...caseImportOptions(q, work, mappings_dir), format } }), file_name);
  });

  app.get<{ Querystring: { limit: number } }>('/api/admin/imports', {
    onRequest: adminOnly,
    schema: {
      tags: ['import'], summary: 'Import jobs, newest first (admin)',
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(ImportJobSchema) }), ...errors },
    },
  }, async (req) => ({ items: await jobs.list(req.query.limit) }));

  app.get<{ Params: Static<typeof ImportJobParams> }>('/api/admin/imports/:id', {
    onRequest: adminOnly,
    schema: {
      tags: ['import'], summary: 'One import job: progress while running, counts and the first rejected rows when done (admin)',
      params: ImportJobParams,
      response: { 200: ImportJobSchema, ...errors },
    },
  }, async (req) => jobs.view(req.params.id));

  app.get<{ Params: Static<typeof ImportJobParams> }>('/api/admin/imports/:id/rejected.csv', {
    onRequest: adminOnly,
    schema: {
      tags: ['import'], summary: 'Every rejected row of a finished import job as CSV: row, code, reason, detail (admin)',
      description: 'reason in the language asked for (lang=zh|en; without it, Accept-Language: zh… gives zh, anything else en); detail: the importer\'s own English sentence.',
      params: ImportJobParams,
      querystring: Type.Object({ lang: Type.Optional(StringEnum(['zh', 'en'] as const)) }, { additionalProperties: false }),
      response: { 200: Content('The rejected rows', { 'text/csv': Type.String({ description: 'CSV, UTF-8 with a byte-order mark, a header row: row,code,reason,detail (行号,代码,原因,详情 in zh)' }) }), ...errors, 422: ErrorBody },
    },
  }, async (req, reply) => {
    const { lang } = req.query as { lang?: 'zh' | 'en' };
    const csv = await jobs.rejectedCsv(req.params.id, lang ?? (/^\s*zh/i.test(req.headers['accept-language'] ?? '') ? 'zh' : 'en'));
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="rejected-${req.params.id.slice(0, 8)}.csv"`)
      .send(csv);
  });
};

export default adminImportRoutes;
