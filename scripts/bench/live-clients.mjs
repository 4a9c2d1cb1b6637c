// Worker for npm run bench: `clients` SSE connections to /api/live; for every case event, the delay from the
// change's updated_at (set in the transaction, so this slightly overstates it) to its arrival here.
import { parentPort, workerData } from 'node:worker_threads';
import http from 'node:http';

const { base, token, clients, seconds } = workerData;
const delays = [];
let connected = 0;
const sockets = [];
for (let i = 0; i < clients; i++) {
  const req = http.get(`${base}/api/live?access_token=${token}`, (res) => {
    connected++;
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      buf += chunk;
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (data && frame.includes('event: case')) delays.push(Date.now() - Date.parse(JSON.parse(data.slice(6)).updated_at));
      }
    });
  });
  req.on('error', () => {});
  sockets.push(req);
}
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
while (connected < clients) await wait(20);
parentPort.postMessage({ ready: true });
await wait(seconds * 1000);
for (const s of sockets) s.destroy();
parentPort.postMessage({ delays });
