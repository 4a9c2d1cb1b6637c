// Load generator for npm run bench: keeps `concurrency` GET requests in flight over the given paths for `seconds`,
// one request at a time on each of `concurrency` keep-alive connections (no pipelining: as a browser asks).
//
// HTTP/1.1 by hand over node:net, reading only the status line and the framing (Content-Length or chunked): on two
// shared cores every microsecond the client spends is taken from the server it measures, and node:http's client costs
// several times more per request (fetch more again), which caps the fast side of a comparison at the client's speed.
// Any status of 400 or more fails the run (a bench must not count refusals as served tiles).
//
// Runs either as a worker thread (workerData in, parentPort out) or as a child process (child_process.fork: the job
// comes as the first IPC message, { count, ms, bytes } or { error } goes back the same way), the latter so that the server's
// process spends its CPU on serving alone.
import { parentPort, workerData } from 'node:worker_threads';
import net from 'node:net';

const CRLF2 = Buffer.from('\r\n\r\n');

/** One keep-alive connection; `get(request)` resolves with the status once the whole answer has been read. */
function connection(host, port, tally) {
  let socket = null;
  let buf = Buffer.alloc(0);
  let waiting = null; // { resolve, reject }
  // framing of the answer being read
  let status = 0;
  let bodyLeft = -1; // bytes of a Content-Length body still to read; -1: headers not read yet
  let chunked = false;
  let close = false;

  const open = () => {
    socket = net.connect({ host, port, noDelay: true });
    socket.on('data', (d) => { buf = buf.length ? Buffer.concat([buf, d]) : d; parse(); });
    socket.on('error', (e) => fail(e));
    socket.on('close', () => { socket = null; if (waiting) fail(new Error('connection closed mid-answer')); });
  };
  const fail = (e) => { const w = waiting; waiting = null; w?.reject(e); };
  const done = () => {
    const w = waiting;
    waiting = null;
    bodyLeft = -1;
    if (close) { socket?.destroy(); socket = null; close = false; }
    w?.resolve(status);
  };
  const parse = () => {
    for (;;) {
      if (!waiting) return;
      if (bodyLeft === -1) {
        const end = buf.indexOf(CRLF2);
        if (end === -1) return;
        const head = buf.toString('latin1', 0, end);
        buf = buf.subarray(end + 4);
        status = Number(head.slice(9, 12));
        const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
        close = /\r\nconnection:\s*close/i.test(head);
        bodyLeft = chunked ? 0 : cl ? Number(cl[1]) : 0;
        if (!chunked) tally.bytes += bodyLeft;
      }
      if (chunked) {
        // <hex size>\r\n<bytes>\r\n … 0\r\n\r\n (no trailers from our server)
        const eol = buf.indexOf('\r\n');
        if (eol === -1) return;
        const size = parseInt(buf.toString('latin1', 0, eol), 16);
        if (buf.length < eol + 2 + size + 2) return;
        tally.bytes += size;
        buf = buf.subarray(eol + 2 + size + 2);
        if (size === 0) { chunked = false; done(); }
        continue;
      }
      if (buf.length < bodyLeft) { bodyLeft -= buf.length; buf = Buffer.alloc(0); return; }
      buf = buf.subarray(bodyLeft);
      done();
    }
  };
  return {
    get(request) {
      if (!socket) open();
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(request);
      });
    },
    destroy() { socket?.destroy(); },
  };
}

/**
 * { count, ms, bytes }: answers read, the time they took, their bodies' bytes. At least `min_requests` are made
 * whatever the time. `latencies`: also return each request's time, ms (end to end: request written → last byte read), as `lat`.
 */
export async function run({ base, paths, seconds, start, concurrency, latencies = false, min_requests = 0 }) {
  const url = new URL(base);
  const host = url.hostname;
  const port = Number(url.port || 80);
  const requests = paths.map((p) => Buffer.from(`GET ${url.pathname.replace(/\/$/, '')}${p} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`, 'latin1'));
  let next = start ?? 0;
  let count = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const tally = { bytes: 0 };
  const conns = Array.from({ length: concurrency }, () => connection(host, port, tally));
  const lat = [];
  const loop = async (c) => {
    while (performance.now() < end || count < min_requests) {
      const i = next++ % paths.length;
      const t = latencies ? performance.now() : 0;
      const s = await c.get(requests[i]);
      if (latencies) lat.push(performance.now() - t);
      if (s >= 400 || s < 200) throw new Error(`${s} for ${paths[i]}`);
      count++;
    }
  };
  try {
    await Promise.all(conns.map(loop));
  } finally {
    for (const c of conns) c.destroy();
  }
  const ms = performance.now() - t0;
  return latencies ? { count, ms, bytes: tally.bytes, lat } : { count, ms, bytes: tally.bytes };
}

if (parentPort && workerData) parentPort.postMessage(await run(workerData));
else if (process.send) {
  process.once('message', async (job) => {
    let answer;
    try { answer = await run(job); } catch (e) { answer = { error: String(e?.message ?? e) }; }
    process.send(answer, () => process.exit(answer.error ? 1 : 0));
  });
}
