// Response schemas of the grid statistics (docs/leader-api.md §Statistics): the choropleth as GeoJSON.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { STAT_LEVELS } from '../../domain/stats-query.js';
import { FeatureCollectionSchema } from './geojson.js';
import { Exact, Nullable, StringEnum } from './shapes.js';

const HOTSPOTS = ['hot_99', 'hot_95', 'hot_90', 'none', 'cold_90', 'cold_95', 'cold_99'] as const;

export const ChoroplethPropertiesSchema = Exact({
  code: Type.String(), name: Type.String(), level: StringEnum(STAT_LEVELS),
  count: Type.Integer({ description: 'cases reported in the period' }),
  area_m2: Type.Number({ description: 'geodesic area, m², to 0.1' }),
  per_10k_m2: Nullable(Type.Number()),
  prev_count: Type.Integer({ description: 'cases reported in the previous period of the same length' }),
  change: Type.Integer(),
  change_rate: Nullable(Type.Number(), { description: 'null when prev_count is 0' }),
  gi_z: Nullable(Type.Number({ description: 'Getis–Ord Gi* z-score' })),
  hotspot: StringEnum(HOTSPOTS),
});

export const ChoroplethSchema = FeatureCollectionSchema(ChoroplethPropertiesSchema, {
  from: Type.String(), to: Type.String(), prev_from: Type.String(), prev_to: Type.String(), level: StringEnum(STAT_LEVELS),
  filters: Type.Record(Type.String(), Type.Unknown(), { description: 'the filters applied' }),
  total: Type.Integer(), prev_total: Type.Integer(),
  method: Type.Record(Type.String(), Type.Unknown(), { description: 'how hot spots are found (statistic, neighbours, thresholds)' }),
});
export type Choropleth = Static<typeof ChoroplethSchema>;
