// Unit grids: GET /api/grids/{code} and GET /api/grids/locate.
import { ApiError, getJson, withQuery } from './http.js';
import type { GridDetail, GridLocation } from './types.js';

export function fetchGrid(code: string, signal?: AbortSignal): Promise<GridDetail> {
  return getJson<GridDetail>(`/api/grids/${encodeURIComponent(code)}`, { signal });
}

/** The grid covering a WGS84 point, or null when the point lies outside every grid (404). */
export async function locateGrid(lon: number, lat: number, signal?: AbortSignal): Promise<GridLocation['grid'] | null> {
  try {
    return (await getJson<GridLocation>(withQuery('/api/grids/locate', { lon, lat }), { signal })).grid;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}
