// Fan-out of committed case changes to Server-Sent-Events clients (docs/api.md GET /api/live). Driven by the database:
// case_events rows are read in id order after a NOTIFY (PostgreSQL: every server process on the database hears it;
// PGlite: the in-process LISTEN) or a local poke after commit. Each client sees only what it may see, can resume
// with Last-Event-ID, and one slow client never slows the others: its queue is bounded, and past the bound it is
// told to resync and disconnected.
//
// Which shards it reads (issue 12): on Citus case_events is spread over 32 shards by district, and a read by id alone
// asks all of them. Every case write holds the case-write lock to commit, so event ids commit in id order, and a
// listener hears the notices of different transactions in commit order; each notice names its event's district
// (db/cases.ts eventNotice). So once the hub has heard the notice of event M, it has heard of every event up to M
// and knows their districts: it reads only those districts up to M (eventsHeard), and checks that it got exactly
// the events it heard of. Whatever it cannot vouch for reads every district, as before: a poke without the events
// (settle), a bare-id notice (a server of the previous version), a listener lost and back (notices missed), a local
// commit whose notice does not come, no listener at all (a test transaction), or a read that does not match.
//
// A stream lives no longer than its session (issue 8, defect 2): logout, revocation, disabling, idle timeout and
// lifetime close it with `event: closed` (data: reason, message). The hub re-reads the sessions of its streams when
// a session ends (NOTIFY on db/sessions.ts SESSION_ENDS_CHANNEL from the ending transaction, heard by every server
// process on the database; plus a local call after commit, which is all a test transaction has), and every
// RECHECK_MS in any case (a lost notification, idle timeouts). An open stream is not use of its session: it does
// not move last_seen_at, and it ends when the session would end if left unused (GRIDLINE_SESSION_IDLE_MINUTES
// after the session's last request). A session holds at most MAX_STREAMS_PER_SESSION streams; a further one
// closes the oldest (a reconnecting tab's old socket is usually dead, and a wall must not be locked out by it).
import type { Db, Queryable } from '../db/types.js';
import * as cases from '../db/cases.js';
import { inDistrictSight, type DistrictSight, type Sight, type VisibleCase } from '../domain/visibility.js';
import * as sessions from '../db/sessions.js';
import { SESSION_DEFAULTS, sessionStatus } from '../domain/auth.js';

/** What a stream may see (domain/visibility.ts sightOf: null = every case), kept within the user's district when it has one. */
export type LiveScope = Sight | DistrictSight;

export type LiveEvent = { id: number; case_id: string; payload: Record<string, unknown> };

export interface LiveSink {
  /** Writes one SSE frame; returns false when the socket's buffer is full (backpressure). */
  write(frame: string): boolean;
  end(): void;
}

/** The session a stream belongs to; null for streams outside any session (hub tests). */
export type LiveSession = { id: number } | null;

/** Why a stream was closed by the server (the `reason` of `event: closed`). */
export type CloseReason = sessions.EndReason | 'ended' | 'too_many_streams';

export type LiveClient = {
  scope: LiveScope;
  session: LiveSession;
  sink: LiveSink;
  cursor: number;
  catchingUp: boolean;
  held: LiveEvent[];
  queued: number;
  closed: boolean;
};

export const MAX_QUEUED = 1000;
/** Streams one session may hold at once; a further one closes the oldest. */
export const MAX_STREAMS_PER_SESSION = 4;
/** The sessions of open streams are re-read at least this often (idle timeouts, a lost NOTIFY). */
export const RECHECK_MS = 10_000;

export type LiveHubOptions = {
  clock?: { now(): Date };
  /** config.session_idle_minutes */
  session_idle_minutes?: number;
  recheck_ms?: number;
  max_streams_per_session?: number;
  /** How long a local commit waits for its own notice before a read of every district delivers it. */
  notice_wait_ms?: number;
};

/** The default of LiveHubOptions.notice_wait_ms: a notice comes within milliseconds of the commit. */
export const NOTICE_WAIT_MS = 1000;

