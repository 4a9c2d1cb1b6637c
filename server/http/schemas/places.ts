// Response schema of GET /api/places/nearest (domain.md §5): the nearest street address and the grid of a point.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Exact, Nullable } from './shapes.js';

export const NearestPlaceSchema = Exact({
  lon: Type.Number({ description: 'the point, WGS84' }),
  lat: Type.Number({ description: 'the point, WGS84' }),
  road: Nullable(Exact({
    name: Type.String({ description: 'the nearest named road or lane' }),
    distance_m: Type.Integer({ description: 'geodesic distance, m' }),
  })),
  grid: Nullable(Exact({
    code: Type.String({ description: '15-digit unit-grid code' }),
    responsibility_code: Nullable(Type.String()),
    community_name: Nullable(Type.String()),
    street_name: Nullable(Type.String({ description: 'the 街道 (sub-district) of the grid' })),
  }, { description: 'null: outside every unit grid of the district' })),
});
export type NearestPlace = Static<typeof NearestPlaceSchema>;

export const PlaceMatchesSchema = Type.Array(Exact({
  name: Type.String(), kind: Type.String({ description: 'road, lane, doorplate, poi or area' }),
  lon: Type.Number({ description: 'a point of the place, WGS84' }), lat: Type.Number({ description: 'a point of the place, WGS84' }),
}), { description: 'names starting with the text first, then the shorter' });
export type PlaceMatch = Static<typeof PlaceMatchesSchema>[number];
