// The wall's bulk feed (issue 10, GET /api/cases/wall): every open case the caller may see, with only what the wall
// draws, as columns (one array per field) so 100,000 cases go in a few pages without repeating the field names.
// Pure: rows in, columns out (the client turns them back: client/src/api/wall-feed.ts).
import { OPEN_STATUSES, type CaseStatus } from './workflow.js';

/** The statuses the wall holds: the main loop's open ones plus self-handled reports waiting for review. */
export const WALL_STATUSES: readonly CaseStatus[] = [...OPEN_STATUSES, 'pending_review'];

/** The fields of a feed row, in column order: what the map, the list's card and the lights need (as a live event). */
export const WALL_FIELDS = [
  'id', 'case_no', 'status', 'light', 'lon', 'lat', 'version', 'class_code', 'grid_code', 'department_id', 'step',
  'yellow_at', 'red_at', 'updated_at', 'urged', 'urgent', 'pending_application', 'rework_count', 'address', 'origin',
] as const;
export type WallField = (typeof WALL_FIELDS)[number];

/**
 * Page size of the feed: the default and the most one page may hold. Large: the planners answer a page by reading
 * every open case and keeping the first ones in id order, so each page costs a pass over the open cases; 100,000
 * cases come in 2 pages (some 15 MB each).
 */
export const WALL_PAGE = 50_000;
export const WALL_PAGE_MAX = 100_000;

export type WallColumns<R extends Record<WallField, unknown>> = { [K in WallField]: R[K][] };

/** Rows → one array per field (in WALL_FIELDS order), row i of every array being rows[i]. */
export function toColumns<R extends Record<WallField, unknown>>(rows: readonly R[]): WallColumns<R> {
  const out = {} as WallColumns<R>;
  for (const f of WALL_FIELDS) {
    const col = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) col[i] = rows[i][f];
    (out as Record<string, unknown[]>)[f] = col;
  }
  return out;
}
