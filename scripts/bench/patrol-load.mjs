// Worker for scripts/bench/patrol.ts: `inspectors` phones, each POSTing one fix to /api/patrol/positions every
// `every_s` seconds (open loop: the send times are fixed in advance, whatever the answers), for `seconds`;
// returns each request's latency in ms and how many were refused.
import { parentPort, workerData } from 'node:worker_threads';
import http from 'node:http';

const { base, tokens, points, seconds, every_s } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const rate = tokens.length / every_s; // requests per second
let failed = 0;
let firstFailure = null;
const post = (k, n) => new Promise((resolve) => {
  const p = points[k % points.length];
  const jitter = ((n * 7919 + k * 104729) % 200 - 100) / 1e6; // a few metres' walk
  const at = new Date().toISOString();
  const body = JSON.stringify({ fixes: [{ id: `b${n}`, at, lon: p[0] + jitter, lat: p[1] - jitter, accuracy_m: 8 }] });
  const t0 = performance.now();
  const req = http.request(`${base}/api/patrol/positions`, { method: 'POST', agent, headers: {
    'content-type': 'application/json', authorization: `Bearer ${tokens[k]}`, 'idempotency-key': `pb-${k}-${n}`,
  } }, (res) => {
    let text = '';
    res.on('data', (c) => { text += c; });
    res.on('end', () => {
      if (res.statusCode !== 200 || !text.includes('"accepted":1')) { failed++; firstFailure ??= `${res.statusCode} ${text.slice(0, 300)}`; }
      resolve(performance.now() - t0);
    });
  });
  req.on('error', (e) => { failed++; firstFailure ??= String(e); resolve(performance.now() - t0); });
  req.end(body);
});
const lat = [];
const pending = [];
const start = performance.now();
for (let i = 0; ; i++) {
  const due = start + (i / rate) * 1000;
  if (due > start + seconds * 1000) break;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  pending.push(post(i % tokens.length, i).then((ms) => lat.push(ms)));
}
await Promise.all(pending);
const ms = performance.now() - start;
agent.destroy();
parentPort.postMessage({ lat, ms, failed, firstFailure });
