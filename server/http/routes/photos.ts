// Photos: upload the raw bytes (JPEG, PNG or WebP, sniffed from the bytes) and read a stored photo back.
// Thin: the checks, the storage and the row are in services/photos.ts.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { openPhoto, uploadPhoto, type PhotoDeps } from '../../services/photos.js';
import { DomainError } from '../../domain/errors.js';
import { ErrorBody, errorResponses, rawOk } from '../schemas/common.js';

/** Content types accepted for the raw body; the bytes decide what the photo really is. */
export const PHOTO_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'];

const PhotoId = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'sha256 of the photo bytes, 64 lowercase hex' });

const Photo = Type.Object({
  id: PhotoId,
  mime: Type.Union([Type.Literal('image/jpeg'), Type.Literal('image/png'), Type.Literal('image/webp')]),
  bytes: Type.Integer(),
  width: Type.Integer(),
  height: Type.Integer(),
  exif: Type.Union([
    Type.Object({
      taken_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'when the camera says it was taken' }),
      lon: Type.Union([Type.Number(), Type.Null()], { description: 'EXIF GPS longitude, WGS84' }),
      lat: Type.Union([Type.Number(), Type.Null()], { description: 'EXIF GPS latitude, WGS84' }),
    }),
    Type.Null(),
  ], { description: 'null when the photo carries no EXIF time or position' }),
  url: Type.String(),
});

const MB = 1024 * 1024;
const sizeText = (n: number) => (n >= MB ? `${(n / MB).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);

const photoRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { clock?: { now(): Date } } }> = async (app, { deps }) => {
  const { config } = deps;
  const photoDeps: PhotoDeps = { db: deps.db, photo_dir: config.photo_dir, max_pixels: config.photo_max_pixels, clock: deps.clock };

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
  const authenticate = app.hasDecorator('authenticate')
    ? (app as unknown as { authenticate: (req: FastifyRequest, reply: unknown) => Promise<void> }).authenticate
    : undefined;

  app.post('/api/photos', {
    ...(authenticate ? { onRequest: authenticate } : {}),
    bodyLimit: config.photo_max_bytes,
    schema: {
      tags: ['photos'], summary: 'Upload one photo (raw JPEG, PNG or WebP bytes); 201 new, 200 already stored',
      description: `The body is the image file itself, with Content-Type ${PHOTO_CONTENT_TYPES.join(', ')}. `
        + 'The format is read from the bytes, never from the name or the Content-Type. The id is the sha256 of the bytes, '
        + 'so uploading the same photo again returns the same id (200) and stores nothing new. '
        + `Limits: ${sizeText(config.photo_max_bytes)} (413) and ${config.photo_max_pixels / 1e6} megapixels (422); anything else than JPEG, PNG or WebP is 415.`,
      response: { 200: Photo, 201: Photo, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, ...errorResponses },
    },
  }, async (req, reply) => {
    const user = (req as FastifyRequest & { user?: { id: number | string } | null }).user;
    const { photo, created } = await uploadPhoto(photoDeps, {
      bytes: req.body as Buffer | undefined,
      uploaded_by: user ? Number(user.id) : null,
    });
    return reply.status(created ? 201 : 200).header('location', photo.url).send(photo);
  });

  app.get('/api/photos/:id', {
    schema: {
      tags: ['photos'], summary: 'A stored photo, as its bytes (immutable: cache it forever)',
      params: Type.Object({ id: PhotoId }),
      response: { ...rawOk('The image bytes; 304 without a body when If-None-Match names its ETag'), ...errorResponses },
    },
  }, async (req, reply) => {
    const { photo, etag, open } = await openPhoto(photoDeps, req.params.id);
    reply
      .header('cache-control', 'private, max-age=31536000, immutable')
      .header('etag', etag)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'");
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
      return reply.status(304).send();
    }
    return reply.type(photo.mime).header('content-length', photo.bytes).send(open());
  });
};

export default photoRoutes;
