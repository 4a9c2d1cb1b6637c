// Per-address quotas of the public pages (issue 11 §Bad input): a preHandler that counts each validated request of a
// kind from one client address in a sliding window (domain/public.ts takeQuota) and refuses past the limit with 429
// `too_many_requests`, Retry-After (set from details.retry_after_s by the auth plugin's onError hook) and a message
// saying when to try again. Counts live in this process's memory, like the anonymous intake throttle
// (http/intake-throttle.ts): a brake on floods. req.ip is the client (GRIDLINE_TRUST_PROXY decides whose it is).
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import { takeQuota, type Quota } from '../domain/public.js';

const MAX_ADDRESSES = 100_000;

export function publicQuota(kind: string, q: Quota, clock: { now(): Date }) {
  const logs = new Map<string, number[]>();
  return async function quota(req: FastifyRequest): Promise<void> {
    const key = req.ip || 'unknown';
    const r = takeQuota(logs.get(key) ?? [], clock.now().getTime(), q);
    logs.delete(key); // re-inserted last: least recently seen first
    logs.set(key, r.times);
    if (logs.size > MAX_ADDRESSES) logs.delete(logs.keys().next().value!);
    if (!r.ok) {
      const wait = r.retry_after_s < 120 ? `${r.retry_after_s} s` : `${Math.ceil(r.retry_after_s / 60)} minutes`;
      throw new DomainError('too_many_requests',
        `Too many ${kind} from this address (at most ${q.limit} in ${q.window_s / 60} minutes): try again in ${wait}`, { retry_after_s: r.retry_after_s });
    }
  };
}
