// Response schemas of the administrative regions (domain.md §1): GET /api/regions.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Bbox } from './common.js';
import { Exact, Nullable, StringEnum } from './shapes.js';

export const RegionLevelSchema = StringEnum(['district', 'street', 'community'] as const);
export type RegionLevel = Static<typeof RegionLevelSchema>;

export const RegionSchema = Exact({
  code: Type.String(), level: RegionLevelSchema, name: Type.String(),
  parent_code: Nullable(Type.String()), bbox: Nullable(Bbox),
});
export type Region = Static<typeof RegionSchema>;
