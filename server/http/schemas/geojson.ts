// GeoJSON (RFC 7946) response schemas. The server splices PostGIS's GeoJSON text into its answers (http/geojson.ts),
// so these are not used to serialise: they document the shape and let the tests check every answer.
import { Type, type TSchema } from '@fastify/type-provider-typebox';
import type { Geometry } from 'geojson';

export const GEOJSON = 'application/geo+json';

/** A GeoJSON geometry object (Point, LineString, Polygon, Multi*, GeometryCollection). */
export const GeometrySchema = Type.Unsafe<Geometry>(Type.Object({
  type: Type.String({ enum: ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection'] }),
  coordinates: Type.Optional(Type.Array(Type.Unknown())),
  geometries: Type.Optional(Type.Array(Type.Unknown())),
  bbox: Type.Optional(Type.Array(Type.Number())),
}, { additionalProperties: false, description: 'GeoJSON geometry, WGS84 longitude/latitude' }));

/** A Feature with `properties` of the given schema. */
export const FeatureSchema = <P extends TSchema>(properties: P, extra: Record<string, TSchema> = {}) => Type.Object({
  type: Type.Literal('Feature'),
  id: Type.Union([Type.String(), Type.Number()]),
  geometry: Type.Union([GeometrySchema, Type.Null()]),
  properties: properties,
  ...extra,
}, { additionalProperties: false });

/** A FeatureCollection of features with `properties`; `head` are the collection's own members (totals, links). */
export const FeatureCollectionSchema = <P extends TSchema>(properties: P, head: Record<string, TSchema> = {}) => Type.Object({
  type: Type.Literal('FeatureCollection'),
  ...head,
  features: Type.Array(FeatureSchema(properties)),
}, { additionalProperties: false });

/** `{ description, content: { 'application/geo+json': { schema } } }`: a response of media type GeoJSON. */
export const geojsonResponse = (description: string, schema: TSchema) => ({ description, content: { [GEOJSON]: { schema } } });
