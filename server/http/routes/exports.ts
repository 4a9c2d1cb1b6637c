// Exports and the printable monthly report (docs/leader-api.md §Exports): evaluation, headline and case tables as
// CSV/XLSX, cases and the choropleth as GeoJSON, the monthly report as PDF. Thin: files are made in services/.
import { Type, type FastifyPluginAsyncTypebox, type TSchema } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import type { Deps } from '../deps.js';
import type { CaseDeps } from '../../services/cases.js';
import { caseExport, evaluationExport, headlineExport, type ExportFile } from '../../services/exports.js';
import { keptRegionOf } from '../../services/visibility.js';
import { choropleth } from '../../services/stats.js';
import { featureCollectionText } from '../geojson.js';
import { ReportRenderer, RendererUnavailable, reportPath } from '../../services/report-pdf.js';
import { headline, type EvalDeps } from '../../services/evaluation.js';
import { OBJECTS, POSTS, REGION_LEVELS, type EvalObject } from '../../domain/evaluation.js';
import { EXPORT_LANGS, MEDIA_TYPES, type ExportFormat, contentDisposition, exportFilename, monthPeriod, periodPart, type Lang } from '../../domain/exports.js';
import { DomainError } from '../../domain/errors.js';
import { CaseSearchFields } from '../schemas/case-search.js';
import { errorResponses } from '../schemas/common.js';
import { Binary, Content } from '../schemas/shapes.js';
import { FeatureCollectionSchema } from '../schemas/geojson.js';
import { ChoroplethSchema } from '../schemas/stats.js';

const ErrorBody = errorResponses[400];
import { EVALUATION_ROLES } from './evaluation.js';

const CaseCollectionSchema = FeatureCollectionSchema(
  Type.Record(Type.String(), Type.Unknown(), { description: 'the case\'s columns as in the CSV (reporter masked unless the role sees it)' }),
  { name: Type.Literal('cases'), total: Type.Integer({ description: 'cases matching the search' }) },
);
const LangParam = Type.Optional(Type.String({ maxLength: 5, description: 'language of headers and words: zh (default) or en' }));
const DateParam = (what: string) => Type.String({ maxLength: 40, description: `${what}: a local date YYYY-MM-DD of the district (inclusive)` });
const Period = { from: DateParam('first day'), to: DateParam('last day') };
const EvalFilters = {
  level: Type.Optional(Type.String({ maxLength: 20, description: `regions: ${REGION_LEVELS.join(' | ')} (default street)` })),
  parent: Type.Optional(Type.String({ maxLength: 20, description: 'regions: only regions inside this region code' })),
  post: Type.Optional(Type.String({ maxLength: 20, description: `posts: ${POSTS.join(' | ')} (default inspector)` })),
};
/** A 200 that is a file: its media types (MEDIA_TYPES without parameters) and their schemas. */
const FileResponse = (what: string, formats: readonly ExportFormat[], geojson: TSchema = CaseCollectionSchema) => ({
  200: Content(what, Object.fromEntries(formats.map((f) => [MEDIA_TYPES[f].split(';')[0], f === 'geojson' ? geojson
    : f === 'csv' ? Type.String({ description: 'CSV, UTF-8 with a byte-order mark, a header row' }) : Binary(f === 'pdf' ? 'PDF, A4' : 'XLSX workbook')]))),
  ...errorResponses,
  403: ErrorBody, // a region of another district than the one the user is kept to (issue 12)
});

function langOf(v: string | undefined): Lang {
  if (v === undefined || v === '') return 'zh';
  if ((EXPORT_LANGS as readonly string[]).includes(v)) return v as Lang;
  throw new DomainError('bad_request', `lang must be zh or en, got "${v}"`, { lang: 'must be zh or en' });
}


function send(reply: FastifyReply, f: ExportFile) {
  reply.header('content-type', MEDIA_TYPES[f.format]);
  reply.header('content-disposition', contentDisposition(f.filename));
  reply.header('cache-control', 'no-store');
  return reply.send(f.body);
}

const exportsRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases: CaseDeps } }> = async (app, { deps }) => {
  const e: EvalDeps = { db: deps.db, clock: deps.cases.clock, work: deps.cases.work };
  const guard = app.requireRole(...EVALUATION_ROLES);

  app.get('/api/exports/evaluation/:file', {
    onRequest: guard,
    schema: {
      tags: ['exports'], summary: 'The evaluation of regions, departments or posts as CSV or XLSX',
      description: 'Same query as GET /api/evaluation/{object}. One row per object: every indicator\'s numerator, denominator, rate, score, weight and used weight, the composite, the grade, the period and the settings version; XLSX has a second sheet "settings" with the weights, bands and grades used.',
      params: Type.Object({ file: Type.String({ pattern: `^(${OBJECTS.join('|')})\\.(csv|xlsx)$`, description: 'e.g. departments.xlsx' }) }),
      querystring: Type.Object({ ...Period, ...EvalFilters, lang: LangParam }, { additionalProperties: false }),
      response: FileResponse('text/csv (UTF-8 with BOM) or XLSX', ['csv', 'xlsx']),
    },
  }, async (req, reply) => {
    const [object, format] = req.params.file.split('.') as [EvalObject, 'csv' | 'xlsx'];
    const { lang, ...q } = req.query;
    return send(reply, await evaluationExport(e, req.user, object, q, format, langOf(lang)));
  });

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/api/exports/headline.${format}`, {
      onRequest: guard,
      schema: {
        tags: ['exports'], summary: `The headline indicators as ${format.toUpperCase()}`,
        description: 'Same query as GET /api/evaluation/headline; one row per figure with numerator, denominator, value and the Dongcheng reference.',
        querystring: Type.Object({ ...Period, region: Type.Optional(Type.String({ maxLength: 20 })), lang: LangParam }, { additionalProperties: false }),
        response: FileResponse(format.toUpperCase(), [format]),
      },
    }, async (req, reply) => {
      const { lang, ...q } = req.query;
      return send(reply, await headlineExport(e, req.user, q, format, langOf(lang)));
    });
  }

  for (const format of ['csv', 'xlsx', 'geojson'] as const) {
    app.get(`/api/exports/cases.${format}`, {
      onRequest: app.authenticate,
      schema: {
        tags: ['exports'], summary: `Cases matching a search as ${format === 'geojson' ? 'GeoJSON' : format.toUpperCase()} (at most 100,000)`,
        description: 'Same query as GET /api/cases (without paging) and the same visibility. Reporter name and phone only for the roles that see them unmasked. Streams: rows are written as they are read.',
        querystring: Type.Object({ ...CaseSearchFields, lang: LangParam }, { additionalProperties: false }),
        response: FileResponse(format === 'geojson' ? 'GeoJSON FeatureCollection, one point per case' : format.toUpperCase(), [format]),
      },
    }, async (req, reply) => {
      const { lang, ...q } = req.query;
      const f = await caseExport(deps.cases, req.user, q, format, langOf(lang));
      reply.header('x-total-count', String(f.total));
      return send(reply, f);
    });
  }

  app.get('/api/exports/choropleth.geojson', {
    onRequest: guard,
    schema: {
      tags: ['exports'], summary: 'The statistics choropleth as a GeoJSON download',
      description: 'Same query as GET /api/stats/choropleth.',
      querystring: Type.Object({
        ...Period,
        level: Type.Optional(Type.String({ maxLength: 20 })), class: Type.Optional(Type.String({ maxLength: 10 })),
        major: Type.Optional(Type.String({ maxLength: 4 })), channel: Type.Optional(Type.String({ maxLength: 20 })),
        region: Type.Optional(Type.String({ maxLength: 20 })),
      }, { additionalProperties: false }),
      response: FileResponse('GeoJSON FeatureCollection', ['geojson'], ChoroplethSchema),
    },
  }, async (req, reply) => {
    // a user kept to a district: its district's units (or a region within it), as for every export (issue 12)
    const q = { ...req.query, region: await keptRegionOf(deps.db, req.user, req.query.region) };
    const { features, ...head } = await choropleth(deps.cases, q);
    return send(reply, {
      filename: exportFilename(['choropleth', head.level, q.region, q.class ?? q.major, q.channel, periodPart(head.from, head.to)], 'geojson'),
      format: 'geojson', body: featureCollectionText(features, 'code', head),
    });
  });

  // ---- The printable monthly report ------------------------------------------------------------------------------
  const renderer = new ReportRenderer();
  app.addHook('onClose', async () => renderer.close());

  app.get('/api/reports/monthly.pdf', {
    onRequest: guard,
    schema: {
      tags: ['exports'], summary: 'The monthly report as PDF (A4), rendered by headless Chromium from /report',
      querystring: Type.Object({
        month: Type.String({ maxLength: 7, description: 'YYYY-MM' }),
        region: Type.Optional(Type.String({ maxLength: 20, description: 'a street or community code; the whole district when left out' })),
        lang: LangParam,
      }, { additionalProperties: false }),
      response: { ...FileResponse('the monthly report', ['pdf']), 503: ErrorBody },
    },
  }, async (req, reply) => {
    const { month } = req.query;
    const lang = langOf(req.query.lang);
    // a user kept to a district: the report of its district (or a region within it; another district's is a 403)
    const region = await keptRegionOf(deps.db, req.user, req.query.region);
    let period: { from: string; to: string };
    try { period = monthPeriod(month); } catch { throw new DomainError('bad_request', `month must be a month like 2026-03, got "${month}"`, { month: 'must be YYYY-MM' }); }
    // The region is checked by the same service the report page reads, so a bad code is a 400 here, not an empty PDF.
    await headline(e, { ...period, region });
    const address = app.server.address();
    if (!address || typeof address === 'string') {
      return reply.status(503).send({ error: { code: 'unavailable', message: 'The server is not listening on a TCP port, so it cannot render its own report page; use npm run report -- --month YYYY-MM' } });
    }
    const user = req.user!;
    const token = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    try {
      const pdf = await renderer.render({
        url: `http://127.0.0.1:${address.port}${reportPath({ month, region, lang })}`,
        token, user: { id: user.id, username: user.username, roles: user.roles, department_id: user.department_id },
      });
      reply.header('content-type', MEDIA_TYPES.pdf);
      reply.header('content-disposition', contentDisposition(exportFilename(['report', month, region], 'pdf')));
      reply.header('cache-control', 'no-store');
      return reply.send(pdf);
    } catch (err) {
      if (err instanceof RendererUnavailable) {
        return reply.status(503).send({ error: { code: 'unavailable', message: err.message } });
      }
      throw err;
    }
  });
};

export default exportsRoutes;
