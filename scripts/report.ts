// CLI: the printable monthly report as PDF, the same as GET /api/reports/monthly.pdf: starts the app in-process on a
// free port of 127.0.0.1, opens a session for a leader (or --user), asks its own server for the PDF, writes it.
//   npm run report -- --month YYYY-MM [--region CODE] [--lang zh|en] [--user NAME] [--out file.pdf]
//                     [--database-url URL | --data-dir DIR]
// Exit code 0 when written, 1 when the report was refused (bad month or region: the server's message), 2 on a usage,
// connection or rendering error.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { openDb } from '../server/db/open.js';
import { migrate } from '../server/db/migrate.js';
import { buildApp } from '../server/app.js';
import { endServiceSession, openServiceSession } from '../server/services/service-session.js';
import { exportFilename } from '../server/domain/exports.js';

const USAGE = 'usage: npm run report -- --month YYYY-MM [--region CODE] [--lang zh|en] [--user NAME] [--out file.pdf] [--database-url URL | --data-dir DIR]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      month: { type: 'string' }, region: { type: 'string' }, lang: { type: 'string' }, user: { type: 'string' }, out: { type: 'string' },
      'database-url': { type: 'string' }, 'data-dir': { type: 'string' },
    },
  });
  if (!values.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) {
    console.error(`report: --month must be a month like 2026-03\n${USAGE}`);
    return 2;
  }
  const config = loadConfig({
    ...process.env, GRIDLINE_DEMO: '0', PORT: '0', HOST: '127.0.0.1',
    ...(values['database-url'] ? { DATABASE_URL: values['database-url'] } : {}),
    ...(values['data-dir'] ? { GRIDLINE_DATA_DIR: values['data-dir'], DATABASE_URL: '' } : {}),
  });
  if (!existsSync(resolve(config.client_dir, 'index.html'))) {
    console.error(`report: the web client is not built in ${config.client_dir}; run npm run build:client first`);
    return 2;
  }
  const t0 = performance.now();
  const db = await openDb(config);
  try {
    await migrate(db);
    const app = await buildApp(config, { db, logger: false });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as { port: number }).port;
      const session = await openServiceSession(db, new Date(), 'npm run report', values.user);
      try {
        const qs = new URLSearchParams({ month: values.month, lang: values.lang ?? 'zh' });
        if (values.region) qs.set('region', values.region);
        const res = await fetch(`http://127.0.0.1:${port}/api/reports/monthly.pdf?${qs}`, { headers: { authorization: `Bearer ${session.token}` } });
        if (!res.ok) {
          const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
          console.error(`report: ${body?.error?.message ?? `${res.status} ${res.statusText}`}`);
          return res.status < 500 ? 1 : 2;
        }
        const pdf = Buffer.from(await res.arrayBuffer());
        const out = values.out ?? exportFilename(['report', values.month, values.region], 'pdf');
        writeFileSync(out, pdf);
        console.log(`report: ${out} (${(pdf.length / 1024).toFixed(0)} KiB, as ${session.user.username}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        return 0;
      } finally {
        await endServiceSession(db, session, new Date());
      }
    } finally {
      await app.close();
    }
  } finally {
    await db.close();
  }
}

main().then((code) => process.exit(code), (e) => { console.error(`report: ${e instanceof Error ? e.message : e}`); process.exit(2); });
