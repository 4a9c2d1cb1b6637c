// Component import (部件导入), docs/api.md `POST /api/admin/import/components?class_code=&id_field=`: admin only.
// The body, GeoJSON (`application/geo+json` or `application/json`) or CSV (`text/csv`), is not buffered in memory:
// this plugin's own content-type parsers hand the raw request stream to http/body.ts, which spools it to a
// temporary file (413 past the limit, 408 when it stalls) while DocumentCheck checks the document; only then does
// the service import the file, in slices of short transactions.
//
// Registration (server/app.ts), after the auth plugin, which decorates `app.requireRole`:
//   await app.register(importRoutes, { deps: d });                       // body limit 200 MB
//   await app.register(importRoutes, { deps: d, bodyLimit: 50 * 2**20 });
// Without `app.requireRole` the route refuses every request with 403 rather than run unguarded.
import type { FastifyPluginAsync, FastifyRequest, onRequestHookHandler } from 'fastify';
import { Type, type Static } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import { spoolImport } from '../body.js';
import { DocumentCheck } from '../../services/import-document.js';
import { DomainError } from '../../domain/errors.js';
import { COMPONENT_STATUSES, DATA_SOURCES, parseFieldMap, parseStatusValues, type ComponentStatus, type DataSource } from '../../domain/import/vocabulary.js';
import { HTTP_SLICE_ROWS, importComponents, type ImportFormat } from '../../services/import-components.js';
import { ClassCode, ErrorBody, errorResponses } from '../schemas/common.js';

export const DEFAULT_IMPORT_BODY_LIMIT = 200 * 1024 * 1024;

export const ComponentImportQuery = Type.Object({
  class_code: ClassCode,
  id_field: Type.String({ minLength: 1, maxLength: 200, description: 'property (GeoJSON) or column (CSV) holding the source id' }),
  source: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:/-]{1,80}$', description: 'namespace of the source ids, e.g. cambridge:hydrants' })),
  map: Type.Optional(Type.String({ description: 'fields from properties/columns: status=F,class_code=F,note=F,survey_date=F,change_date=F,data_source=F' })),
  status_values: Type.Optional(Type.String({ description: 'extra status words, e.g. MITFL=damaged,OOS=abandoned' })),
  lon_field: Type.Optional(Type.String({ minLength: 1 })),
  lat_field: Type.Optional(Type.String({ minLength: 1 })),
  crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')])),
  default_status: Type.Optional(Type.Union(COMPONENT_STATUSES.map((s) => Type.Literal(s)))),
  data_source: Type.Optional(Type.Union(DATA_SOURCES.map((s) => Type.Literal(s)))),
  survey_date: Type.Optional(Type.String({ format: 'date' })),
}, { additionalProperties: false });
const Query = ComponentImportQuery;

const Rejected = Type.Object({
  row: Type.Integer(), reason: Type.String({ description: 'why, in English (kept for compatibility)' }), code: Type.String(),
  reason_code: Type.String({ description: 'the rejection code (same as code), to say the reason in the UI\'s language with params' }),
  params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), { description: 'what the reason names: value, field, first_row, grid, …' }),
});
const Result = Type.Object({
  imported: Type.Integer(),
  updated: Type.Integer(),
  rejected: Type.Array(Rejected),
  unchanged: Type.Integer({ description: 'of the updated rows, those where nothing differed' }),
  rejected_total: Type.Integer({ description: 'all rejected rows; `rejected` lists the first 100,000' }),
  rows: Type.Integer(),
});

const FORMATS: Record<string, ImportFormat> = { 'application/geo+json': 'geojson', 'application/json': 'geojson', 'text/csv': 'csv' };

const INSTEAD = 'split the file, or use npm run import on the server';

/** The import options of a query string (this route's and the admin console's import jobs). @throws DomainError bad_request */
export function componentImportOptions(q: Static<typeof ComponentImportQuery>) {
  return {
    class_code: q.class_code,
    id_field: q.id_field,
    source: q.source ?? null,
    map: q.map ? parseFieldMap(q.map) : undefined,
    status_values: q.status_values ? parseStatusValues(q.status_values) : undefined,
    lon_field: q.lon_field ?? null,
    lat_field: q.lat_field ?? null,
    crs: q.crs,
    default_status: q.default_status as ComponentStatus | undefined,
    data_source: q.data_source as DataSource | undefined,
    survey_date: q.survey_date ?? null,
  };
}

export const IMPORT_FORMATS = FORMATS;

const deny: onRequestHookHandler = async () => {
  throw new DomainError('forbidden', 'Importing needs the admin role, and authentication is not set up on this server');
};

const importRoutes: FastifyPluginAsync<{ deps: Deps; bodyLimit?: number }> = async (app, { deps, bodyLimit = DEFAULT_IMPORT_BODY_LIMIT }) => {
  // Streams, not buffers: these parsers apply to this plugin's routes only (encapsulation).
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(Object.keys(FORMATS), (_req: FastifyRequest, payload: unknown, done: (err: Error | null, body?: unknown) => void) => done(null, payload));

  const guard = app.hasDecorator('requireRole') ? app.requireRole('admin') : deny;

  app.post<{ Querystring: Static<typeof Query> }>('/api/admin/import/components', {
    onRequest: guard,
    bodyLimit,
    schema: {
      tags: ['components'],
      summary: 'Import components from GeoJSON or CSV (admin)',
      description: 'Body: a GeoJSON FeatureCollection (application/geo+json or application/json) or CSV with lon,lat columns (text/csv), '
        + 'spooled before import (408 when it stalls). Each row becomes a component with a 17-digit id, or updates the component with the same source id; bad rows are '
        + 'rejected with a reason and the rest imported. row = position in `features` / data row after the CSV header, from 1.',
      querystring: Query,
      response: { 200: Result, ...errorResponses, 403: ErrorBody, 408: ErrorBody, 413: ErrorBody, 415: ErrorBody },
    },
  }, async (req, reply) => {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = FORMATS[type];
    if (!format) throw new DomainError('unsupported_media_type', 'Send the file as text/csv or application/geo+json', { field: 'content-type' });
    const options = componentImportOptions(req.query);
    // The whole body first, outside the database: a slow or stalled client never holds it (408 instead), and a
    // document that is cut short or not GeoJSON/CSV at all is refused before anything is written.
    const body = await spoolImport(req, reply, { limit: bodyLimit, instead: INSTEAD, config: deps.config, check: new DocumentCheck(format) });
    try {
      const report = await importComponents(deps.db, body.open(), {
        ...options,
        format,
        // Slices of short transactions, so other requests get the database in between. A refused document (bad,
        // 413, 408, dropped connection) was refused while spooling, before any write; an import that fails
        // part-way in the database can be run again (it updates by source id).
        atomic: false,
        batch_size: HTTP_SLICE_ROWS,
        total_bytes: body.bytes,
      });
      return {
        imported: report.imported,
        updated: report.updated,
        rejected: report.rejected.map((r) => ({ ...r, reason_code: r.code, params: r.params ?? {} })),
        unchanged: report.unchanged,
        rejected_total: report.rejected_total,
        rows: report.rows,
      };
    } finally {
      await body.remove();
    }
  });
};

export default importRoutes;
