// Fan-out of committed case changes to Server-Sent-Events clients (api.md GET /api/live). Driven by the database:
// case_events rows are read in id order after a NOTIFY (PostgreSQL: every server process on the database hears it;
// PGlite: the in-process LISTEN) or a local poke after commit. Each client sees only what it may see, can resume
// with Last-Event-ID, and one slow client never slows the others: its queue is bounded, and past the bound it is
// told to resync and disconnected.
import type { Db, Queryable } from '../db/types.js';
import * as cases from '../db/cases.js';

export type LiveScope = null | { department_id: number | null; reporter_id: number | null; responsibility_codes: ReadonlySet<string> };

export type LiveEvent = { id: number; case_id: string; payload: Record<string, unknown> };

export interface LiveSink {
  /** Writes one SSE frame; returns false when the socket's buffer is full (backpressure). */
  write(frame: string): boolean;
  end(): void;
}

export type LiveClient = {
  scope: LiveScope;
  sink: LiveSink;
  cursor: number;
  catchingUp: boolean;
  held: LiveEvent[];
  queued: number;
  closed: boolean;
};

export const MAX_QUEUED = 1000;

export function visible(scope: LiveScope, p: Record<string, unknown>): boolean {
  if (scope === null) return true;
  if (scope.department_id != null && p.department_id === scope.department_id) return true;
  if (scope.reporter_id != null && p.reporter_id === scope.reporter_id) return true;
  return typeof p.responsibility_code === 'string' && scope.responsibility_codes.has(p.responsibility_code);
}

export function frame(e: LiveEvent): string {
  return `id: ${e.id}\nevent: case\ndata: ${JSON.stringify(e.payload)}\n\n`;
}

export class LiveHub {
  private clients = new Set<LiveClient>();
  private lastId = 0;
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopListening: (() => Promise<void>) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly db: Queryable & Partial<Pick<Db, 'listen'>>) {}

  async start(): Promise<void> {
    this.lastId = await cases.lastEventId(this.db);
    if (this.db.listen) this.stopListening = await this.db.listen(cases.EVENTS_CHANNEL, () => this.poke());
    this.heartbeat = setInterval(() => { for (const c of this.clients) this.send(c, ': ping\n\n'); }, 15_000);
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.stopListening?.();
    for (const c of this.clients) this.drop(c);
    await this.pumping;
  }

  get size(): number { return this.clients.size; }

  /** New events may be committed: read and fan them out (coalesced; safe to call often). */
  poke(): void {
    if (this.pumping) { this.again = true; return; }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.again) { this.again = false; this.poke(); }
    });
  }

  /** Waits until every event committed so far has been handed to the clients (tests, shutdown). */
  async settle(): Promise<void> {
    this.poke();
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    for (;;) {
      const events = await cases.eventsAfter(this.db, this.lastId, 500);
      if (!events.length) return;
      for (const e of events) {
        for (const c of this.clients) {
          if (c.catchingUp) c.held.push(e);
          else this.deliver(c, e);
        }
        this.lastId = e.id;
      }
    }
  }

  /** Adds a client; with `lastEventId` it first gets every visible event after that id, then the live ones. */
  async add(sink: LiveSink, scope: LiveScope, lastEventId: number | null): Promise<LiveClient> {
    const c: LiveClient = { scope, sink, cursor: lastEventId ?? this.lastId, catchingUp: lastEventId !== null, held: [], queued: 0, closed: false };
    this.clients.add(c);
    this.send(c, `retry: 2000\n\n`);
    if (lastEventId !== null) {
      try {
        for (;;) {
          const page = await cases.eventsAfter(this.db, c.cursor, 500);
          for (const e of page) this.deliver(c, e);
          if (page.length < 500) break;
        }
      } finally {
        c.catchingUp = false;
        for (const e of c.held.splice(0)) this.deliver(c, e);
      }
    }
    return c;
  }

  remove(c: LiveClient): void {
    c.closed = true;
    this.clients.delete(c);
  }

  /** The sink drained its buffer. */
  drained(c: LiveClient): void { c.queued = 0; }

  private deliver(c: LiveClient, e: LiveEvent): void {
    if (e.id <= c.cursor) return;
    c.cursor = e.id;
    if (visible(c.scope, e.payload)) this.send(c, frame(e));
  }

  private send(c: LiveClient, text: string): void {
    if (c.closed) return;
    if (!c.sink.write(text)) c.queued++;
    if (c.queued > MAX_QUEUED) {
      // Too far behind: tell it where it is, so it reconnects with Last-Event-ID or reloads.
      c.sink.write(`event: resync\ndata: {"last_event_id":${c.cursor}}\n\n`);
      this.drop(c);
    }
  }

  private drop(c: LiveClient): void {
    this.remove(c);
    c.sink.end();
  }
}
