// GET /api/live over a real socket: a stream lives no longer than its session (logout, revocation, disabling,
// idle timeout), a session holds at most four streams, and a Last-Event-ID that cannot be an event id is 400
// (issue 8, defects 2 and 8).
import { describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.js';
import { MAX_STREAMS_PER_SESSION, RECHECK_MS } from '../../../server/live/hub.js';
import { testBackends, withTestDb, type Backend } from '../../helpers/backends.js';
import { testConfig } from '../../helpers/app.js';

type Ctx = {
  app: FastifyInstance;
  advance(minutes: number): void;
  login(u: string, ip?: string): Promise<{ token: string; headers: { authorization: string } }>;
  open(token: string, query?: string, headers?: Record<string, string>): Promise<Stream>;
};

type Stream = { status: number; text(): string; ended(): boolean; closed(): { reason: string; message: string } | null; abort(): void };

function withLiveApp<T>(backend: Backend, fn: (ctx: Ctx) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  return withTestDb(backend, async (db) => {
    let now = new Date('2026-11-23T02:00:00Z');
    const app = await buildApp(testConfig(env), { db, clock: { now: () => now } });
    const streams: Stream[] = [];
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as { port: number }).port;
      const ctx: Ctx = {
        app,
        advance: (m) => { now = new Date(now.getTime() + m * 60_000); },
        async login(username, ip = '127.0.0.1') {
          const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'demo' }, remoteAddress: ip });
          expect(res.statusCode, res.body).toBe(200);
          return { token: res.json().token, headers: { authorization: `Bearer ${res.json().token}` } };
        },
        async open(token, query = '', headers = {}) {
          const ac = new AbortController();
          const res = await fetch(`http://127.0.0.1:${port}/api/live?access_token=${token}${query}`, { signal: ac.signal, headers });
          let text = '';
          let ended = false;
          const reader = res.body!.getReader();
          const dec = new TextDecoder();
          void (async () => {
            try {
              for (;;) {
                const { value, done } = await reader.read();
                if (done) break;
                text += dec.decode(value, { stream: true });
              }
            } catch { /* aborted */ }
            ended = true;
          })();
          const s: Stream = {
            status: res.status, text: () => text, ended: () => ended, abort: () => ac.abort(),
            closed: () => {
              const f = text.split('\n\n').find((x) => x.includes('event: closed'));
              return f ? JSON.parse(f.split('\n').find((l) => l.startsWith('data: '))!.slice(6)) : null;
            },
          };
          streams.push(s);
          await until(() => text.includes('retry: 2000') || ended); // the hub holds it now
          return s;
        },
      };
      return await fn(ctx);
    } finally {
      for (const s of streams) s.abort();
      await app.close();
    }
  });
}

async function until(cond: () => boolean, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
  return cond();
}

/** Gives a stream that should stay open the chance to be (wrongly) closed. */
const settle = () => new Promise((ok) => setTimeout(ok, 300));

