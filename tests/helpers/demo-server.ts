// startDemoServer(): the real server (server/main.ts) as a child process on a free port, with an in-memory
// embedded database and a small demo district; builds the client first when dist/client is missing or older than its
// sources (ensureClientBuilt).
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** What the client build is made of: its sources, the pure server code it imports, the build config and the lockfile. */
const CLIENT_INPUTS = ['client', 'server/domain', 'server/http/schemas', 'data/basemap', 'vite.config.ts', 'package-lock.json'];

function clientKey(): string {
  const h = createHash('sha256');
  for (const root of CLIENT_INPUTS) {
    const paths = statSync(root).isFile()
      ? [root]
      : readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
    for (const p of paths) h.update(p).update('\0').update(readFileSync(p)).update('\0');
  }
  return h.digest('hex');
}

/**
 * Builds the client into dist/client unless the build there was made from the same sources (its key in
 * dist/client/.build-key), so a run of the browser tests builds once, and never tests an older screen.
 */
export function ensureClientBuilt(): void {
  const key = clientKey();
  const stamp = 'dist/client/.build-key';
  if (existsSync('dist/client/index.html') && existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return;
  execFileSync('npx', ['vite', 'build'], { stdio: 'ignore' });
  writeFileSync(stamp, key);
}

export async function startDemoServer(env: Record<string, string> = {}): Promise<{ url: string; close(): Promise<void>; log(): string }> {
  if (!env.GRIDLINE_CLIENT_DIR) ensureClientBuilt();
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', GRIDLINE_DATA_DIR: 'memory://', GRIDLINE_DEMO: 'dongcheng',
      GRIDLINE_DEMO_GRIDS: '400', GRIDLINE_DEMO_COMPONENTS: '6000', DATABASE_URL: '', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 180 s:\n${out}`)), 180_000);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${out}`)); });
    const poll = setInterval(() => {
      if (out.includes('Gridline is serving on')) { clearInterval(poll); clearTimeout(timer); resolve(); }
    }, 100);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => out,
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