/** What `event: closed` tells the client, by reason. */
export function closeMessage(reason: CloseReason, idleMinutes: number, maxStreams = MAX_STREAMS_PER_SESSION): string {
  switch (reason) {
    case 'logout': return 'The session was logged out: log in again to receive live updates';
    case 'revoked': return 'An administrator ended this session: log in again';
    case 'disabled': return 'This account has been disabled: ask an administrator to enable it';
    case 'idle': return `The session ended after ${idleMinutes} minutes without use: log in again`;
    case 'expired': return 'The session has reached its maximum lifetime: log in again';
    case 'too_many_streams':
      return `This session already had ${maxStreams} live streams open (other tabs or screens), so the oldest was closed: `
        + 'keep one live view per tab, or log in separately on each screen';
    default: return 'The session has ended: log in again';
  }
}

export function visible(scope: LiveScope, p: Record<string, unknown>): boolean {
  return inDistrictSight(scope, p as VisibleCase & { district_code?: unknown });
}

export function frame(e: LiveEvent): string {
  return `id: ${e.id}\nevent: case\ndata: ${JSON.stringify(e.payload)}\n\n`;
}

export class LiveHub {
  private clients = new Set<LiveClient>();
  private lastId = 0;
  /** Events past lastId heard of (notices, local commits): their districts, by id. */
  private heard = new Map<number, string>();
  /** Every event committed in (lastId, vouched] is in `heard`: the notices, heard in commit order, reached it. */
  private vouched = 0;
  /** The next read asks every district (see the top of the file); also until the listener first listens. */
  private full = true;
  private listening = false;
  /** Local commits whose notices have not come yet, and when to stop waiting: then a full read delivers them. */
  private awaited: { id: number; until: number }[] = [];
  private awaitTimer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopListening: (() => Promise<void>) | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private rechecker: NodeJS.Timeout | null = null;
  private stopListeningSessions: (() => Promise<void>) | null = null;
  private checking: Promise<void> | null = null;
  private checkAgain = false;
  private readonly clock: { now(): Date };
  private readonly idleMinutes: number;
  private readonly maxStreams: number;
  private readonly recheckMs: number;
  private readonly noticeWaitMs: number;

  constructor(private readonly db: Queryable & Partial<Pick<Db, 'listen'>>, opts: LiveHubOptions = {}) {
    this.clock = opts.clock ?? { now: () => new Date() };
    this.idleMinutes = opts.session_idle_minutes ?? SESSION_DEFAULTS.idle_minutes;
    this.maxStreams = opts.max_streams_per_session ?? MAX_STREAMS_PER_SESSION;
    this.recheckMs = opts.recheck_ms ?? RECHECK_MS;
    this.noticeWaitMs = opts.notice_wait_ms ?? NOTICE_WAIT_MS;
  }

