// The transparency page's API (政务公开, issue 11): no login, no personal data, cache-friendly (a strong ETag of the
// content; If-None-Match answers 304). Thin: services/transparency.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import type { CaseDeps } from '../../services/cases.js';
import * as transparency from '../../services/transparency.js';
import { errorResponses } from '../schemas/common.js';
import { Binary, Content } from '../schemas/shapes.js';
import { wire } from '../wire.js';
import { PhotoParams, RecentClosedSchema, RecentQuery, TransparencyQuery, TransparencySchema } from '../schemas/transparency.js';

const NOT_MODIFIED = { 304: Type.Null({ description: 'not modified: If-None-Match names the current ETag' }) };

/** Sends `body` with its ETag, or 304 when the client has it. */
function cached<T>(req: FastifyRequest, reply: FastifyReply, body: T, maxAge: number) {
  const etag = transparency.etagOf(body);
  reply.header('etag', etag).header('cache-control', `public, max-age=${maxAge}`).header('vary', 'accept-encoding');
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) return reply.status(304).send(null);
  return reply.send(body);
}

const transparencyRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases: CaseDeps } }> = async (app, { deps }) => {
  const d: transparency.TransparencyDeps = { db: deps.db, work: deps.cases.work, clock: deps.cases.clock, photo_dir: deps.config.photo_dir };

  app.get('/api/public/transparency', {
    schema: {
      tags: ['public'], summary: 'The transparency page: a month\'s cases received, closed, closed on time and average handling time per street or community',
      description: 'No login. received = reported in the month (every status); closed = closed (结案) in the month; closed_on_time = '
        + 'of those, fed back within the handling limit; average handling time = dispatch to feedback of the cases closed in the '
        + 'month, in working hours (and natural hours), as the leader\'s statistics. Each street\'s (or community\'s) month is its own district\'s '
        + 'local month; time_zone: the districts\' zone when they share one, else the first district\'s. ETag; 304 on If-None-Match.',
      querystring: TransparencyQuery,
      response: { 200: TransparencySchema, ...NOT_MODIFIED, ...errorResponses },
    },
  }, async (req, reply) => cached(req, reply, wire(await transparency.monthFigures(d, req.query)), 300));

  app.get('/api/public/recent-closed', {
    schema: {
      tags: ['public'], summary: 'The latest closed cases: class, street and community, department, dates, public before/after photos',
      description: 'No login and no personal data: no reporter, no staff, no description or address text. Photos only where the '
        + 'district shows them (withheld until an operator approves each, unless the district setting says otherwise), with '
        + 'their metadata stripped. ETag; 304 on If-None-Match.',
      querystring: RecentQuery,
      response: { 200: RecentClosedSchema, ...NOT_MODIFIED, ...errorResponses },
    },
  }, async (req, reply) => cached(req, reply, wire(await transparency.recentClosed(d, req.query)), 60));

  app.get('/api/public/transparency/photos/:case_no/:photo_id', {
    schema: {
      tags: ['public'], summary: 'A public before/after photo of a closed case, EXIF and other metadata stripped',
      description: '404 for any photo that is not public (not the case\'s, the case not closed, withheld and not approved).',
      params: PhotoParams,
      response: {
        200: Content('The image bytes', { 'image/jpeg': Binary('JPEG'), 'image/png': Binary('PNG'), 'image/webp': Binary('WebP') }),
        ...NOT_MODIFIED, ...errorResponses,
      },
    },
  }, async (req, reply) => {
    const p = await transparency.publicPhoto(d, req.params.case_no, req.params.photo_id);
    reply.header('etag', p.etag).header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'");
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim() === p.etag)) return reply.status(304).send(null);
    return reply.type(p.mime).send(Buffer.from(p.bytes));
  });
};

export default transparencyRoutes;
