// GET /api/cases/wall: the wall's bulk feed (server/http/routes/wall-feed.ts), every open case the caller may see in
// keyset pages of columns; `wallRows` turns a page back into the cases the store holds.
import { getJson, withQuery } from './http.js';
import type { CaseSummary } from './types.js';
import type { Static } from '@fastify/type-provider-typebox';
import type { WallFeedSchema } from '../../../server/http/schemas/wall-feed.js';

/** One page as the server sends it: `columns[f][i]` is field f of row i. */
export type WallFeedPage = Omit<Static<typeof WallFeedSchema>, 'columns'> & {
  columns: { [K in WallColumn]: (CaseSummary[K] | null)[] };
};
type WallColumn = 'id' | 'case_no' | 'status' | 'light' | 'lon' | 'lat' | 'version' | 'class_code' | 'grid_code' | 'department_id' | 'step'
  | 'yellow_at' | 'red_at' | 'updated_at' | 'urged' | 'urgent' | 'pending_application' | 'rework_count' | 'address' | 'origin';

export function fetchWallPage(after: string | null, limit?: number, signal?: AbortSignal): Promise<WallFeedPage> {
  return getJson<WallFeedPage>(withQuery('/api/cases/wall', { after: after ?? undefined, limit }), { signal });
}

/** A page's rows as cases (one object literal a row: every case the same shape, which the engine keeps fast). */
export function wallRows(page: WallFeedPage): CaseSummary[] {
  const c = page.columns;
  const n = c.id.length;
  const out = new Array<CaseSummary>(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      id: c.id[i]!, case_no: c.case_no[i]!, status: c.status[i]!, light: c.light[i] ?? null, lon: c.lon[i]!, lat: c.lat[i]!,
      version: c.version[i]!, class_code: c.class_code[i]!, grid_code: c.grid_code[i]!, department_id: c.department_id[i] ?? null,
      step: c.step[i] ?? null, yellow_at: c.yellow_at[i] ?? null, red_at: c.red_at[i] ?? null, updated_at: c.updated_at[i]!,
      urged: c.urged[i]!, urgent: c.urgent[i]!, pending_application: c.pending_application[i] ?? null, rework_count: c.rework_count[i]!,
      address: c.address[i] ?? null, origin: c.origin[i]!,
    } as CaseSummary;
  }
  return out;
}
