// The public report and tracking pages' shapes (issue 11 §Public web; server/services/public.ts).
import { Type, type Static } from '@fastify/type-provider-typebox';
import { DateTime, Exact, Nullable, StringEnum } from './shapes.js';
import { ClassCode, Crs, Lat, Lon } from './common.js';
import { PhotoId, ImageMime } from './photos.js';
import { PUBLIC_STEPS } from '../../domain/public.js';

export const ChallengeSchema = Exact({
  challenge: Type.String({ description: 'solve it: find a decimal nonce such that sha256(challenge + ":" + nonce) starts with `bits` zero bits' }),
  bits: Type.Integer({ minimum: 1, maximum: 32 }),
  expires_at: DateTime('the solution must be sent before this'),
});

export const TicketBody = Type.Object({
  challenge: Type.String({ maxLength: 200 }),
  nonce: Type.String({ maxLength: 20, pattern: '^[0-9]+$' }),
}, { additionalProperties: false });

export const TicketSchema = Exact({
  ticket: Type.String({ description: 'send it as header X-Upload-Ticket with each photo and as `ticket` in the report; shown once' }),
  expires_at: DateTime(),
  max_photos: Type.Integer(),
});

export const PublicPhotoUploadSchema = Exact({
  id: PhotoId, mime: ImageMime, width: Type.Integer(), height: Type.Integer(), bytes: Type.Integer(),
  url: Type.String({ description: 'a signed link for the uploader\'s preview' }),
});

const lang = StringEnum(['zh', 'en'] as const, 'the language progress messages are sent in');

export const PublicReportBody = Type.Object({
  ticket: Type.String({ pattern: '^[A-Za-z0-9_-]{32}$', description: 'from POST /api/public/tickets' }),
  class_code: ClassCode,
  lon: Lon, lat: Lat, crs: Type.Optional(Crs),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  address: Type.Optional(Type.String({ maxLength: 256 })),
  photo_ids: Type.Optional(Type.Array(PhotoId, { maxItems: 3, uniqueItems: true })),
  contact: Type.Optional(Type.Object({
    name: Type.Optional(Type.String({ maxLength: 100 })),
    phone: Type.Optional(Type.String({ maxLength: 30 })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    notify: Type.Optional(Type.Boolean({ description: 'tell me of progress (needs a phone or an e-mail)' })),
  }, { additionalProperties: false })),
  lang: Type.Optional(lang),
}, { additionalProperties: false });
export type PublicReportBodyT = Static<typeof PublicReportBody>;

const Stage = StringEnum(['received', 'in_progress', 'closed'] as const);

export const PublicReportResultSchema = Exact({
  case_no: Type.String(),
  tracking_code: Type.String({ description: 'private: with the case number it opens the tracking page; shown this once (a retry gets a new one)' }),
  status: Stage,
  reported_at: DateTime(),
});

export const TrackBody = Type.Object({
  case_no: Type.String({ minLength: 1, maxLength: 40 }),
  code: Type.String({ minLength: 1, maxLength: 40 }),
}, { additionalProperties: false });

export const TrackSchema = Exact({
  case_no: Type.String(), stage: Stage, class_code: Type.String(),
  class_name_zh: Nullable(Type.String()), class_name_en: Nullable(Type.String()),
  address: Nullable(Type.String()), description: Nullable(Type.String()),
  reported_at: DateTime(), closed_at: Nullable(DateTime()),
  steps: Type.Array(Exact({ step: StringEnum(PUBLIC_STEPS), at: DateTime() })),
  reply: Nullable(Exact({ text: Type.String(), at: DateTime() }), { description: 'the department\'s public reply' }),
  photos: Type.Array(Exact({ id: PhotoId, side: StringEnum(['before', 'after'] as const), width: Type.Integer(), height: Type.Integer(), url: Type.String() })),
  photos_withheld: Type.Integer({ description: 'photos not (yet) approved for public view' }),
  rating: Nullable(Exact({ rating: StringEnum(['satisfied', 'basic', 'dissatisfied'] as const), comment: Nullable(Type.String()), rated_at: DateTime() })),
  can_rate: Type.Boolean({ description: 'closed and not rated yet: POST /api/public/cases/{case_no}/rating' }),
});
export type Track = Static<typeof TrackSchema>;

export const PublicSideSchema = Exact({
  withhold_photos: Type.Boolean(),
  approved_photo_ids: Type.Array(PhotoId),
  reply: Nullable(Exact({ text: Type.String(), at: DateTime() })),
  can_approve: Type.Boolean(),
  can_reply: Type.Boolean(),
});
export type PublicSide = Static<typeof PublicSideSchema>;

export const PublicSettingsSchema = Exact({ district_code: Type.String(), withhold_photos: Type.Boolean() });
