// Streets and communities of the district (GET /api/regions), for the overview list and fly-to.
import { create } from 'zustand';
import { fetchRegions } from '../api/regions.js';
import type { Region, RegionLevel } from '../api/types.js';

type RegionsState = {
  status: 'idle' | 'loading' | 'ready' | 'error';
  streets: Region[];
  communities: Region[];
  error: string | null;
  load: (fetcher?: (level: RegionLevel) => Promise<Region[]>) => Promise<void>;
};

const byCode = (a: Region, b: Region) => a.code.localeCompare(b.code);

export const useRegions = create<RegionsState>()((set) => ({
  status: 'idle',
  streets: [],
  communities: [],
  error: null,
  load: async (fetcher = (level) => fetchRegions(level)) => {
    set({ status: 'loading', error: null });
    try {
      const [streets, communities] = await Promise.all([fetcher('street'), fetcher('community')]);
      set({ status: 'ready', streets: [...streets].sort(byCode), communities: [...communities].sort(byCode) });
    } catch (e) {
      set({ status: 'error', error: (e as Error).message });
    }
  },
}));

export const selectRegionsStatus = (s: RegionsState) => s.status;
export const selectStreets = (s: RegionsState) => s.streets;
export const selectCommunities = (s: RegionsState) => s.communities;
export const selectRegionsError = (s: RegionsState) => s.error;
export const selectLoadRegions = (s: RegionsState) => s.load;

/** Number of communities per street code. */
export function communityCounts(communities: readonly Region[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of communities) if (c.parent_code) out[c.parent_code] = (out[c.parent_code] ?? 0) + 1;
  return out;
}
