// Worker thread for npm run bench: keeps `concurrency` requests in flight over the given paths for `seconds`,
// so the server's own thread does nothing but serve. node:http with keep-alive, not fetch: on two shared cores
// the client's own CPU is taken from the server, and fetch costs several times more per request.
import { parentPort, workerData } from 'node:worker_threads';
import http from 'node:http';

const { base, paths, seconds, start, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const get = (path) => new Promise((resolve, reject) => {
  http.get(base + path, { agent }, (res) => {
    res.on('data', () => {});
    res.on('end', () => (res.statusCode >= 400 ? reject(new Error(`${res.statusCode} for ${path}`)) : resolve()));
  }).on('error', reject);
});
let next = start;
let count = 0;
const t0 = performance.now();
const end = t0 + seconds * 1000;
async function loop() {
  while (performance.now() < end) {
    await get(paths[next++ % paths.length]);
    count++;
  }
}
await Promise.all(Array.from({ length: concurrency }, loop));
agent.destroy();
parentPort.postMessage({ count, ms: performance.now() - t0 });
