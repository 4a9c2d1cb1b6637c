// The proof-of-work puzzle the public report page solves (domain/public.ts issues and verifies it): find a decimal
// nonce such that SHA-256 of `challenge:nonce` starts with `bits` zero bits. No node:crypto here: the browser runs
// this very code (client/src/screens/public/pow-worker.ts). PURE.
import { sha256, utf8 } from './sha256.js';

/** Leading zero bits of a digest. */
export function leadingZeroBits(d: Uint8Array): number {
  let n = 0;
  for (const byte of d) {
    if (byte === 0) { n += 8; continue; }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

/** Whether `nonce` solves `challenge` at `bits`. */
export function solves(challenge: string, nonce: string, bits: number): boolean {
  return leadingZeroBits(sha256(utf8(`${challenge}:${nonce}`))) >= bits;
}

/** The first nonce (decimal) from `from` that solves the challenge. */
export function solveChallenge(challenge: string, bits: number, maxTries = 1 << 26, from = 0): string {
  for (let i = from; i < from + maxTries; i++) if (solves(challenge, String(i), bits)) return String(i);
  throw new Error(`no solution in ${maxTries} tries`);
}
