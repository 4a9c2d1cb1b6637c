// The public report and "track my report" pages' API (issue 11 §Public web), no login: a proof-of-work challenge, an
// upload ticket, photos bound to it, the report (→ case number and tracking code), the tracking look-up and its
// photos; per-address quotas (429 + Retry-After). Staff side (logged in): the public reply, photo approvals and the
// district's photo setting. Thin: the rules are in services/public.ts.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError } from 'fastify';
import type { Deps } from '../deps.js';
import type { CaseDeps } from '../../services/cases.js';
import {
  issueChallenge, issueTicket, openPublicPhoto, publicSettings, publicSideOfCase, reportPublic, setPhotoApproval,
  setPublicReply, setPublicSettings, trackCase, uploadPublicPhoto, type PublicDeps,
} from '../../services/public.js';
import { districtCode } from '../../services/public.js';
import { DomainError } from '../../domain/errors.js';
import { PUBLIC_QUOTAS } from '../../domain/public.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';
import { Binary, Content } from '../schemas/shapes.js';
import { PhotoId } from '../schemas/photos.js';
import {
  ChallengeSchema, PublicPhotoUploadSchema, PublicReportBody, PublicReportResultSchema, PublicSettingsSchema, PublicSideSchema,
  TicketBody, TicketSchema, TrackBody, TrackSchema,
} from '../schemas/public.js';
import { publicQuota } from '../public-quota.js';
import { PHOTO_CONTENT_TYPES } from './photos.js';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const limits = (k: keyof typeof PUBLIC_QUOTAS) => `At most ${PUBLIC_QUOTAS[k].limit} per ${PUBLIC_QUOTAS[k].window_s / 60} minutes from one address (429 with Retry-After).`;

const publicRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases: CaseDeps } }> = async (app, { deps }) => {
  const { config } = deps;
  const clock = deps.cases.clock;
  const d: PublicDeps = {
    cases: deps.cases,
    photos: { db: deps.db, photo_dir: config.photo_dir, max_pixels: config.photo_max_pixels, clock, secret: config.secret, link_minutes: config.photo_link_minutes },
    secret: config.secret, link_minutes: config.photo_link_minutes,
  };
  const quota = {
    challenge: publicQuota('challenges', PUBLIC_QUOTAS.challenge, clock),
    photo: publicQuota('photos', PUBLIC_QUOTAS.photo, clock),
    report: publicQuota('reports', PUBLIC_QUOTAS.report, clock),
    track: publicQuota('look-ups', PUBLIC_QUOTAS.track, clock),
  };

  // Scoped to this plugin: a photo is the raw body, up to photo_max_bytes (as POST /api/photos).
  app.addContentTypeParser(PHOTO_CONTENT_TYPES, { parseAs: 'buffer', bodyLimit: config.photo_max_bytes }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err: FastifyError, req) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      throw new DomainError('payload_too_large', `The photo is too large; the limit is ${Math.round(config.photo_max_bytes / 1024)} KB. Resize it and upload again`, { max_bytes: config.photo_max_bytes });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      throw new DomainError('unsupported_media_type', `Send the photo as the raw request body with Content-Type ${PHOTO_CONTENT_TYPES.join(', ')}; got ${req.headers['content-type'] ?? 'no Content-Type'}`);
    }
    throw err;
  });

  app.get('/api/public/challenge', {
    preHandler: quota.challenge,
    schema: {
      tags: ['public'], summary: 'A proof-of-work challenge for the public report page (CAPTCHA-free abuse guard)',
      description: `Solve it and send it to POST /api/public/tickets within its lifetime. ${limits('challenge')}`,
      response: { 200: ChallengeSchema, 429: ErrorBody },
    },
  }, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return issueChallenge(d);
  });

  app.post('/api/public/tickets', {
    preHandler: quota.challenge,
    schema: {
      tags: ['public'], summary: 'A solved challenge → an upload ticket (3 photos and one report, for an hour); a solution counts once (409 after)',
      body: TicketBody,
      response: { 201: TicketSchema, ...errorResponses, 409: ErrorBody, 429: ErrorBody },
    },
  }, async (req, reply) => reply.status(201).header('cache-control', 'no-store').send(await issueTicket(d, req.body)));

  app.post('/api/public/photos', {
    preHandler: quota.photo,
    bodyLimit: config.photo_max_bytes,
    schema: {
      tags: ['public'], summary: 'Upload one photo of the report being made (raw JPEG, PNG or WebP bytes), bound to its ticket',
      description: `Header X-Upload-Ticket: the ticket. The same checks and limits as POST /api/photos; at most 3 per ticket. ${limits('photo')}`,
      headers: Type.Object({ 'x-upload-ticket': Type.String({ minLength: 1, maxLength: 100 }) }),
      response: { 201: PublicPhotoUploadSchema, 403: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, 429: ErrorBody, ...errorResponses },
    },
  }, async (req, reply) => reply.status(201).send(await uploadPublicPhoto(d, req.headers['x-upload-ticket'], req.body as Buffer | undefined)));

  app.post('/api/public/reports', {
    preHandler: quota.report,
    schema: {
      tags: ['public'], summary: 'Report a problem from the public page → the case number and a private tracking code (shown once)',
      description: 'Idempotency-Key is required: a retry with it creates nothing and answers the same case number (header idempotent-replayed: true) '
        + `with a fresh tracking code that replaces the first. The kind follows from the class. ${limits('report')}`,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
      body: PublicReportBody,
      response: { 201: PublicReportResultSchema, ...errorResponses, 403: ErrorBody, 409: ErrorBody, 422: ErrorBody, 429: ErrorBody },
    },
  }, async (req, reply) => {
    const key = req.headers['idempotency-key'];
    const r = await reportPublic(d, req.body, typeof key === 'string' ? key : null);
    if (r.replay) reply.header('idempotent-replayed', 'true');
    return reply.status(201).header('cache-control', 'no-store').send(r.answer);
  });

  app.post('/api/public/track', {
    preHandler: quota.track,
    schema: {
      tags: ['public'], summary: 'Track my report: case number and tracking code → the public steps, reply, photos and rating',
      description: `A wrong code and an unknown case number get the same 404. ${limits('track')}`,
      body: TrackBody,
      response: { 200: TrackSchema, ...errorResponses, 429: ErrorBody },
    },
  }, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    return trackCase(d, req.body);
  });

  app.get('/api/public/photos/:id', {
    schema: {
      tags: ['public'], summary: 'A photo the tracking answer linked, with its metadata (EXIF, XMP, comments) stripped',
      params: Type.Object({ id: PhotoId }),
      querystring: Type.Object({
        case_no: Type.String({ maxLength: 40 }), exp: Type.Integer({ minimum: 0, maximum: 1e11 }),
        sig: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }),
      }, { additionalProperties: false }),
      response: { 200: Content('The image bytes', { 'image/jpeg': Binary('JPEG'), 'image/png': Binary('PNG'), 'image/webp': Binary('WebP') }), ...errorResponses },
    },
  }, async (req, reply) => {
    const p = await openPublicPhoto(d, req.params.id, req.query);
    const left = Math.max(0, Math.floor((p.expires_at.getTime() - clock.now().getTime()) / 1000));
    return reply.type(p.mime).header('cache-control', `private, max-age=${Math.min(left, 300)}`)
      .header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'none'").send(Buffer.from(p.bytes));
  });

  // ---- staff side ----
  const auth = app.authenticate;

  app.get('/api/cases/:id/public', {
    onRequest: auth,
    schema: {
      tags: ['cases'], summary: 'What the public tracking page shows of a case: reply, approved photos, the district\'s photo setting',
      params: IdParams, response: { 200: PublicSideSchema, ...errorResponses },
    },
  }, async (req) => publicSideOfCase(d, req.user!, req.params.id));

  app.put('/api/cases/:id/public-reply', {
    onRequest: auth,
    schema: {
      tags: ['cases'], summary: 'The department\'s public reply (operator, shift leader, or the crew of the department in charge); audited',
      params: IdParams,
      body: Type.Object({ reply: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
      response: { 200: PublicSideSchema, ...errorResponses, 403: ErrorBody },
    },
  }, async (req) => setPublicReply(d, req.user!, req.params.id, req.body.reply));

  for (const method of ['PUT', 'DELETE'] as const) {
    app.route({
      method, url: '/api/cases/:id/public-photos/:photo_id',
      onRequest: auth,
      schema: {
        tags: ['cases'], summary: method === 'PUT' ? 'Approve a photo of the case for the public tracking page (operator, shift leader); audited' : 'Withdraw a photo\'s public approval; audited',
        params: Type.Object({ id: Type.String({ format: 'uuid' }), photo_id: PhotoId }),
        response: { 200: PublicSideSchema, ...errorResponses, 403: ErrorBody },
      },
      handler: async (req) => {
        const p = req.params as { id: string; photo_id: string };
        return setPhotoApproval(d, req.user!, p.id, p.photo_id, method === 'PUT');
      },
    });
  }

  const adminOnly = app.requireRole('admin');
  app.get('/api/admin/public-settings', {
    onRequest: adminOnly,
    schema: { tags: ['admin'], summary: 'The public pages\' settings: whether public photos wait for an operator\'s approval', response: { 200: PublicSettingsSchema, ...errorResponses } },
  }, async () => publicSettings(deps.db, await districtCode(deps.db)));

  app.put('/api/admin/public-settings', {
    onRequest: adminOnly,
    schema: {
      tags: ['admin'], summary: 'Set whether public photos wait for an operator\'s approval (audited)',
      body: Type.Object({ withhold_photos: Type.Boolean() }, { additionalProperties: false }),
      response: { 200: PublicSettingsSchema, ...errorResponses },
    },
  }, async (req) => setPublicSettings(deps.db, req.user!, await districtCode(deps.db), req.body.withhold_photos, clock.now()));
};

export default publicRoutes;
