// Anonymous intake throttle (issue 8, defect 8): the public may report problems without logging in
// (POST /api/cases), but one client address may not flood the intake. A token bucket per address: `burst` reports
// at once, refilled at `per_hour`; past it the report is refused with 429 `too_many_requests`, Retry-After and a
// message saying when to try again. Logged-in users are not throttled by it. The counts live in this process's
// memory (a restart forgets them; with several server processes each keeps its own): a brake on floods, not an
// account of who reported what. The client address is req.ip (GRIDLINE_TRUST_PROXY decides whose it is).
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import { takeToken, type Bucket } from '../domain/token-bucket.js';

export type IntakePolicy = {
  /** Reports one address may make at once. */
  burst: number;
  /** Reports per hour it may make in the long run. */
  per_hour: number;
  /** Addresses remembered at most; past it the least recently seen are forgotten (they start full again). */
  max_addresses: number;
};

export const ANONYMOUS_INTAKE: IntakePolicy = { burst: 10, per_hour: 20, max_addresses: 100_000 };

function waitText(s: number): string {
  return s < 120 ? `${s} s` : `${Math.ceil(s / 60)} minutes`;
}

/**
 * A preHandler hook for POST /api/cases (after the auth hook: req.user null means anonymous). Runs after body
 * validation, so a malformed report does not use up the allowance.
 */
export function anonymousIntakeThrottle(clock: { now(): Date }, p: IntakePolicy = ANONYMOUS_INTAKE) {
  const buckets = new Map<string, Bucket>();
  return async function intakeThrottle(req: FastifyRequest): Promise<void> {
    if (req.user) return;
    const key = req.ip || 'unknown';
    const r = takeToken(buckets.get(key), clock.now().getTime(), { burst: p.burst, per_hour: p.per_hour });
    if (!r.ok) {
      buckets.set(key, r.bucket);
      const wait = r.retry_after_s;
      throw new DomainError('too_many_requests',
        `Too many reports from this address without logging in (at most ${p.burst} at once and ${p.per_hour} an hour): `
        + `try again in ${waitText(wait)}, or log in to report without this limit`, { retry_after_s: wait });
    }
    buckets.delete(key); // re-inserted last: the Map's order is least recently seen first
    buckets.set(key, r.bucket);
    if (buckets.size > p.max_addresses) buckets.delete(buckets.keys().next().value!);
  };
}
