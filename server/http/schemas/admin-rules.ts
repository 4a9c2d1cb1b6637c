// The district's working calendar and time limits in the admin console (issue 10): request and response schemas.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { TIME_UNITS } from '../../domain/calendar.js';
import { HOLIDAY_SETS } from '../../domain/district-rules.js';
import { CENTRE_STEPS } from '../../domain/limits.js';
import { ClassCode } from './common.js';
import { DateTime, Exact, Nullable, StringEnum } from './shapes.js';

const Clock = Type.String({ pattern: '^[0-9]{2}:[0-9]{2}$', description: 'local time HH:MM' });
export const CalendarSettingsSchema = {
  time_zone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. America/New_York, Asia/Shanghai' }),
  holiday_set: StringEnum(HOLIDAY_SETS, 'holidays of data/calendars: cn (China, with adjusted working weekends 调休), us (US federal, observed days), none'),
  periods: Type.Array(Type.Tuple([Clock, Clock]), { minItems: 1, maxItems: 6, description: 'local working periods, e.g. [["08:00","12:00"],["14:00","18:00"]]' }),
  weekend: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 6, description: 'weekend days, 0 = Sunday … 6 = Saturday' }),
  working_day_hours: Type.Number({ exclusiveMinimum: 0, maximum: 24, description: 'hours of one working day (working_days limits)' }),
};
const ValidFrom = Type.Optional(Type.String({ format: 'date-time', description: 'when the new version takes effect (ISO, not in the past); default now' }));
const Note = Type.Optional(Type.String({ maxLength: 500, description: 'why, for the version list and the audit log' }));

export const CalendarChangeBody = Exact({ ...CalendarSettingsSchema, valid_from: ValidFrom, note: Note });
export type CalendarChange = Static<typeof CalendarChangeBody>;

const VersionMeta = {
  version: Type.Integer({ minimum: 0, description: '0 = the defaults of data/, before any change' }),
  valid_from: DateTime('in force from'),
  created_at: DateTime(),
  created_by: Nullable(Type.String()),
  note: Nullable(Type.String()),
};
const CalendarVersion = Exact({ ...VersionMeta, ...CalendarSettingsSchema });
export const CalendarViewSchema = Exact({
  district_code: Nullable(Type.String()),
  in_force: CalendarVersion,
  versions: Type.Array(CalendarVersion, { description: 'oldest first; valid_from after now = scheduled' }),
  holidays: Type.Array(Exact({ date: Type.String(), name_zh: Type.String(), name_en: Nullable(Type.String()) }), { description: 'days off of the calendar in force, this year and the next' }),
  workdays: Type.Array(Exact({ date: Type.String(), for: Nullable(Type.String()) }), { description: 'adjusted working days (调休), this year and the next' }),
  years: Type.Array(Type.Integer(), { description: 'years the holiday set has data for' }),
});

const LimitSchema = Exact({ value: Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }), unit: StringEnum(TIME_UNITS) });
export const LimitsChangeBody = Exact({
  steps: Type.Optional(Type.Partial(Type.Object(Object.fromEntries(CENTRE_STEPS.map((s) => [s, LimitSchema])), { additionalProperties: false }))),
  handling: Type.Optional(Type.Array(Exact({
    class_code: ClassCode, condition: Type.String({ pattern: '^[a-z0-9_]{1,64}$' }), limit: LimitSchema,
  }), { maxItems: 1000 })),
  fallback_handling: Type.Optional(LimitSchema),
  late_return_after: Type.Optional(LimitSchema),
  stockpile_after: Type.Optional(LimitSchema),
  valid_from: ValidFrom,
  note: Note,
});
export type LimitsChange = Static<typeof LimitsChangeBody>;

export const LimitsViewSchema = Exact({
  district_code: Nullable(Type.String()),
  in_force: Exact({ ...VersionMeta, limits: Type.Unknown({ description: 'the limits table in force, the shape of data/limits/default.json' }) }),
  versions: Type.Array(Exact(VersionMeta), { description: 'oldest first; valid_from after now = scheduled' }),
});


export type CalendarView = Static<typeof CalendarViewSchema>;
export type LimitsView = Static<typeof LimitsViewSchema>;
