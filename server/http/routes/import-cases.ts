// Historical case import (历史案卷导入), `POST /api/admin/import/cases`: admin only. The body, CSV (`text/csv`) or a
// GeoJSON FeatureCollection (`application/geo+json` or `application/json`), is not buffered: this plugin's own
// content-type parsers hand the raw request stream to the service, which parses it as it arrives. One transaction:
// a request that fails part-way (bad document, 413, dropped connection) changes nothing.
//
// Registration (server/app.ts), after the auth plugin and where the case deps (work rules) exist; not wrapped in
// fastify-plugin, so its stream parsers stay in its own scope:
//   await app.register(importCasesRoutes, { deps: { ...d, work: caseDeps.work } });
import type { FastifyPluginAsync, FastifyRequest, onRequestHookHandler } from 'fastify';
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import { limited, payloadTooLarge } from '../body.js';
import { DomainError } from '../../domain/errors.js';
import { CHANNELS, channelValues, parseCaseFieldMap, statusValues, type Channel } from '../../domain/case-import.js';
import { importCases, readMapping, type CaseImportFormat } from '../../services/import-cases.js';
import { loadWorkRules, type WorkRules } from '../../services/work-rules.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';

export const DEFAULT_CASE_IMPORT_BODY_LIMIT = 200 * 1024 * 1024;

const Mapping = (description: string) => Type.String({ minLength: 1, maxLength: 100_000, description });

const Query = Type.Object({
  source_system: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$', description: 'name of the system the cases come from, e.g. boston311; with the source id it identifies a case' }),
  map: Type.String({
    minLength: 1, maxLength: 4000,
    description: 'columns/properties of the fields: source_id=…,type=…,opened=… (required) and lon, lat, dispatched, target, closed, status, department, channel, description, address, closure',
  }),
  type_map: Mapping('source type → matter class code: a file in data/mappings/ (e.g. boston311-types) or inline JSON / TYPE=CODE,…'),
  channel_values: Type.Optional(Mapping('extra channel words: a file in data/mappings/ (e.g. boston311-channels) or inline WORD=CHANNEL,…')),
  status_values: Type.Optional(Mapping('extra status words: WORD=open|closed,…')),
  default_channel: Type.Optional(Type.Union(CHANNELS.map((c) => Type.Literal(c)))),
  time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'zone of the source\'s local times, e.g. America/New_York (default UTC)' })),
  crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')])),
}, { additionalProperties: false });

const Rejected = Type.Object({ row: Type.Integer(), reason: Type.String(), code: Type.String() });
const Result = Type.Object({
  imported: Type.Integer({ description: 'new cases' }),
  updated: Type.Integer({ description: 'rows matching a case imported before (including unchanged ones)' }),
  unchanged: Type.Integer({ description: 'of the updated rows, those where nothing differed' }),
  rejected: Type.Array(Rejected),
  rejected_total: Type.Integer({ description: 'all rejected rows; `rejected` lists the first 100,000' }),
  rows: Type.Integer(),
  departments_created: Type.Integer(),
});

const FORMATS: Record<string, CaseImportFormat> = { 'application/geo+json': 'geojson', 'application/json': 'geojson', 'text/csv': 'csv' };

const INSTEAD = 'split the file, or use npm run import:cases on the server';

const deny: onRequestHookHandler = async () => {
  throw new DomainError('forbidden', 'Importing needs the admin role, and authentication is not set up on this server');
};

type Opts = { deps: Deps & { work?: WorkRules }; bodyLimit?: number; mappings_dir?: string };

const importCasesRoutes: FastifyPluginAsync<Opts> = async (app, { deps, bodyLimit = DEFAULT_CASE_IMPORT_BODY_LIMIT, mappings_dir }) => {
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(Object.keys(FORMATS), (_req: FastifyRequest, payload: unknown, done: (err: Error | null, body?: unknown) => void) => done(null, payload));

  const requireRole = (app as unknown as { requireRole?: (...roles: string[]) => onRequestHookHandler }).requireRole;
  const guard = requireRole ? requireRole.call(app, 'admin') : deny;
  const work = deps.work ?? loadWorkRules();

  app.post<{ Querystring: Static<typeof Query> }>('/api/admin/import/cases', {
    onRequest: guard,
    bodyLimit,
    schema: {
      tags: ['import'],
      summary: 'Import past cases of another system from CSV or GeoJSON (admin)',
      description: 'Body: CSV (text/csv) or a GeoJSON FeatureCollection of points (application/geo+json), streamed. Each row becomes an '
        + 'imported case (origin imported) with a hash-chained trail of its known steps, or updates the case imported before from the '
        + 'same source system and id; bad rows are rejected with a reason and the rest imported, in one transaction. '
        + 'row = data row after the CSV header / position in `features`, from 1.',
      querystring: Query,
      response: { 200: Result, ...errorResponses, 403: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody },
    },
  }, async (req) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = FORMATS[type];
    if (!format) throw new DomainError('unsupported_media_type', 'Send the file as text/csv or application/geo+json', { field: 'content-type' });
    const declared = Number(req.headers['content-length']);
    if (declared > bodyLimit) throw payloadTooLarge(bodyLimit, INSTEAD);
    const q = req.query;
    const user = (req as unknown as { user?: { id: number; username: string } | null }).user ?? null;
    const report = await importCases(deps.db, limited(req.body as AsyncIterable<Uint8Array>, bodyLimit, INSTEAD), {
      format,
      work,
      source_system: q.source_system,
      map: parseCaseFieldMap(q.map),
      type_map: readMapping(q.type_map, 'type_map', mappings_dir),
      channel_values: q.channel_values ? channelValues(readMapping(q.channel_values, 'channel_values', mappings_dir)) : undefined,
      status_values: q.status_values ? statusValues(readMapping(q.status_values, 'status_values', mappings_dir)) : undefined,
      default_channel: q.default_channel as Channel | undefined,
      time_zone: q.time_zone,
      crs: q.crs,
      atomic: true,
      total_bytes: Number.isFinite(declared) ? declared : null,
      actor: user ? { id: user.id, username: user.username } : null,
    });
    return {
      imported: report.imported, updated: report.updated, unchanged: report.unchanged, rejected: report.rejected,
      rejected_total: report.rejected_total, rows: report.rows, departments_created: report.departments_created,
    };
  });
};

export default importCasesRoutes;
