// Response schemas of the unit grids (domain.md §1): GET /api/grids (GeoJSON), /api/grids/locate, /api/grids/{code}.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { FeatureCollectionSchema, GeometrySchema } from './geojson.js';
import { Exact, Nullable } from './shapes.js';

/** A grid's columns (db/grids.ts), the properties of its feature. */
export const GridPropertiesSchema = Exact({
  code: Type.String({ description: '15-digit unit-grid code' }),
  community_code: Type.String(), street_code: Type.String(), district_code: Type.String(),
  area_m2: Type.Number({ description: 'geodesic area, m², to 0.1' }),
  land_use: Nullable(Type.String()), management_level: Nullable(Type.String()), responsible_body: Nullable(Type.String()),
  valid_from: Type.String({ format: 'date' }),
  valid_to: Nullable(Type.String({ format: 'date', description: 'set when the grid was redrawn' })),
});

export const GridCollectionSchema = FeatureCollectionSchema(GridPropertiesSchema);

/** GET /api/grids/{code}: the columns, names, component count and geometry. */
export const GridDetailSchema = Exact({
  ...GridPropertiesSchema.properties,
  community_name: Nullable(Type.String()),
  street_name: Nullable(Type.String()),
  component_count: Type.Integer(),
  geometry: Nullable(GeometrySchema),
});
export type GridDetail = Static<typeof GridDetailSchema>;

export const GridRefSchema = Exact({ code: Type.String(), community_code: Type.String(), street_code: Type.String(), district_code: Type.String() });

/** GET /api/grids/locate */
export const GridLocationSchema = Exact({
  grid: GridRefSchema,
  lon: Type.Number({ description: 'the point, WGS84' }),
  lat: Type.Number({ description: 'the point, WGS84' }),
});
export type GridLocation = Static<typeof GridLocationSchema>;

/** GET /api/grids/mine: the caller's responsibility grids (outline) and their unit grids, as GeoJSON. */
export const PatrolPropertiesSchema = Exact({
  kind: Type.Union([Type.Literal('responsibility'), Type.Literal('unit')], { description: 'a responsibility grid (责任网格, the union of its unit grids) or one of its unit grids' }),
  code: Type.String(),
  responsibility_code: Type.String(),
  name: Nullable(Type.String({ description: 'the responsibility grid\'s name; null for a unit grid' })),
});
export const PatrolCollectionSchema = FeatureCollectionSchema(PatrolPropertiesSchema);
