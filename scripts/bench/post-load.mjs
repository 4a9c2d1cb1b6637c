// Worker for npm run bench: POST /api/cases either at a fixed rate (`rate` per second) or with `concurrency`
// requests in flight, for `seconds`; returns the latencies in ms.
import { parentPort, workerData } from 'node:worker_threads';
import http from 'node:http';

const { base, token, points, seconds, rate, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(concurrency ?? 1, 64) });
let n = 0;
const post = () => new Promise((resolve, reject) => {
  const p = points[n++ % points.length];
  const body = JSON.stringify({ kind: 'event', class_code: '06010', lon: p[0], lat: p[1], description: 'bench' });
  const t0 = performance.now();
  const req = http.request(`${base}/api/cases`, { method: 'POST', agent, headers: {
    'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': `bench-${process.pid}-${Date.now()}-${n}`,
  } }, (res) => {
    res.on('data', () => {});
    res.on('end', () => (res.statusCode === 201 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
  });
  req.on('error', reject);
  req.end(body);
});
const lat = [];
const end = performance.now() + seconds * 1000;
if (rate) {
  const pending = [];
  for (let i = 0; performance.now() < end; i++) {
    pending.push(post().then((ms) => lat.push(ms)));
    const next = i / rate * 1000 - (seconds * 1000 - (end - performance.now()));
    if (next > 0) await new Promise((r) => setTimeout(r, next));
  }
  await Promise.all(pending);
} else {
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < end) lat.push(await post()); }));
}
agent.destroy();
parentPort.postMessage({ lat, ms: seconds * 1000 });
