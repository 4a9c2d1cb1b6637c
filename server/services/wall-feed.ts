// GET /api/cases/wall: the wall's bulk feed, one keyset page of the open cases the caller may see, as columns
// (domain/wall-feed.ts). The same visibility as GET /api/cases (db/visibility.ts writes domain/visibility.ts's rule).
import * as wallFeed from '../db/wall-feed.js';
import { toColumns, WALL_PAGE } from '../domain/wall-feed.js';
import type { CaseDeps, CaseUser } from './cases.js';

export async function wallFeedPage(deps: Pick<CaseDeps, 'db' | 'clock'>, user: CaseUser, q: { after?: string; limit?: number }) {
  const limit = q.limit ?? WALL_PAGE;
  const now = deps.clock.now();
  const rows = await wallFeed.wallPage(deps.db, user, q.after ?? null, limit, now);
  return {
    at: now,
    count: rows.length,
    /** The id to ask for the next page with; null when this page is the last. */
    next_after: rows.length === limit ? rows[rows.length - 1].id : null,
    columns: toColumns(rows),
  };
}
