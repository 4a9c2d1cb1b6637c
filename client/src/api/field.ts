// The inspector in the field (issue 9): the nearest street address and grid of a point (GET /api/places/nearest),
// the components near it (GET /api/components/near) and the inspector's own grids (GET /api/grids/mine).
import type { FeatureCollection, Geometry } from 'geojson';
import { getJson, withQuery } from './http.js';
import type { NearestPlace } from '../../../server/http/schemas/places.js';
import type { NearComponents } from '../../../server/http/schemas/components.js';

export type { NearestPlace, NearComponents };
export type NearComponent = NearComponents['items'][number];
export type PatrolProperties = { kind: 'responsibility' | 'unit'; code: string; responsibility_code: string; name: string | null };
export type PatrolCollection = FeatureCollection<Geometry | null, PatrolProperties>;

export function fetchNearestPlace(lon: number, lat: number, signal?: AbortSignal): Promise<NearestPlace> {
  return getJson<NearestPlace>(withQuery('/api/places/nearest', { lon, lat }), { signal });
}

export function fetchNearComponents(lon: number, lat: number, radius = 30, signal?: AbortSignal): Promise<NearComponents> {
  return getJson<NearComponents>(withQuery('/api/components/near', { lon, lat, radius }), { signal });
}

export function fetchMyGrids(signal?: AbortSignal): Promise<PatrolCollection> {
  return getJson<PatrolCollection>('/api/grids/mine', { signal });
}
