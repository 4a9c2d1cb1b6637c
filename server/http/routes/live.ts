// GET /api/live: Server-Sent Events of every case change the caller may see (docs/api.md), resumable with
// Last-Event-ID (header, or `last_event_id` for clients that cannot set it). EventSource cannot send headers,
// so the bearer token may also come as `access_token`.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import type { LiveHub } from '../../live/hub.js';
import { liveScopeOf } from '../../services/cases.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';
import { Content } from '../schemas/shapes.js';
import { DomainError } from '../../domain/errors.js';
import { MAX_STREAMS_PER_SESSION } from '../../live/hub.js';

/**
 * A Last-Event-ID (header, or `last_event_id`) as the event id it names: a whole number this stream can have sent
 * (0 … 2^53 − 1). @throws DomainError `bad_request` otherwise, so a garbled id never opens a silent stream.
 */
export function parseLastEventId(raw: string | undefined, from: 'Last-Event-ID header' | 'last_event_id'): number | null {
  if (raw === undefined) return null;
  const n = /^[0-9]{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new DomainError('bad_request',
      `The ${from} must be the id of an event this stream sent (a whole number 0…${Number.MAX_SAFE_INTEGER}); got "${raw.slice(0, 40)}". `
      + 'Reconnect without it to start from now.');
  }
  return n;
}

const liveRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { live: LiveHub } }> = async (app, { deps }) => {
  const auth = app.authenticate;
  app.get('/api/live', {
    onRequest: [
      async (req) => {
        const q = req.query as { access_token?: string };
        if (q.access_token && !req.headers.authorization) req.headers.authorization = `Bearer ${q.access_token}`;
      },
      auth,
    ],
    schema: {
      tags: ['cases'], summary: 'Server-Sent Events: one `case` event per case change (id, status, light, lon, lat, version, …)',
      description: 'Resumable: reconnect with Last-Event-ID to receive every visible change after that event (a Last-Event-ID '
        + 'that is not a whole number 0…2^53−1 is 400; one past the newest event gets `event: resync`). A client too far behind '
        + 'receives `event: resync` and is disconnected; it should reload the list. The stream lives no longer than its '
        + 'session: logout, revocation, disabling the user, the idle timeout (GRIDLINE_SESSION_IDLE_MINUTES after the '
        + 'session\'s last request: an open stream is not use) and the session\'s lifetime close it with `event: closed` '
        + '(data: `reason`, `message`). A session holds at most ' + MAX_STREAMS_PER_SESSION + ' streams: a further one closes '
        + 'the oldest with `event: closed`, reason `too_many_streams`.',
      querystring: Type.Object({
        access_token: Type.Optional(Type.String()),
        last_event_id: Type.Optional(Type.String({ description: 'for clients that cannot send the Last-Event-ID header' })),
      }, { additionalProperties: false }),
      headers: Type.Object({ 'last-event-id': Type.Optional(Type.String()) }),
      response: {
        200: Content('Server-Sent Events: `event: case` frames whose data is a LiveCaseEvent (JSON), `event: resync`, `event: closed`, and comments as keep-alives',
          { 'text/event-stream': Type.String({ description: 'id: <event id>\\nevent: case\\ndata: <LiveCaseEvent JSON>\\n\\n …' }) }),
        ...errorResponses, 401: ErrorBody,
      },
    },
  }, async (req, reply) => {
    const user = req.user;
    const header = req.headers['last-event-id'];
    const last = typeof header === 'string'
      ? parseLastEventId(header, 'Last-Event-ID header')
      : parseLastEventId(req.query.last_event_id, 'last_event_id');
    const scope = await liveScopeOf(deps.db, user);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const session = req.user;
    const client = await deps.live.add({ write: (f) => res.write(f), end: () => res.end() }, scope, last, session ? { id: session.session_id } : null);
    res.on('drain', () => deps.live.drained(client));
    req.raw.on('close', () => deps.live.remove(client));
  });
};

export default liveRoutes;
