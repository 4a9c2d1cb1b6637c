// Patrol (在岗监控, issue 9): request and response schemas of /api/patrol/….
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Id, Lat, Lon } from './common.js';
import { MAX_ACCURACY_M, MAX_BATCH, MIN_CLOCK_CORRECTION_MS } from '../../domain/patrol.js';

const Instant = Type.String({ format: 'date-time' });
const NullableInstant = Type.Union([Instant, Type.Null()]);
const LocalDate = Type.String({ description: 'local date YYYY-MM-DD of the district (default today)', examples: ['2026-03-02'] });

export const DutyBody = Type.Object({
  on_duty: Type.Boolean({ description: 'true: go on duty (a no-op when already on duty); false: go off duty' }),
}, { additionalProperties: false });

export const DutyStateSchema = Type.Object({
  on_duty: Type.Boolean(),
  started_at: NullableInstant,
  interval_seconds: Type.Integer({ description: 'how often the phone sends its position while on duty (GRIDLINE_PATROL_INTERVAL_SECONDS)' }),
  stale_after_seconds: Type.Integer({ description: 'a last position older than this shows as stale' }),
}, { additionalProperties: false });

export const Fix = Type.Object({
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "the phone's id of the fix (unique per user); default: its instant" })),
  at: Type.String({ format: 'date-time', maxLength: 40, description: 'when the fix was taken (ISO 8601 with offset)' }),
  lon: Lon,
  lat: Lat,
  accuracy_m: Type.Optional(Type.Number({ minimum: 0, maximum: 1e6, description: `horizontal accuracy, metres; fixes above ${MAX_ACCURACY_M} are rejected` })),
}, { additionalProperties: false });

export const PositionsBody = Type.Object({
  fixes: Type.Array(Fix, { maxItems: MAX_BATCH, description: `WGS84 fixes, at most ${MAX_BATCH}` }),
  sent_at: Type.Optional(Type.String({
    format: 'date-time', maxLength: 40,
    description: "the phone's clock when it sent this batch (not part of the request's identity: a retry may carry another); "
      + `a difference of ${MIN_CLOCK_CORRECTION_MS / 1000} s or more from the server's clock moves every fix of the batch by it`,
  })),
}, { additionalProperties: false });

export const IngestResultSchema = Type.Object({
  accepted: Type.Integer({ description: 'fixes stored now' }),
  duplicate: Type.Integer({ description: 'fixes already stored (a re-sent batch)' }),
  rejected: Type.Integer({ description: 'fixes refused, never stored' }),
  rejections: Type.Array(Type.Object({
    index: Type.Integer({ description: 'position in the batch' }),
    id: Type.Union([Type.String(), Type.Null()]),
    reason: Type.String({ description: 'invalid_time, invalid_coordinates, in_future, too_old, inaccurate, outside_duty or duplicate_in_batch' }),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export const LastPositionsSchema = Type.Object({
  now: Instant,
  interval_seconds: Type.Integer(),
  stale_after_seconds: Type.Integer(),
  items: Type.Array(Type.Object({
    user_id: Type.Integer(),
    username: Type.String(),
    display_name: Type.String(),
    on_duty: Type.Boolean(),
    duty_started_at: NullableInstant,
    at: NullableInstant,
    lon: Type.Union([Type.Number(), Type.Null()]),
    lat: Type.Union([Type.Number(), Type.Null()]),
    accuracy_m: Type.Union([Type.Number(), Type.Null()]),
    freshness: Type.Union([Type.Literal('fresh'), Type.Literal('stale')]),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export const TrackQuery = Type.Object({
  user_id: Type.Optional(Id('the inspector (default: the caller)')),
  date: Type.Optional(LocalDate),
}, { additionalProperties: false });

export const TrackSchema = Type.Object({
  type: Type.Literal('Feature'),
  geometry: Type.Union([
    Type.Object({ type: Type.Literal('LineString'), coordinates: Type.Array(Type.Array(Type.Number())) }, { additionalProperties: false }),
    Type.Null(),
  ], { description: 'the fixes of the day in time order (WGS84); null with fewer than two' }),
  properties: Type.Object({
    user_id: Type.Integer(),
    date: Type.String(),
    fix_count: Type.Integer(),
    times: Type.Array(Instant, { description: 'the instant of each vertex' }),
    distance_m: Type.Integer({ description: 'haversine along the track; jumps faster than 30 m/s are ignored' }),
    duty_seconds: Type.Integer({ description: 'time on duty within the day' }),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

export const CoverageQuery = Type.Object({
  date: Type.Optional(LocalDate),
  district: Type.Optional(Type.String({
    pattern: '^[0-9]{6}$',
    description: 'a district\'s code: its inspectors (and those of every district) on its local day; a user kept to a district: its own (another is a 403); '
      + 'left out by a user of every district: every inspector on the first district\'s day',
  })),
}, { additionalProperties: false });

export const CoverageSchema = Type.Object({
  date: Type.String(),
  time_zone: Type.String({ description: 'the zone of the day: the district\'s asked for (or the viewer\'s own); else the first district\'s' }),
  from: Instant,
  to: Instant,
  items: Type.Array(Type.Object({
    user_id: Type.Integer(),
    username: Type.String(),
    display_name: Type.String(),
    responsibility_grids: Type.Integer(),
    unit_grids: Type.Integer({ description: 'unit grids of its responsibility grids' }),
    visited_grids: Type.Integer({ description: 'of those, the ones holding at least one of its fixes that day' }),
    share: Type.Union([Type.Number(), Type.Null()], { description: 'visited_grids / unit_grids (null without grids)' }),
    fix_count: Type.Integer(),
    distance_km: Type.Number(),
    duty_seconds: Type.Integer(),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export type DutyState = Static<typeof DutyStateSchema>;
export type IngestResult = Static<typeof IngestResultSchema>;
export type LastPositions = Static<typeof LastPositionsSchema>;
export type Coverage = Static<typeof CoverageSchema>;
export type Track = Static<typeof TrackSchema>;
