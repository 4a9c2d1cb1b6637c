// The wall loads every open case from the bulk feed (issue 10): all pages of GET /api/cases/wall, far past the 5,000
// the paged list stopped at, turned back from columns into cases; a resync reloads the feed; live news that overtook
// the load wins.
import { beforeEach, describe, expect, test, vi } from 'vitest';

vi.mock('../../client/src/api/wall-feed.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../client/src/api/wall-feed.js')>();
  return { ...real, fetchWallPage: vi.fn() };
});

const { fetchWallPage, wallRows } = await import('../../client/src/api/wall-feed.js');
const { loadCases, loadWallCases, useCases, WALL_STATUSES } = await import('../../client/src/state/cases-store.js');
const { WALL_FIELDS } = await import('../../server/domain/wall-feed.js');
type WallFeedPage = import('../../client/src/api/wall-feed.js').WallFeedPage;

const T0 = Date.parse('2026-11-23T02:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** `n` cases from `start` as one page of columns, as the server sends it. */
function page(start: number, n: number, last: boolean): WallFeedPage {
  const cols = Object.fromEntries(WALL_FIELDS.map((f) => [f, [] as unknown[]])) as Record<(typeof WALL_FIELDS)[number], unknown[]>;
  for (let i = start; i < start + n; i++) {
    const row: Record<string, unknown> = {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, case_no: `W${i}`, status: WALL_STATUSES[i % WALL_STATUSES.length],
      light: i % 10 === 0 ? 'red' : 'green', lon: 116.4 + i * 1e-6, lat: 39.9, version: 1, class_code: '06010', grid_code: '110101001001001',
      department_id: i % 2 ? 15 : null, step: 'handling', yellow_at: iso(T0 + 3_600_000), red_at: i % 10 === 0 ? iso(T0 - 60_000) : iso(T0 + 7_200_000),
      updated_at: iso(T0), urged: i % 7 === 0, urgent: false, pending_application: null, rework_count: 0, address: i % 3 ? `addr ${i}` : null, origin: 'live',
    };
    for (const f of WALL_FIELDS) cols[f].push(row[f]);
  }
  const ids = cols.id as string[];
  return { at: iso(T0), count: n, next_after: last ? null : ids[ids.length - 1], columns: cols } as unknown as WallFeedPage;
}

/** 7,500 cases in three pages, served by cursor. */
function serve(): ReturnType<typeof vi.fn> {
  const pages = [page(0, 2500, false), page(2500, 2500, false), page(5000, 2500, true)];
  const fn = vi.mocked(fetchWallPage);
  fn.mockReset();
  fn.mockImplementation(async (after) => {
    const i = after === null ? 0 : pages.findIndex((p) => p.next_after === after) + 1;
    if (i < 0 || i >= pages.length) throw new Error(`no page after ${after}`);
    return pages[i];
  });
  return fn;
}

beforeEach(() => {
  useCases.setState(useCases.getInitialState(), true);
  useCases.getState().tick(T0);
});

describe('the wall loads the bulk feed', () => {
  test('every page, 7,500 cases (more than the 5,000 the paged list held), each with the fields of its row', async () => {
    const fn = serve();
    await loadWallCases();
    const s = useCases.getState();
    expect(s.status).toBe('ready');
    expect(s.source).toBe('wall');
    expect(Object.keys(s.byId)).toHaveLength(7500);
    expect(fn.mock.calls.map((c) => c[0])).toEqual([null, '00000000-0000-4000-8000-000000002499', '00000000-0000-4000-8000-000000004999']);
    expect(s.byId['00000000-0000-4000-8000-000000007490']).toMatchObject({
      case_no: 'W7490', light: 'red', urged: true, department_id: null, address: 'addr 7490', status: WALL_STATUSES[7490 % WALL_STATUSES.length],
    });
  });

  test('wallRows gives each row every field of its columns', () => {
    const rows = wallRows(page(0, 3, true));
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[1]).sort()).toEqual([...WALL_FIELDS].sort());
    expect(rows[1]).toMatchObject({ id: '00000000-0000-4000-8000-000000000001', department_id: 15, address: 'addr 1', urged: false });
  });

  test('a resync (loadCases with no query) reloads the feed, not GET /api/cases', async () => {
    const fn = serve();
    await loadWallCases();
    const list = vi.fn();
    await loadCases(undefined, list);
    expect(list).not.toHaveBeenCalled();
    expect(fn).toHaveBeenCalledTimes(6);
    expect(Object.keys(useCases.getState().byId)).toHaveLength(7500);
  });

  test('a live event that overtook the load wins over the older row; a failed page leaves an error to retry', async () => {
    const fn = serve();
    const real = fn.getMockImplementation() as (after: string | null) => Promise<WallFeedPage>;
    fn.mockImplementationOnce(async (after) => {
      const p = await real(after);
      useCases.getState().applyLive({ ...wallRows(p)[5], version: 2, status: 'closed', reporter_id: null, responsibility_code: null } as never);
      return p;
    });
    await loadWallCases();
    expect(useCases.getState().byId['00000000-0000-4000-8000-000000000005']).toMatchObject({ version: 2, status: 'closed' });
    fn.mockRejectedValueOnce(new Error('网络错误'));
    await loadWallCases();
    expect(useCases.getState()).toMatchObject({ status: 'error', error: '网络错误' });
  });
});
