// Response schemas of the components (管理部件, domain.md §3): GET /api/components (GeoJSON) and /api/components/{id}.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { COMPONENT_STATUSES } from '../../domain/import/vocabulary.js';
import { FeatureCollectionSchema, GeometrySchema } from './geojson.js';
import { Exact, Nullable, StringEnum } from './shapes.js';

export const ComponentStatusSchema = StringEnum(COMPONENT_STATUSES, '完好 intact, 破损 damaged, 丢失 missing, 废弃 abandoned, 移除 removed');

/** A component's columns (db/components.ts FEATURE), the properties of its feature. */
export const ComponentPropertiesSchema = Exact({
  id: Type.String({ description: '17-digit component identifier' }),
  class_code: Type.String(), class_name_zh: Type.String(), class_name_en: Type.String(), major_code: Type.String(),
  status: ComponentStatusSchema,
  survey_date: Nullable(Type.String({ format: 'date' })),
  change_date: Nullable(Type.String({ format: 'date' })),
  data_source: Nullable(Type.String()),
  note: Nullable(Type.String()),
  grid_code: Nullable(Type.String()), community_code: Nullable(Type.String()), street_code: Nullable(Type.String()),
  source_id: Nullable(Type.String({ description: 'id in the imported source, with its namespace' })),
  supervising_department: Nullable(Type.String()), owner_department: Nullable(Type.String()), maintainer_department: Nullable(Type.String()),
  attrs: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'other fields of the source' })),
});

export const ComponentCollectionSchema = FeatureCollectionSchema(ComponentPropertiesSchema, {
  numberMatched: Type.Integer({ description: 'every component in the bbox (and class)' }),
  numberReturned: Type.Integer(),
});

/** GET /api/components/{id}: the columns, the names of its community and street, and the geometry. */
export const ComponentDetailSchema = Exact({
  ...ComponentPropertiesSchema.properties,
  community_name: Nullable(Type.String()),
  street_name: Nullable(Type.String()),
  geometry: Nullable(GeometrySchema),
});
export type ComponentDetail = Static<typeof ComponentDetailSchema>;

/** GET /api/components/near: components near a point, nearest first. */
export const NearComponentSchema = Exact({
  id: Type.String({ description: '17-digit component identifier' }),
  class_code: Type.String({ description: 'component class; the matter class of its anomaly has the same code' }),
  class_name_zh: Type.String(), class_name_en: Type.String(),
  status: ComponentStatusSchema,
  grid_code: Nullable(Type.String()),
  distance_m: Type.Number({ description: 'geodesic distance from the point, m, to 0.1' }),
  lon: Type.Number({ description: 'the component\'s point nearest to the given one, WGS84' }),
  lat: Type.Number({ description: 'the component\'s point nearest to the given one, WGS84' }),
});
export const NearComponentsSchema = Exact({
  lon: Type.Number(), lat: Type.Number(), radius_m: Type.Number(),
  items: Type.Array(NearComponentSchema),
});
export type NearComponents = Static<typeof NearComponentsSchema>;
