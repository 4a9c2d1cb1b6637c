// A token bucket (rate limits such as Open311's POSTs per API key, issue 11 §Bad input, and the anonymous intake
// throttle, http/intake-throttle.ts): `burst` at once, refilled at `per_minute` or `per_hour`. Pure: the caller keeps
// the buckets and passes the time.

export type BucketPolicy = { burst: number } & ({ per_minute: number; per_hour?: never } | { per_hour: number; per_minute?: never });
export type Bucket = { tokens: number; at: number };

/** Tokens added per `period_s` seconds (computed in the policy's own unit, so waits come out exact). */
const refillOf = (p: BucketPolicy): { n: number; period_s: number } =>
  p.per_minute !== undefined ? { n: p.per_minute, period_s: 60 } : { n: p.per_hour!, period_s: 3600 };

/**
 * Takes one token at `now_ms`: the bucket after it, or how many whole seconds until one is there again.
 * @example takeToken(undefined, 0, { burst: 2, per_minute: 60 }) // → { ok: true, bucket: { tokens: 1, at: 0 } }
 */
export function takeToken(b: Bucket | undefined, now_ms: number, p: BucketPolicy): { ok: true; bucket: Bucket } | { ok: false; bucket: Bucket; retry_after_s: number } {
  const { n, period_s } = refillOf(p);
  const tokens = b ? Math.min(p.burst, b.tokens + (Math.max(0, now_ms - b.at) * n) / (period_s * 1000)) : p.burst;
  if (tokens < 1) return { ok: false, bucket: { tokens, at: now_ms }, retry_after_s: Math.max(1, Math.ceil(((1 - tokens) * period_s) / n)) };
  return { ok: true, bucket: { tokens: tokens - 1, at: now_ms } };
}
