// Photos: upload the raw bytes (JPEG, PNG or WebP, sniffed from the bytes) and read a stored photo back.
// Thin: the checks, the storage, the row and who may read it are in services/photos.ts.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { openPhoto, uploadPhoto, type PhotoDeps } from '../../services/photos.js';
import { DomainError } from '../../domain/errors.js';
import type { Viewer } from '../../domain/visibility.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';
import { Binary, Content } from '../schemas/shapes.js';
import { PhotoId, PhotoSchema } from '../schemas/photos.js';

/** Content types accepted for the raw body; the bytes decide what the photo really is. */
export const PHOTO_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'];

/** The query of a signed link (domain/photo-links.ts): all three, or none. */
const LinkQuery = Type.Object({
  u: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'the user the link was made for (0: an anonymous uploader)' })),
  exp: Type.Optional(Type.Integer({ minimum: 0, maximum: 1e11, description: 'when the link expires, unix seconds' })),
  sig: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'HMAC-SHA256 of id, u and exp, base64url' })),
}, { additionalProperties: false });

const MB = 1024 * 1024;
const sizeText = (n: number) => (n >= MB ? `${(n / MB).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

const photoRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { clock?: { now(): Date } } }> = async (app, { deps }) => {
  const { config } = deps;
  const photoDeps: PhotoDeps = {
    db: deps.db, photo_dir: config.photo_dir, max_pixels: config.photo_max_pixels, clock: deps.clock,
    secret: config.secret, link_minutes: config.photo_link_minutes,
  };

  // Scoped to this plugin: the raw body as a Buffer, up to photo_max_bytes.
  app.addContentTypeParser(PHOTO_CONTENT_TYPES, { parseAs: 'buffer', bodyLimit: config.photo_max_bytes }, (_req, body, done) => done(null, body));

  // Fastify's own body errors, said in our vocabulary; thrown on to the app's error handler (http/errors.ts).
  app.setErrorHandler((err: FastifyError, req) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const declared = Number(req.headers['content-length']);
      throw new DomainError('payload_too_large',
        `The photo is ${declared > 0 ? sizeText(declared) : 'too large'}; the limit is ${sizeText(config.photo_max_bytes)}. Resize it and upload again`,
        { max_bytes: config.photo_max_bytes });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      throw new DomainError('unsupported_media_type',
        `Send the photo as the raw request body with Content-Type ${PHOTO_CONTENT_TYPES.join(', ')} (not multipart/form-data); got ${req.headers['content-type'] ?? 'no Content-Type'}`);
    }
    throw err;
  });

  // The auth plugin (http/plugins/auth.ts) decorates `authenticate`; without it the upload is open and anonymous.
  const authenticate = app.hasDecorator('authenticate') ? app.authenticate : undefined;
  const authenticateOptional = app.hasDecorator('authenticateOptional') ? app.authenticateOptional : undefined;

  app.post('/api/photos', {
    ...(authenticate ? { onRequest: authenticate } : {}),
    bodyLimit: config.photo_max_bytes,
    schema: {
      tags: ['photos'], summary: 'Upload one photo (raw JPEG, PNG or WebP bytes); 201 with the photo and a signed link to it',
      description: `The body is the image file itself, with Content-Type ${PHOTO_CONTENT_TYPES.join(', ')}. `
        + 'The format is read from the bytes, never from the name or the Content-Type. The id is the sha256 of the bytes: '
        + 'uploading the same photo again returns the same id and stores nothing new, with the same answer (201, same shape) '
        + 'as a first upload, so an upload never tells whether someone sent these bytes before. '
        + '`url` is a signed link for the uploader (see GET /api/photos/{id}): the way to preview the photo before a case cites it. '
        + `Limits: ${sizeText(config.photo_max_bytes)} (413) and ${config.photo_max_pixels / 1e6} megapixels (422); anything else than JPEG, PNG or WebP is 415.`,
      response: { 201: PhotoSchema, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, ...errorResponses },
    },
  }, async (req, reply) => {
    const photo = await uploadPhoto(photoDeps, { bytes: req.body as Buffer | undefined, uploader: viewerOf(req) });
    return reply.status(201).header('location', `/api/photos/${photo.id}`).send(photo);
  });

  app.get('/api/photos/:id', {
    // A signed link is the whole permission; without one, the caller's token (if any) is checked against the cases.
    onRequest: async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      if (authenticateOptional && q.sig === undefined && q.u === undefined && q.exp === undefined) await authenticateOptional(req, reply);
    },
    schema: {
      tags: ['photos'], summary: 'A stored photo, as its bytes: through a signed link, or for a logged-in caller who may see it',
      description: 'A photo is readable by those who may read a case that shows it (its trail cites the photo) and by each '
        + 'user who uploaded its bytes; everyone else gets 404, exactly as for an id that was never uploaded, so an answer '
        + 'never tells whether a photo exists. Two ways in: (1) a signed link `?u=&exp=&sig=` as found in `url` of the upload\'s '
        + 'answer (for its uploader, anonymous too) and of each entry of `photos` in GET /api/cases/{id} (for the case\'s '
        + 'reader): an HMAC-SHA256 over photo id, user and expiry with a server key (GRIDLINE_SECRET, else one generated in the '
        + `database), valid about ${config.photo_link_minutes} minutes (GRIDLINE_PHOTO_LINK_MINUTES). This is how browsers show `
        + 'photos (an <img> sends no Authorization header): no session token in URLs or logs, and the same link for a while, '
        + 'so it is cached until it expires. (2) `Authorization: Bearer <token>`: checked against the cases at each request '
        + '(no-cache, revalidated with the ETag). An expired or altered link is 404 too: reload the case for a fresh one.',
      params: Type.Object({ id: PhotoId }),
      querystring: LinkQuery,
      response: {
        200: Content('The image bytes', { 'image/jpeg': Binary('JPEG'), 'image/png': Binary('PNG'), 'image/webp': Binary('WebP') }),
        304: Type.Null({ description: 'not modified: If-None-Match names its ETag' }), ...errorResponses,
        401: ErrorBody, // a Bearer token that is sent must be valid
      },
    },
  }, async (req, reply) => {
    const { u, exp, sig } = req.query;
    const given = [u, exp, sig].filter((x) => x !== undefined).length;
    if (given > 0 && given < 3) {
      throw new DomainError('bad_request', 'A signed photo link needs all of u, exp and sig; use the url exactly as the server gave it');
    }
    const link = u !== undefined && exp !== undefined && sig !== undefined ? { u, exp, sig } : null;
    const { photo, etag, open, expires_at } = await openPhoto(photoDeps, req.params.id, { link, viewer: link ? null : viewerOf(req) });
    const now = (deps.clock?.now() ?? new Date()).getTime();
    reply
      .header('cache-control', expires_at
        ? `private, max-age=${Math.max(0, Math.floor((expires_at.getTime() - now) / 1000))}, immutable`
        : 'private, no-cache')
      .header('etag', etag)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'");
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
      return reply.status(304).send(null);
    }
    return reply.type(photo.mime).header('content-length', photo.bytes).send(open());
  });
};

/** The logged-in caller as the visibility rule sees it (domain/visibility.ts Viewer), or null. */
function viewerOf(req: FastifyRequest): Viewer {
  return req.user;
}

export default photoRoutes;
