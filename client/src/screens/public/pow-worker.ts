// The proof of work of the public report page, off the main thread: finds the nonce for a challenge (server/domain/pow.ts,
// the same code the server verifies with) and posts it back. ~65,000 SHA-256 of a short string: about 0.5 s on a phone.
import { solveChallenge } from '../../../../server/domain/pow.js';

self.onmessage = (e: MessageEvent<{ challenge: string; bits: number }>) => {
  try {
    (self as unknown as Worker).postMessage({ nonce: solveChallenge(e.data.challenge, e.data.bits) });
  } catch (err) {
    (self as unknown as Worker).postMessage({ error: (err as Error).message });
  }
};
