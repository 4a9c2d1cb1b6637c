// The notification worker (issue 11 §Notifications): a loop in the server process that claims due outbox rows,
// hands each to its channel, and marks it delivered, or reschedules it with exponential backoff and jitter, or after
// the last attempt dead-letters it (the admin sees it and may retry). At least once: a receiver may see a message
// twice (e.g. its answer was lost), always with the same X-Gridline-Delivery / Idempotency-Key.
import type { Queryable } from '../../db/types.js';
import * as notify from '../../db/notify.js';
import { afterFailure, DEFAULT_RETRY, type Language, type NotifyChannel, type RetryPolicy } from '../../domain/notify.js';
import type { Channel } from './channels.js';

export type WorkerDeps = {
  db: Queryable;
  clock: { now(): Date };
  channels: ReadonlyMap<NotifyChannel, Channel>;
  /** The district's language (district settings), for rows that do not name their recipient's. */
  language(): Language;
  retry?: RetryPolicy;
  /** Rows claimed at once. */
  batch?: number;
  /** How long a claimed row stays with this process before another may take it (it died mid-delivery). */
  lease_ms?: number;
  random?(): number;
  log?(msg: string): void;
};

export type TickResult = { claimed: number; delivered: number; failed: number; dead: number };

/** One pass: claim the due rows, deliver them one after another, record each outcome. */
export async function deliverDue(d: WorkerDeps): Promise<TickResult> {
  const now = d.clock.now();
  const rows = await notify.claimDue(d.db, now, new Date(now.getTime() + (d.lease_ms ?? 5 * 60_000)), d.batch ?? 20);
  const out: TickResult = { claimed: rows.length, delivered: 0, failed: 0, dead: 0 };
  for (const row of rows) {
    const channel = d.channels.get(row.channel);
    let error: string | null = null;
    let final = false;
    if (row.subscription_deleted) { error = 'subscription deleted'; final = true; }
    else if (!channel) error = row.channel === 'email' ? 'e-mail is not set up: set GRIDLINE_SMTP_URL and GRIDLINE_SMTP_FROM' : `${row.channel} is not set up: set GRIDLINE_SMS_URL`;
    else {
      try {
        await channel.deliver({
          id: row.id, channel: row.channel, target: row.target, template: row.template, params: row.params, event: row.event,
          dedupe_key: row.dedupe_key, language: row.language ?? d.language(), secret: row.secret,
        });
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    }
    const at = d.clock.now();
    if (error === null) {
      await notify.markDelivered(d.db, row.id, at);
      out.delivered++;
      continue;
    }
    const next = final ? { dead: true as const } : afterFailure(row.attempts, at, (d.random ?? Math.random)(), d.retry ?? DEFAULT_RETRY);
    await notify.markFailed(d.db, row.id, { error, next_at: next.dead ? null : next.next_at, dead_at: next.dead ? at : null });
    if (next.dead) { out.dead++; d.log?.(`notification ${row.id} (${row.channel} ${row.event}) dead after ${row.attempts} attempts: ${error}`); }
    else out.failed++;
  }
  return out;
}

/** Days a delivered message stays in the outbox (for the admin's list) before the worker deletes it. */
export const DELIVERED_KEEP_DAYS = 30;

export type NotifyWorker = { stop(): Promise<void>; poke(): void };

/**
 * Runs deliverDue every `poll_ms` (at once again while a pass found a full batch); poke() runs a pass now (after a
 * commit that wrote rows). stop() waits for the pass under way, so the process closes the database after it.
 */
export function startNotifyWorker(d: WorkerDeps & { poll_ms?: number }): NotifyWorker {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let purged = 0;
  const poll = d.poll_ms ?? 2000;
  const schedule = (ms: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, ms);
    timer.unref?.();
  };
  function run() {
    timer = null;
    if (stopped || running) return;
    running = (async () => {
      let again = false;
      try {
        const r = await deliverDue(d);
        again = r.claimed >= (d.batch ?? 20);
        const now = d.clock.now().getTime();
        if (now - purged >= 3600_000) { // hourly: delivered messages are kept 30 days, then go
          purged = now;
          await notify.purgeDelivered(d.db, new Date(now - DELIVERED_KEEP_DAYS * 86_400_000));
        }
      } catch (e) {
        d.log?.(`notification worker: ${e instanceof Error ? e.message : e} (tries again in ${poll} ms)`);
      } finally {
        running = null;
        schedule(again ? 0 : poll);
      }
    })();
  }
  schedule(0);
  return {
    poke: () => { if (!running) schedule(0); },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