  async start(): Promise<void> {
    this.lastId = await cases.lastEventId(this.db);
    this.vouched = this.lastId;
    if (this.db.listen) {
      this.stopListening = await this.db.listen(cases.EVENTS_CHANNEL, (payload) => this.noticed(payload), { onState: (up) => this.listenState(up) });
      this.stopListeningSessions = await this.db.listen(sessions.SESSION_ENDS_CHANNEL, () => this.recheckSessions());
    }
    this.heartbeat = setInterval(() => { for (const c of this.clients) this.send(c, ': ping\n\n'); }, 15_000);
    this.heartbeat.unref();
    this.rechecker = setInterval(() => this.recheckSessions(), this.recheckMs);
    this.rechecker.unref();
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.rechecker) clearInterval(this.rechecker);
    if (this.awaitTimer) clearTimeout(this.awaitTimer);
    await this.stopListening?.();
    await this.stopListeningSessions?.();
    for (const c of this.clients) this.drop(c);
    await this.pumping;
    while (this.checking) await this.checking;
  }

  get size(): number { return this.clients.size; }

  /**
   * New events may be committed: read and fan them out (coalesced; safe to call often). `heard`: the events this
   * process just committed (services' onCommitted); they are read with their notices, or by a full read if no
   * notice can vouch for the events before them. Without `heard` the next read asks every district.
   */
  poke(heard?: readonly cases.HeardEvent[]): void {
    if (!heard) this.full = true;
    else if (!this.listening) this.full = true; // no notices: nothing vouches for other processes' events before these
    else {
      for (const e of heard) {
        if (e.id > this.lastId) this.heard.set(e.id, e.district_code);
        if (e.id > this.vouched) this.awaitNotice(e.id);
      }
    }
    this.schedule();
  }

  /** A notice of EVENTS_CHANNEL (db/cases.ts eventNotice): in commit order, so it vouches for every id before it. */
  private noticed(payload: string): void {
    const n = cases.parseEventNotice(payload);
    // A notice while not known to be listening (a listen that never says so) vouches for nothing: a full read.
    if (!n || n.district_code === null || !this.listening) { this.full = true; this.schedule(); return; }
    if (n.id > this.lastId) this.heard.set(n.id, n.district_code);
    if (n.id > this.vouched) this.vouched = n.id;
    this.schedule();
  }

  /** The listener is (again) listening, or lost: notices may have been missed meanwhile, so the next read is full. */
  private listenState(up: boolean): void {
    this.listening = up;
    this.full = true;
    if (up) this.schedule();
  }

  /** A local commit ahead of the notices: its notice will say it; if none comes (lost), a full read delivers it. */
  private awaitNotice(id: number): void {
    this.awaited.push({ id, until: Date.now() + this.noticeWaitMs });
    if (!this.awaitTimer) this.armAwait();
  }

  private armAwait(): void {
    const known = Math.max(this.vouched, this.lastId);
    this.awaited = this.awaited.filter((a) => a.id > known);
    if (!this.awaited.length) return;
    const first = Math.min(...this.awaited.map((a) => a.until));
    this.awaitTimer = setTimeout(() => {
      this.awaitTimer = null;
      const now = Date.now();
      if (this.awaited.some((a) => a.until <= now && a.id > Math.max(this.vouched, this.lastId))) {
        this.awaited = []; // the full read reads them all
        this.full = true;
        this.schedule();
      } else this.armAwait();
    }, Math.max(0, first - Date.now()));
    this.awaitTimer.unref();
  }

  private schedule(): void {
    if (this.pumping) { this.again = true; return; }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.again) { this.again = false; this.schedule(); }
    });
  }

  /** Waits for the reads under way (and those they asked for) without asking for a full one (tests). */
  async quiet(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /** Waits until every event committed so far has been handed to the clients (tests, shutdown). */
  async settle(): Promise<void> {
    this.poke();
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    // After a read of the heard districts that did not match, one full read and no second try in this pump: an
    // event heard of but not found (not visible yet, or its case deleted since) must not make it spin. The heard ids
    // stay, so the next notice tries again; a full read past them forgets them.
    let fellBack = false;
    for (;;) {
      if (this.full) {
        this.full = false; // cleared before the read: a request meanwhile reads again
        await this.readAll();
      } else if (!fellBack && this.listening && this.vouched > this.lastId) {
        if (!(await this.readHeard())) { this.full = true; fellBack = true; }
      } else return;
    }
  }

  /** Every event after lastId, from every district (by id alone: on Citus all 32 shards). */
  private async readAll(): Promise<void> {
    for (;;) {
      const events = await cases.eventsAfter(this.db, this.lastId, 500);
      for (const e of events) this.emit(e);
      if (events.length < 500) break;
    }
    this.vouched = Math.max(this.vouched, this.lastId);
    this.forgetHeard();
  }

  /**
   * The events in (lastId, vouched] from the districts heard of, when they are exactly the events heard of (ids and
   * all); false, having delivered nothing, when not (a notice missed, an event not visible yet): a full read then.
   */
  private async readHeard(): Promise<boolean> {
    const from = this.lastId;
    const upTo = this.vouched;
    const ids = [...this.heard.keys()].filter((id) => id > from && id <= upTo);
    const districts = [...new Set(ids.map((id) => this.heard.get(id)!))].sort();
    if (!ids.length) return false;
    const got: cases.EventRow[] = [];
    let after = from;
    for (;;) {
      const page = await cases.eventsHeard(this.db, districts, after, upTo, 500);
      got.push(...page);
      if (page.length < 500) break;
      after = page[page.length - 1].id;
    }
    const expected = new Set(ids);
    if (got.length !== expected.size || got.some((e) => !expected.has(e.id))) return false;
    for (const e of got) this.emit(e);
    this.lastId = Math.max(this.lastId, upTo);
    this.forgetHeard();
    return true;
  }

  private emit(e: LiveEvent): void {
    for (const c of this.clients) {
      if (c.catchingUp) c.held.push(e);
      else this.deliver(c, e);
    }
    this.lastId = e.id;
  }

  private forgetHeard(): void {
    for (const id of this.heard.keys()) if (id <= this.lastId) this.heard.delete(id);
  }

  /**
   * Adds a client; with `lastEventId` it first gets every visible event after that id, then the live ones. A
   * `lastEventId` past the newest event (another database, a made-up id) gets `event: resync` and is closed: the
   * client reloads and starts over. With a session, the session's oldest stream is closed past the cap, and the
   * session is checked once more (it may have ended between the request's authentication and now).
   */
  async add(sink: LiveSink, scope: LiveScope, lastEventId: number | null, session: LiveSession = null): Promise<LiveClient> {
    const c: LiveClient = {
      scope, session, sink, cursor: lastEventId ?? this.lastId, catchingUp: lastEventId !== null, held: [], queued: 0, closed: false,
    };
    if (lastEventId !== null && lastEventId > this.lastId) {
      const newest = await cases.lastEventId(this.db);
      if (lastEventId > newest) {
        sink.write(`retry: 2000\n\nevent: resync\ndata: {"last_event_id":${newest}}\n\n`);
        c.closed = true;
        sink.end();
        return c;
      }
    }
    if (session) {
      const mine = [...this.clients].filter((o) => o.session?.id === session.id);
      for (const old of mine.slice(0, Math.max(0, mine.length - this.maxStreams + 1))) this.close(old, 'too_many_streams');
    }
    this.clients.add(c);
    this.send(c, `retry: 2000\n\n`);
    if (session) this.recheckSessions();
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

  /** Streams of this session still open (tests). */
  streamsOf(sessionId: number): number {
    return [...this.clients].filter((c) => c.session?.id === sessionId).length;
  }

  /**
   * Re-reads the sessions of the open streams and closes those whose session has ended, whose user is disabled,
   * or that are idle or past their lifetime by now (coalesced; safe to call often).
   */
  recheckSessions(): void {
    if (this.checking) { this.checkAgain = true; return; }
    this.checking = this.checkSessions().catch(() => { /* the next recheck tries again */ }).finally(() => {
      this.checking = null;
      if (this.checkAgain) { this.checkAgain = false; this.recheckSessions(); }
    });
  }

  /** Waits until the sessions of every stream open so far have been checked (tests). */
  async settleSessions(): Promise<void> {
    this.recheckSessions();
    while (this.checking) await this.checking;
  }

  private async checkSessions(): Promise<void> {
    const ids = [...new Set([...this.clients].flatMap((c) => (c.session ? [c.session.id] : [])))];
    if (!ids.length) return;
    const states = new Map((await sessions.streamStates(this.db, ids)).map((s) => [s.session_id, s]));
    const now = this.clock.now();
    const asked = new Set(ids);
    for (const c of [...this.clients]) {
      if (!c.session || !asked.has(c.session.id)) continue; // added meanwhile: the next check (coalesced) judges it
      const s = states.get(c.session.id);
      let reason: CloseReason | null;
      if (!s) reason = 'ended';
      else if (s.ended_at) reason = s.end_reason ?? 'ended';
      else if (s.user_disabled) reason = 'disabled';
      else {
        const status = sessionStatus(s, now, this.idleMinutes);
        reason = status === 'active' ? null : status;
      }
      if (reason) this.close(c, reason);
    }
  }

  /** Tells the client why and ends its stream. */
  private close(c: LiveClient, reason: CloseReason): void {
    if (c.closed) return;
    // A long retry: a client that reconnects anyway (EventSource does) is not refused or closed again at once.
    c.sink.write(`retry: 30000\nevent: closed\ndata: ${JSON.stringify({ reason, message: closeMessage(reason, this.idleMinutes, this.maxStreams) })}\n\n`);
    this.drop(c);
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
