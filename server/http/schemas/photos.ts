// Response schemas of the photos: POST /api/photos, and the photos a case detail links to (GET /api/cases/{id}).
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Exact, Nullable, StringEnum } from './shapes.js';

export const PhotoId = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'sha256 of the photo bytes, 64 lowercase hex' });
export const ImageMime = StringEnum(['image/jpeg', 'image/png', 'image/webp'] as const);

/** What POST /api/photos answers (services/photos.ts PhotoView); `url` is a signed link for the uploader. */
export const PhotoSchema = Exact({
  id: PhotoId,
  mime: ImageMime,
  bytes: Type.Integer(),
  width: Type.Integer(),
  height: Type.Integer(),
  exif: Nullable(Exact({
    taken_at: Nullable(Type.String({ format: 'date-time' }), { description: 'when the camera says it was taken' }),
    lon: Nullable(Type.Number(), { description: 'EXIF GPS longitude, WGS84' }),
    lat: Nullable(Type.Number(), { description: 'EXIF GPS latitude, WGS84' }),
  }), { description: 'null when the photo carries no EXIF time or position' }),
  url: Type.String({ description: 'a signed link to the bytes for the caller' }),
});
export type Photo = Static<typeof PhotoSchema>;

/** A photo on a case's trail that the caller may open (GET /api/cases/{id} `photos`). */
export const PhotoLinkSchema = Exact({
  id: PhotoId, mime: ImageMime, width: Type.Integer(), height: Type.Integer(),
  url: Type.String({ description: 'a signed link to the bytes for the caller' }),
});
export type PhotoLink = Static<typeof PhotoLinkSchema>;
