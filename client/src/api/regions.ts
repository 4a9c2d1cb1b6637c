// GET /api/regions?level=…: streets and communities with their bboxes.
import { getJson, withQuery } from './http.js';
import type { Region, RegionLevel } from './types.js';

export function fetchRegions(level: RegionLevel, signal?: AbortSignal): Promise<Region[]> {
  return getJson<Region[]>(withQuery('/api/regions', { level }), { signal });
}
