// GET /api/live: Server-Sent Events of every case change the caller may see (api.md), resumable with
// Last-Event-ID (header, or `last_event_id` for clients that cannot set it). EventSource cannot send headers,
// so the bearer token may also come as `access_token`.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import type { LiveHub } from '../../live/hub.js';
import { liveScopeOf, type CaseUser } from '../../services/cases.js';
import { errorResponses } from '../schemas/common.js';

const liveRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { live: LiveHub } }> = async (app, { deps }) => {
  const auth = (app as unknown as { authenticate: (req: FastifyRequest, reply: unknown) => Promise<void> }).authenticate;
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
      description: 'Resumable: reconnect with Last-Event-ID to receive every visible change after that event. A client too far behind receives `event: resync` and is disconnected; it should reload the list.',
      querystring: Type.Object({
        access_token: Type.Optional(Type.String()),
        last_event_id: Type.Optional(Type.Integer({ minimum: 0 })),
      }, { additionalProperties: false }),
      headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]+$' })) }),
      response: errorResponses,
    },
  }, async (req, reply) => {
    const user = (req as FastifyRequest & { user?: CaseUser }).user ?? null;
    const header = req.headers['last-event-id'];
    const last = typeof header === 'string' ? Number(header) : req.query.last_event_id ?? null;
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
    const client = await deps.live.add({ write: (f) => res.write(f), end: () => res.end() }, scope, last);
    res.on('drain', () => deps.live.drained(client));
    req.raw.on('close', () => deps.live.remove(client));
  });
};

export default liveRoutes;