describe.each(testBackends())('live streams end with their session on %s', (backend) => {
  test('revoking a user\'s sessions ends their open streams at once; other users\' streams stay open', () => withLiveApp(backend, async (ctx) => {
    const crewA = await ctx.login('crew1', '10.1.1.1');
    const crewB = await ctx.login('crew1', '10.1.1.2');
    const other = await ctx.login('dispatcher1');
    const admin = await ctx.login('admin');
    const [a, b, o] = [await ctx.open(crewA.token), await ctx.open(crewB.token), await ctx.open(other.token)];
    expect([a.status, b.status, o.status]).toEqual([200, 200, 200]);
    const id = (await ctx.app.inject({ url: '/api/auth/me', headers: crewA.headers })).json().user.id;
    const res = await ctx.app.inject({ method: 'POST', url: `/api/users/${id}/sessions/revoke`, headers: admin.headers });
    expect(res.json()).toEqual({ revoked: 2 });
    expect(await until(() => a.ended() && b.ended())).toBe(true);
    expect(a.closed()).toMatchObject({ reason: 'revoked', message: expect.stringMatching(/log in again/) });
    expect(b.closed()?.reason).toBe('revoked');
    await settle();
    expect(o.ended()).toBe(false);
    expect((await ctx.open(crewA.token)).status).toBe(401); // and it cannot come back
  }));

  test('disabling a user ends their open stream', () => withLiveApp(backend, async (ctx) => {
    const crew = await ctx.login('crew1');
    const admin = await ctx.login('admin');
    const s = await ctx.open(crew.token);
    const id = (await ctx.app.inject({ url: '/api/auth/me', headers: crew.headers })).json().user.id;
    expect((await ctx.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin.headers, payload: { disabled: true } })).statusCode).toBe(200);
    expect(await until(() => s.ended())).toBe(true);
    expect(s.closed()).toMatchObject({ reason: 'disabled', message: expect.stringMatching(/disabled/) });
  }));

  test('logout ends the streams of that session only', () => withLiveApp(backend, async (ctx) => {
    const tab = await ctx.login('leader1', '10.2.2.1');
    const wall = await ctx.login('leader1', '10.2.2.2');
    const t = await ctx.open(tab.token);
    const w = await ctx.open(wall.token);
    expect((await ctx.app.inject({ method: 'POST', url: '/api/auth/logout', headers: tab.headers })).statusCode).toBe(204);
    expect(await until(() => t.ended())).toBe(true);
    expect(t.closed()?.reason).toBe('logout');
    await settle();
    expect(w.ended()).toBe(false);
  }));

  test('an open stream is not use of its session: it ends when the session goes idle', () => withLiveApp(backend, async (ctx) => {
    const busy = await ctx.login('operator1');
    const idle = await ctx.login('shiftlead1');
    const b = await ctx.open(busy.token);
    const i = await ctx.open(idle.token);
    ctx.advance(100);
    expect((await ctx.app.inject({ url: '/api/auth/me', headers: busy.headers })).statusCode).toBe(200); // a request: use
    ctx.advance(21); // shiftlead1's session has been unused for 121 minutes, operator1's for 21
    expect(await until(() => i.ended(), RECHECK_MS + 5_000)).toBe(true); // the periodic re-check
    expect(i.closed()).toMatchObject({ reason: 'idle', message: expect.stringMatching(/120 minutes/) });
    expect(b.ended()).toBe(false);
    expect((await ctx.app.inject({ url: '/api/auth/me', headers: idle.headers })).statusCode).toBe(401);
  }, { GRIDLINE_SESSION_IDLE_MINUTES: '120' }), 60_000);

  test(`a session holds at most ${MAX_STREAMS_PER_SESSION} streams: one more closes the oldest, saying why`, () => withLiveApp(backend, async (ctx) => {
    const { token } = await ctx.login('dispatcher1');
    const streams: Stream[] = [];
    for (let n = 0; n < MAX_STREAMS_PER_SESSION; n++) streams.push(await ctx.open(token));
    await settle();
    expect(streams.some((s) => s.ended())).toBe(false);
    const newest = await ctx.open(token);
    expect(newest.status).toBe(200);
    expect(await until(() => streams[0].ended())).toBe(true);
    expect(streams[0].closed()).toMatchObject({ reason: 'too_many_streams', message: expect.stringMatching(/oldest was closed/) });
    await settle();
    expect([...streams.slice(1), newest].map((s) => s.ended())).toEqual(Array(MAX_STREAMS_PER_SESSION).fill(false));
  }));

  test('a Last-Event-ID that cannot be an event id is 400 with a message; one past the newest event gets resync', () => withLiveApp(backend, async (ctx) => {
    const { token } = await ctx.login('dispatcher1');
    const huge = '99999999999999999999999';
    for (const [query, headers] of [
      ['', { 'last-event-id': huge }], [`&last_event_id=${huge}`, {}], ['&last_event_id=-1', {}], ['', { 'last-event-id': '12abc' }],
      [`&last_event_id=${2 ** 64}`, {}],
    ] as [string, Record<string, string>][]) {
      const res = await ctx.app.inject({ url: `/api/live?access_token=${token}${query}`, headers });
      expect(res.statusCode, query || JSON.stringify(headers)).toBe(400);
      expect(res.json().error.message).toMatch(/Last-Event-ID|last_event_id/);
      expect(res.json().error.message).toMatch(/whole number/);
    }
    const future = await ctx.open(token, '', { 'last-event-id': String(Number.MAX_SAFE_INTEGER) });
    expect(future.status).toBe(200);
    expect(await until(() => future.ended())).toBe(true);
    expect(future.text()).toMatch(/event: resync/);
  }));
});
