// Shared request/response schemas (TypeBox → JSON Schema: validation and OpenAPI from one source).
import { Type } from '@fastify/type-provider-typebox';

export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
}, { $id: 'Error' });

export const Lon = Type.Number({ minimum: -180, maximum: 180, description: 'longitude, degrees' });
export const Lat = Type.Number({ minimum: -90, maximum: 90, description: 'latitude, degrees' });
export const Crs = Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02')], { default: 'wgs84' });
export const BboxParam = Type.String({
  pattern: '^\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*,\\s*-?[0-9.]+\\s*$',
  description: 'minLon,minLat,maxLon,maxLat (WGS84)',
  examples: ['116.40,39.90,116.42,39.92'],
});
export const Bbox = Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]);
export const GridCode = Type.String({ pattern: '^[0-9]{15}$', description: '15-digit unit-grid code' });
export const ComponentId = Type.String({ pattern: '^[0-9]{17}$', description: '17-digit component identifier' });
export const ClassCode = Type.String({ pattern: '^[0-9]{5}$', description: '5-digit class code' });

/** The largest id or count a request may carry: PostgreSQL's integer (an id beyond it cannot exist; 400, not 500). */
export const INT4_MAX = 2_147_483_647;
/** A database id (users, departments, sessions): 1 … 2^31 − 1. */
export const Id = (description = 'id') => Type.Integer({ minimum: 1, maximum: INT4_MAX, description });
/** Rows to skip in a paged list: 0 … 1,000,000 (page with filters beyond that). */
export const Offset = (description = 'rows to skip') => Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description });

export const errorResponses = { 400: ErrorBody, 404: ErrorBody };

/** A 200 sent as pre-encoded text or bytes (GeoJSON assembled from PostGIS output, MVT). */
export const rawOk = (description: string) => ({ 200: Type.Unknown({ description }) });
