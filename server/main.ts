// The only file that reads process.env and calls listen(): config → db → migrate → classes → demo → serve.
import { loadConfig } from './config.js';
import { openDb } from './db/open.js';
import { migrate } from './db/migrate.js';
import { loadClasses } from './services/classes.js';
import { isEmpty, loadDemo } from './services/demo.js';
import { buildApp } from './app.js';
import { checkDurability } from './services/durability.js';
import { runHistory, type HistoryProgress } from './services/history.js';
import { loadDistrictRules } from './services/district-rules.js';
import { startNotifyWorker, type NotifyWorker } from './services/notify/worker.js';
import { channelsOf } from './services/notify/channels.js';
import { districtLanguage } from './domain/notify.js';

const log = (msg: string) => console.log(`[gridline] ${msg}`);

async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  log(`${what} …`);
  const out = await fn();
  log(`${what}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return out;
}

async function main() {
  const config = loadConfig(process.env);
  const db = await step(
    config.database_url ? 'connecting to PostgreSQL' : `opening embedded PGlite + PostGIS in ${config.data_dir} (about 10 s)`,
    () => openDb(config),
  );
  await checkDurability(db, config.allow_unsafe_commit);
  const applied = await step('applying migrations', () =>
    migrate(db, undefined, { distributed: config.distributed, onDistributed: (done) => log(`citus: ${done.join(', ')}`) }));
  if (applied.length) log(`applied ${applied.join(', ')}`);
  const classes = await step('loading standard classes', () => loadClasses(db));
  if (classes) log(`loaded ${classes} classes from data/standard`);
  if (config.demo !== 'off' && (await isEmpty(db))) {
    const summary = await step(`loading demo district "${config.demo}"`, () => loadDemo(db, config));
    log(summary);
    log('demo logins (password "demo"): inspector1 inspector2 (监督员), operator1 (受理员), shiftlead1 (值班长), dispatcher1 (派遣员), crew1 (专业部门), leader1 (领导), admin');
  }
  const history: HistoryProgress = { state: 'none', days: 0, loaded_days: 0, cases: 0, loaded_until: null };
  const rules = await loadDistrictRules(db); // the district's calendar and limits, versioned in the database (issue 10)
  const app = await buildApp(config, { db, logger: false, history, rules });
  await app.listen({ port: config.port, host: config.host });
  const shown = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  log(`Gridline is serving on http://${shown}:${config.port}/  (API: /api/openapi.json, OGC API – Features: /ogc)`);
  log(`database: ${db.engine}${config.database_url ? '' : ` (${config.data_dir})`}`);

  // Notifications (issue 11): the outbox worker delivers what committed case changes wrote (GRIDLINE_NOTIFY_WORKER=0: not here).
  let notifier: NotifyWorker | null = null;
  if (config.notify_worker) {
    const channels = channelsOf(config);
    notifier = startNotifyWorker({
      db, clock: { now: () => new Date() }, channels, retry: { base_ms: 30_000, max_ms: 6 * 3600_000, max_attempts: config.notify_max_attempts },
      language: () => districtLanguage(rules.calendarAt(new Date()).body.holiday_set), log,
    });
    log(`notifications: worker on (${[...channels.keys()].join(', ')})`);
  }

  // The demo's simulated history (planned with the demo district) loads in the background, a day per transaction,
  // resuming after a restart; the server answers meanwhile.
  let closing = false;
  const t0 = performance.now();
  let said = -1;
  const loading = runHistory(db, {
    work: rules.work, progress: history, shouldStop: () => closing,
    onDay: (p) => {
      const pct = Math.floor((p.loaded_days / p.days) * 10) * 10;
      if (pct !== said) { said = pct; log(`simulated history: ${pct} % (${p.loaded_days}/${p.days} days, ${p.cases} cases so far, up to ${p.loaded_until})`); }
    },
  }).then((p) => {
    if (p && p.state === 'done') log(`simulated history: loaded ${p.cases} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }, (e) => log(`simulated history stopped: ${e instanceof Error ? e.message : e} (it resumes at the next start)`));

  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log(`${signal}: shutting down`);
    await loading;
    await notifier?.stop();
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(`[gridline] startup failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
