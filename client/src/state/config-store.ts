// Server configuration (GET /api/config): loaded at boot and again whenever the signed-in user changes (App.tsx): a
// user kept to a district is told its own district and time zone (issue 12). The map waits for it.
import { create } from 'zustand';
import { fetchConfig } from '../api/config.js';
import type { ClientConfig } from '../api/types.js';
import { setDisplayZone } from '../i18n/format.js';

type ConfigState = {
  status: 'idle' | 'loading' | 'ready' | 'error';
  config: ClientConfig | null;
  error: string | null;
  /** Fetch /api/config; `fetcher` is the endpoint wrapper, replaceable in tests. Only the latest call's answer is kept. */
  load: (fetcher?: () => Promise<ClientConfig>) => Promise<void>;
};

/** Counts loads: an answer that arrives after a later load started (sign-in while the first is out) is dropped. */
let loads = 0;

export const useConfig = create<ConfigState>()((set) => ({
  status: 'idle',
  config: null,
  error: null,
  load: async (fetcher = fetchConfig) => {
    const mine = ++loads;
    set({ status: 'loading', error: null });
    try {
      const config = await fetcher();
      if (mine !== loads) return;
      setDisplayZone(config.time_zone); // every time on screen in the district's zone (issue 10)
      set({ status: 'ready', config });
    } catch (e) {
      if (mine !== loads) return;
      set({ status: 'error', error: (e as Error).message });
    }
  },
}));

export const selectConfigStatus = (s: ConfigState) => s.status;
export const selectConfig = (s: ConfigState) => s.config;
export const selectConfigError = (s: ConfigState) => s.error;
export const selectDistrict = (s: ConfigState) => s.config?.district ?? null;
export const selectBasemapUrl = (s: ConfigState) => s.config?.basemap_url ?? null;
export const selectLoadConfig = (s: ConfigState) => s.load;
