// A token bucket (rate limits such as Open311's POSTs per API key, issue 11 §Bad input): `burst` at once, refilled
// at `per_minute`. Pure: the caller keeps the buckets and passes the time.

export type BucketPolicy = { burst: number; per_minute: number };
export type Bucket = { tokens: number; at: number };

/**
 * Takes one token at `now_ms`: the bucket after it, or how many whole seconds until one is there again.
 * @example takeToken(undefined, 0, { burst: 2, per_minute: 60 }) // → { ok: true, bucket: { tokens: 1, at: 0 } }
 */
export function takeToken(b: Bucket | undefined, now_ms: number, p: BucketPolicy): { ok: true; bucket: Bucket } | { ok: false; bucket: Bucket; retry_after_s: number } {
  const tokens = b ? Math.min(p.burst, b.tokens + (Math.max(0, now_ms - b.at) * p.per_minute) / 60_000) : p.burst;
  if (tokens < 1) return { ok: false, bucket: { tokens, at: now_ms }, retry_after_s: Math.max(1, Math.ceil(((1 - tokens) * 60) / p.per_minute)) };
  return { ok: true, bucket: { tokens: tokens - 1, at: now_ms } };
}
