// The one /api/live stream of a session: case events go into the cases store (older versions ignored there), news of
// the open case re-reads it, `resync` reloads the list. The lights are recomputed on a timer meanwhile.
import { openLive } from '../api/live.js';
import { fetchCase } from '../api/cases.js';
import { loadCases, TICK_MS, useCases } from './cases-store.js';
import { refreshIfNewer } from './case-detail-store.js';
import { useSession } from './session-store.js';
import { useNotices } from './notices-store.js';
import { useLang } from './lang-store.js';
import { t } from '../i18n/index.js';

/** Connects; returns the disconnect. */
export function connectLive(token: string): () => void {
  const close = openLive(token, {
    onCase: (event) => {
      const before = useCases.getState().byId[event.id];
      const applied = useCases.getState().applyLive(event);
      if (applied === 'ignored') return;
      if (refreshIfNewer(event)) return; // the open case is re-read whole anyway
      // The event carries what the map needs. Read the case once more when it is new to us (address, description) or
      // when it changed without changing status (urged, an application pending): the event does not say what changed.
      if (applied === 'new' || before?.status === event.status) {
        fetchCase(event.id).then((c) => useCases.getState().applyCase(c), () => { /* the summary will do */ });
      }
    },
    onResync: () => { void loadCases(); },
    onStatus: (status) => useCases.getState().setLive(status),
    onClosed: (reason) => {
      // Too many streams: this tab's stream gave way to a newer one; the session itself is fine. Any other reason:
      // the session has ended, and the login screen says so.
      if (reason === 'too_many_streams') useNotices.getState().push('warning', t(useLang.getState().lang, 'live_too_many_streams'));
      else useSession.getState().expire();
    },
  });
  const timer = setInterval(() => useCases.getState().tick(), TICK_MS);
  return () => {
    close();
    clearInterval(timer);
    useCases.getState().setLive('off');
  };
}
