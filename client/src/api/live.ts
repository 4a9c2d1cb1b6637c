// GET /api/live: Server-Sent Events of case changes. EventSource cannot send headers, so the token goes in the query;
// it reconnects by itself and sends Last-Event-ID. `resync` (the server dropped us: too far behind) means "reload
// the list": we then start a fresh stream without Last-Event-ID, or the server would ask again at once. `closed` (the
// session was logged out, revoked, disabled or went idle; or the session opened too many streams) ends it for good.
import type { LiveCaseEvent } from './types.js';

export type LiveStatus = 'connecting' | 'open' | 'error';

export type LiveHandlers = {
  onCase: (event: LiveCaseEvent, eventId: string) => void;
  onResync: () => void;
  onStatus: (status: LiveStatus) => void;
  /** The server closed the stream for good (`event: closed`: the session ended, or too many streams): no reconnect. */
  onClosed: (reason: string) => void;
};

/** Opens the stream; returns a function that closes it for good. */
export function openLive(token: string, h: LiveHandlers, url = '/api/live'): () => void {
  let source: EventSource | null = null;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    if (closed) return;
    h.onStatus('connecting');
    const es = new EventSource(`${url}?access_token=${encodeURIComponent(token)}`);
    source = es;
    es.onopen = () => h.onStatus('open');
    es.addEventListener('case', (e) => {
      const m = e as MessageEvent<string>;
      try {
        h.onCase(JSON.parse(m.data) as LiveCaseEvent, m.lastEventId);
      } catch (err) {
        console.error('[live] bad case event', err, m.data);
      }
    });
    es.addEventListener('resync', () => {
      es.close();
      h.onResync();
      connect();
    });
    es.addEventListener('closed', (e) => {
      let reason = 'ended';
      try { reason = String((JSON.parse((e as MessageEvent<string>).data) as { reason?: unknown }).reason ?? reason); } catch { /* keep 'ended' */ }
      closed = true;
      clearTimeout(retry);
      es.close();
      h.onStatus('error');
      h.onClosed(reason);
    });
    es.onerror = () => {
      if (closed) return;
      if (es.readyState === EventSource.CLOSED) {
        // Refused (e.g. 401) or gave up: try again later ourselves, with a fresh stream.
        h.onStatus('error');
        clearTimeout(retry);
        retry = setTimeout(() => { h.onResync(); connect(); }, 5000);
      } else {
        h.onStatus('connecting'); // the browser reconnects with Last-Event-ID
      }
    };
  };

  connect();
  return () => {
    closed = true;
    clearTimeout(retry);
    source?.close();
  };
}
