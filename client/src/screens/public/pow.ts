// Gets an upload ticket for the public report page: a challenge from the server, solved in a Web Worker (in the page,
// in slices that keep it responsive, where workers are unavailable), sent back for the ticket.
import { fetchChallenge, postTicket, type Ticket } from '../../api/public.js';
import { solves } from '../../../../server/domain/pow.js';

function solveInWorker(challenge: string, bits: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let w: Worker;
    try {
      w = new Worker(new URL('./pow-worker.ts', import.meta.url), { type: 'module' });
    } catch (e) {
      reject(e);
      return;
    }
    w.onmessage = (e: MessageEvent<{ nonce?: string; error?: string }>) => {
      w.terminate();
      if (e.data.nonce !== undefined) resolve(e.data.nonce); else reject(new Error(e.data.error ?? 'no solution'));
    };
    w.onerror = (e) => { w.terminate(); reject(new Error(e.message || 'worker failed')); };
    w.postMessage({ challenge, bits });
  });
}

async function solveInPage(challenge: string, bits: number): Promise<string> {
  for (let i = 0; ; i++) {
    if (solves(challenge, String(i), bits)) return String(i);
    if (i % 5000 === 4999) await new Promise((r) => setTimeout(r, 0));
  }
}

export async function obtainTicket(): Promise<Ticket> {
  const c = await fetchChallenge();
  let nonce: string;
  try {
    nonce = await solveInWorker(c.challenge, c.bits);
  } catch {
    nonce = await solveInPage(c.challenge, c.bits);
  }
  return postTicket(c.challenge, nonce);
}
