// startDemoServer(): the real server (server/main.ts) as a child process on a free port, with an in-memory
// embedded database and a small demo district; builds the client first when dist/client is missing.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

export async function startDemoServer(env: Record<string, string> = {}): Promise<{ url: string; close(): Promise<void>; log(): string }> {
  if (!existsSync('dist/client/index.html')) execFileSync('npx', ['vite', 'build'], { stdio: 'ignore' });
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
