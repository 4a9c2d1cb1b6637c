// The transparency page (政务公开, issue 11): query and response schemas of /api/public/transparency and
// /api/public/recent-closed. Exact: nothing beyond what is listed is ever sent (no personal data).
import { Type } from '@fastify/type-provider-typebox';
import { TRANSPARENCY_LEVELS } from '../../domain/transparency.js';
import { DateTime, Exact, Nullable, StringEnum } from './shapes.js';

export const TransparencyQuery = Type.Object({
  month: Type.Optional(Type.String({ maxLength: 7, description: 'YYYY-MM, each region\'s in its own district\'s time zone; default the current month (of the first district)' })),
  level: Type.Optional(StringEnum(TRANSPARENCY_LEVELS, 'street (default) or community')),
}, { additionalProperties: false });

const Hours = Nullable(Type.Number({ description: 'hours, one decimal; null: nothing handled ("no data")' }));
const Figures = {
  received: Type.Integer({ minimum: 0, description: 'cases reported in the month (every status)' }),
  closed: Type.Integer({ minimum: 0, description: 'cases closed (结案) in the month' }),
  closed_on_time: Type.Integer({ minimum: 0, description: 'of those, fed back by the department within the handling limit' }),
  on_time_rate: Nullable(Type.Number({ description: 'closed_on_time ÷ closed; null when nothing was closed' })),
  avg_handling_hours: Hours,
  avg_handling_natural_hours: Hours,
  handled: Type.Integer({ minimum: 0, description: 'the handlings (dispatch → feedback) averaged, of the cases closed in the month' }),
};

export const TransparencySchema = Exact({
  month: Type.String(), from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }),
  level: StringEnum(TRANSPARENCY_LEVELS),
  time_zone: Type.String({ description: 'the zone of the month: the districts\' when they share one; else the first district\'s, each region still counted in its own district\'s month' }),
  total: Exact(Figures),
  items: Type.Array(Exact({
    code: Type.String(), name: Type.String(), parent_code: Nullable(Type.String()), parent_name: Nullable(Type.String()), ...Figures,
  })),
});

export const RecentQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 12 })),
}, { additionalProperties: false });

const PublicPhoto = Exact({ url: Type.String(), width: Type.Integer(), height: Type.Integer() });

export const RecentClosedSchema = Exact({
  items: Type.Array(Exact({
    case_no: Type.String(), class_code: Type.String(), class_name_zh: Nullable(Type.String()), class_name_en: Nullable(Type.String()),
    street_code: Type.String(), street_name: Nullable(Type.String()), community_code: Type.String(), community_name: Nullable(Type.String()),
    department_name: Nullable(Type.String()), reported_at: DateTime(), closed_at: DateTime(), on_time: Type.Boolean(),
    before_photos: Type.Array(PublicPhoto), after_photos: Type.Array(PublicPhoto),
  })),
});

export const PhotoParams = Type.Object({
  case_no: Type.String({ minLength: 1, maxLength: 40, pattern: '^[0-9A-Za-z-]+$' }),
  photo_id: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});
