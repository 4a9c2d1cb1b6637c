// Historical case import (历史案卷导入), `POST /api/admin/import/cases`: admin only. The body, CSV (`text/csv`) or a
// GeoJSON FeatureCollection (`application/geo+json` or `application/json`), is not buffered in memory: this
// plugin's own content-type parsers hand the raw request stream to http/body.ts, which spools it to a temporary
// file (413 past the limit, 408 when it stalls) while DocumentCheck checks the document, so a refused document
// changes nothing; only then does the service import the file, in slices of short transactions.
//
// Registration (server/app.ts), after the auth plugin and where the case deps (work rules) exist; not wrapped in
// fastify-plugin, so its stream parsers stay in its own scope:
//   await app.register(importCasesRoutes, { deps: { ...d, work: caseDeps.work } });
import type { FastifyPluginAsync, FastifyRequest, onRequestHookHandler } from 'fastify';
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import { spoolImport } from '../body.js';
import { DocumentCheck } from '../../services/import-document.js';
import { DomainError } from '../../domain/errors.js';
import { CHANNELS, channelValues, parseCaseFieldMap, statusValues, type Channel } from '../../domain/case-import.js';
import { HTTP_CASE_SLICE_ROWS, importCases, readMapping, type CaseImportFormat } from '../../services/import-cases.js';
import { loadWorkRules, type WorkRules } from '../../services/work-rules.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';

export const DEFAULT_CASE_IMPORT_BODY_LIMIT = 200 * 1024 * 1024;

const Mapping = (description: string) => Type.String({ minLength: 1, maxLength: 100_000, description });

export const CaseImportQuery = Type.Object({
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
const Query = CaseImportQuery;

const Rejected = Type.Object({
  row: Type.Integer(), reason: Type.String({ description: 'why, in English (kept for compatibility)' }), code: Type.String(),
  reason_code: Type.String({ description: 'the rejection code (same as code), to say the reason in the UI\'s language with params' }),
  params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), { description: 'what the reason names: value, field, first_row, grid, …' }),
});
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

/** The import options of a query string (this route's and the admin console's import jobs). @throws DomainError bad_request */
export function caseImportOptions(q: Static<typeof CaseImportQuery>, work: WorkRules, mappings_dir?: string) {
  return {
    work,
    source_system: q.source_system,
    map: parseCaseFieldMap(q.map),
    type_map: readMapping(q.type_map, 'type_map', mappings_dir),
    channel_values: q.channel_values ? channelValues(readMapping(q.channel_values, 'channel_values', mappings_dir)) : undefined,
    status_values: q.status_values ? statusValues(readMapping(q.status_values, 'status_values', mappings_dir)) : undefined,
    default_channel: q.default_channel as Channel | undefined,
    time_zone: q.time_zone,
    crs: q.crs,
  };
}

type Opts = { deps: Deps & { work?: WorkRules }; bodyLimit?: number; mappings_dir?: string };

const importCasesRoutes: FastifyPluginAsync<Opts> = async (app, { deps, bodyLimit = DEFAULT_CASE_IMPORT_BODY_LIMIT, mappings_dir }) => {
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(Object.keys(FORMATS), (_req: FastifyRequest, payload: unknown, done: (err: Error | null, body?: unknown) => void) => done(null, payload));

  const guard = app.hasDecorator('requireRole') ? app.requireRole('admin') : deny;
  const work = deps.work ?? loadWorkRules();

  app.post<{ Querystring: Static<typeof Query> }>('/api/admin/import/cases', {
    onRequest: guard,
    bodyLimit,
    schema: {
      tags: ['import'],
      summary: 'Import past cases of another system from CSV or GeoJSON (admin)',
      description: 'Body: CSV (text/csv) or a GeoJSON FeatureCollection of points (application/geo+json), streamed. Each row becomes an '
        + 'imported case (origin imported) with a hash-chained trail of its known steps, or updates the case imported before from the '
        + 'same source system and id; bad rows are rejected with a reason and the rest imported. The body is spooled before import (408 when it stalls). '
        + 'row = data row after the CSV header / position in `features`, from 1.',
      querystring: Query,
      response: { 200: Result, ...errorResponses, 403: ErrorBody, 408: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody },
    },
  }, async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = FORMATS[type];
    if (!format) throw new DomainError('unsupported_media_type', 'Send the file as text/csv or application/geo+json', { field: 'content-type' });
    const user = req.user;
    const options = {
      ...caseImportOptions(req.query, work, mappings_dir),
      format,
      actor: user ? { id: user.id, username: user.username } : null,
    };
    // The whole body first, outside the database: a slow or stalled client never holds it (408 instead), and a
    // document that is cut short or not CSV/GeoJSON at all is refused before anything is written.
    const body = await spoolImport(req, reply, { limit: bodyLimit, instead: INSTEAD, config: deps.config, check: new DocumentCheck(format) });
    try {
      // Slices of short transactions, so other requests get the database in between; an import that fails
      // part-way in the database can be run again (it updates by source system and id).
      const report = await importCases(deps.db, body.open(), {
        ...options, atomic: false, batch_size: HTTP_CASE_SLICE_ROWS, total_bytes: body.bytes,
      });
      return {
        imported: report.imported, updated: report.updated, unchanged: report.unchanged,
        rejected: report.rejected.map((r) => ({ ...r, reason_code: r.code, params: r.params ?? {} })),
        rejected_total: report.rejected_total, rows: report.rows, departments_created: report.departments_created,
      };
    } finally {
      await body.remove();
    }
  });
};

export default importCasesRoutes;
