// Configuration from the environment: validated all at once, frozen (docs/style.md §2.5). Only main.ts passes process.env.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { parseDistributionMode, type DistributionMode } from './db/distribute.js';
import { parseSmsGateway, parseSmtp, type SmsGateway, type SmtpSettings } from './domain/notify.js';
export type Config = Readonly<{
  port: number;
  host: string;
  data_dir: string;
  database_url: string | null;
  demo: 'off' | 'dongcheng' | 'cambridge';
  demo_grids: number;
  demo_components: number;
  /** Days of simulated case history the Cambridge demo gets (GRIDLINE_DEMO_HISTORY=0 disables; GRIDLINE_DEMO_HISTORY_DAYS, default 365). */
  demo_history_days: number;
  max_bbox_area: number;
  max_features: number;
  basemap_url: string | null;
  public_url: string | null;
  client_dir: string;
  log: boolean;
  /** A session unused this long ends (GRIDLINE_SESSION_IDLE_MINUTES, default 480 = 8 h). */
  session_idle_minutes: number;
  /** Whose X-Forwarded-For to believe for the client address (GRIDLINE_TRUST_PROXY; fastify's trustProxy): false
   * (default: the socket's address), a hop count, or proxy addresses/CIDRs. */
  trust_proxy: false | number | string[];
  /** Crash tests only: hold each report's answer back this long after commit (GRIDLINE_FAULT_RESPONSE_DELAY_MS). */
  fault_response_delay_ms: number;
  /** Run on PostgreSQL even with fsync or synchronous_commit off (GRIDLINE_ALLOW_UNSAFE_COMMIT=1). */
  allow_unsafe_commit: boolean;
  /** Uploaded photos, stored by content hash outside the database; photo_max_* refuse uploads before storing. */
  photo_dir: string; photo_max_bytes: number; photo_max_pixels: number;
  /** Signed photo links live this long at least (GRIDLINE_PHOTO_LINK_MINUTES, default 60). */
  photo_link_minutes: number;
  /** The key photo links are signed with (GRIDLINE_SECRET, 32+ characters); null: the one the database generated (migrations/0025). */
  secret: string | null;
  /** Whole request (headers and body) must arrive within this (GRIDLINE_REQUEST_TIMEOUT_MS); answers, e.g. /api/live, are not limited. */
  request_timeout_ms: number;
  /** A request body that sends nothing this long is refused with 408 (GRIDLINE_BODY_TIMEOUT_MS). */
  body_timeout_ms: number;
  /** Patrol positions older than this are purged, hourly by the server and by npm run patrol:purge (GRIDLINE_TRACK_RETENTION_DAYS, default 90). */
  track_retention_days: number;
  /** How often a phone on duty sends its position, seconds (GRIDLINE_PATROL_INTERVAL_SECONDS, default 60). */
  patrol_interval_seconds: number;
  /** Bound of the in-memory vector-tile cache per server process, MiB (GRIDLINE_TILE_CACHE_MB, default 64; 0 turns it off). */
  tile_cache_mb: number;
  /** The Citus distribution step after the migrations (GRIDLINE_DISTRIBUTED: citus, none, or auto = when the database is a Citus coordinator; docs/citus.md). */
  distributed: DistributionMode;
  /** Notifications (issue 11): the outbox worker runs in the server (GRIDLINE_NOTIFY_WORKER=0 stops it), attempts
   * before a message is dead (GRIDLINE_NOTIFY_MAX_ATTEMPTS), webhook timeout, SMTP (GRIDLINE_SMTP_URL/_FROM) and
   * the SMS gateway (GRIDLINE_SMS_URL/_METHOD/_HEADERS/_BODY); null: that channel is not set up. */
  notify_worker: boolean; notify_max_attempts: number; webhook_timeout_ms: number;
  smtp: SmtpSettings | null; sms: SmsGateway | null;
  /** Open311 POSTs one API key may make a minute, and at once (GRIDLINE_OPEN311_POSTS_PER_MINUTE, default 60; 0 = no limit). */
  open311_posts_per_minute: number;
}>;

type Env = Record<string, string | undefined>;

/** GRIDLINE_SMTP_* and GRIDLINE_SMS_* (domain/notify.ts checks them). */
function notifyChannels(env: Env, errors: string[]): { smtp: SmtpSettings | null; sms: SmsGateway | null } {
  const m = parseSmtp(env.GRIDLINE_SMTP_URL, env.GRIDLINE_SMTP_FROM);
  const g = parseSmsGateway({ url: env.GRIDLINE_SMS_URL, method: env.GRIDLINE_SMS_METHOD, headers: env.GRIDLINE_SMS_HEADERS, body: env.GRIDLINE_SMS_BODY });
  errors.push(...m.errors, ...g.errors);
  return { smtp: m.smtp, sms: g.gateway };
}

export function loadConfig(env: Env): Config {
  const errors: string[] = [];
  const int = (name: string, def: number, min: number, max: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) errors.push(`${name} must be an integer ${min}..${max}; got "${raw}"`);
    return n;
  };
  const num = (name: string, def: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!(n > 0)) errors.push(`${name} must be a positive number; got "${raw}"`);
    return n;
  };
  const url = (name: string, protocols: string[]) => {
    const raw = env[name];
    if (!raw) return null;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) errors.push(`${name} must use ${protocols.join(' or ')}; got "${u.protocol}"`);
    } catch {
      errors.push(`${name} is not a URL: "${raw}"`);
    }
    return raw;
  };
  const demoRaw = (env.GRIDLINE_DEMO ?? '').trim().toLowerCase();
  let demo: Config['demo'] = 'cambridge';
  if (demoRaw === '0' || demoRaw === 'off' || demoRaw === 'false') demo = 'off';
  else if (demoRaw === 'dongcheng') demo = 'dongcheng';
  else if (demoRaw === '' || demoRaw === '1' || demoRaw === 'cambridge') demo = 'cambridge';
  else errors.push(`GRIDLINE_DEMO must be 0, dongcheng or cambridge; got "${env.GRIDLINE_DEMO}"`);

  const config: Config = {
    port: int('PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    data_dir: env.GRIDLINE_DATA_DIR || './var/data',
    database_url: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    demo,
    demo_grids: int('GRIDLINE_DEMO_GRIDS', 1000, 169, 160_000),
    demo_components: int('GRIDLINE_DEMO_COMPONENTS', 20_000, 0, 8_000_000),
    demo_history_days: historyOff(env.GRIDLINE_DEMO_HISTORY, errors) ? 0 : int('GRIDLINE_DEMO_HISTORY_DAYS', 365, 1, 1830),
    max_bbox_area: num('GRIDLINE_MAX_BBOX_AREA', 0.05),
    max_features: int('GRIDLINE_MAX_FEATURES', 10_000, 1, 1_000_000),
    basemap_url: url('GRIDLINE_BASEMAP_URL', ['http:', 'https:']),
    public_url: url('GRIDLINE_PUBLIC_URL', ['http:', 'https:']),
    client_dir: env.GRIDLINE_CLIENT_DIR || './dist/client',
    log: env.GRIDLINE_LOG !== '0',
    photo_dir: env.GRIDLINE_PHOTO_DIR || ((env.GRIDLINE_DATA_DIR || './var/data').startsWith('memory://') ? join(tmpdir(), 'gridline-photos') : join(env.GRIDLINE_DATA_DIR || './var/data', 'photos')),
    photo_max_bytes: int('GRIDLINE_PHOTO_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    photo_max_pixels: int('GRIDLINE_PHOTO_MAX_PIXELS', 40_000_000, 1, 1_000_000_000),
    photo_link_minutes: int('GRIDLINE_PHOTO_LINK_MINUTES', 60, 1, 7 * 24 * 60),
    secret: secretOf(env.GRIDLINE_SECRET, errors),
    allow_unsafe_commit: env.GRIDLINE_ALLOW_UNSAFE_COMMIT === '1',
    fault_response_delay_ms: int('GRIDLINE_FAULT_RESPONSE_DELAY_MS', 0, 0, 60_000),
    session_idle_minutes: int('GRIDLINE_SESSION_IDLE_MINUTES', 480, 1, 7 * 24 * 60),
    trust_proxy: trustProxy(env.GRIDLINE_TRUST_PROXY, errors),
    request_timeout_ms: int('GRIDLINE_REQUEST_TIMEOUT_MS', 300_000, 1000, 24 * 3600 * 1000),
    body_timeout_ms: int('GRIDLINE_BODY_TIMEOUT_MS', 30_000, 100, 3600 * 1000),
    track_retention_days: int('GRIDLINE_TRACK_RETENTION_DAYS', 90, 1, 3660),
    patrol_interval_seconds: int('GRIDLINE_PATROL_INTERVAL_SECONDS', 60, 5, 3600),
    tile_cache_mb: tileCacheMb(env.GRIDLINE_TILE_CACHE_MB, errors),
    distributed: distributionMode(env.GRIDLINE_DISTRIBUTED, errors),
    notify_worker: env.GRIDLINE_NOTIFY_WORKER !== '0',
    notify_max_attempts: int('GRIDLINE_NOTIFY_MAX_ATTEMPTS', 10, 1, 100),
    webhook_timeout_ms: int('GRIDLINE_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    ...notifyChannels(env, errors),
    open311_posts_per_minute: int('GRIDLINE_OPEN311_POSTS_PER_MINUTE', 60, 0, 100_000),
  };
  if (errors.length) throw new Error('Invalid configuration:\n  ' + errors.join('\n  '));
  return Object.freeze(config);
}

function distributionMode(raw: string | undefined, errors: string[]): DistributionMode {
  try {
    return parseDistributionMode(raw);
  } catch (e) {
    errors.push((e as Error).message);
    return 'none';
  }
}

/**
 * GRIDLINE_TRUST_PROXY: empty, 0, off or false → trust no proxy (req.ip is the socket's address); a whole number
 * 1…10 → trust that many proxy hops; otherwise a comma-separated list of proxy addresses or CIDRs (and proxy-addr's
 * names loopback, linklocal, uniquelocal). `true` (trust every hop) is refused: any client could then choose its
 * own address and escape the per-address limits.
 */
function trustProxy(raw: string | undefined, errors: string[]): false | number | string[] {
  const v = (raw ?? '').trim();
  if (['', '0', 'off', 'false'].includes(v.toLowerCase())) return false;
  if (/^[0-9]+$/.test(v)) {
    const n = Number(v);
    if (n < 1 || n > 10) errors.push(`GRIDLINE_TRUST_PROXY as a hop count must be 1..10; got "${raw}"`);
    return n;
  }
  const items = v.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = items.filter((x) => {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(x)) return false;
    const [addr, bits, ...rest] = x.split('/');
    const family = isIP(addr);
    if (!family || rest.length) return true;
    if (bits === undefined) return false;
    return !/^[0-9]{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128);
  });
  if (bad.length || !items.length) {
    errors.push(`GRIDLINE_TRUST_PROXY must be off, a hop count 1..10, or proxy addresses/CIDRs separated by commas `
      + `(e.g. "10.0.0.0/8,127.0.0.1"); got "${raw}"${bad.length ? ` (not an address or CIDR: ${bad.join(', ')})` : ''}`);
  }
  return items;
}

/** GRIDLINE_TILE_CACHE_MB: unset → 64; otherwise a number of MiB 0…65536 (fractions allowed; 0: no tile cache). */
function tileCacheMb(raw: string | undefined, errors: string[]): number {
  if (raw === undefined || raw.trim() === '') return 64;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 65536) errors.push(`GRIDLINE_TILE_CACHE_MB must be a number of MiB 0..65536 (0 turns the tile cache off); got "${raw}"`);
  return n;
}

/** GRIDLINE_DEMO_HISTORY: 0/off/false disables the demo's simulated history; empty, 1, on or true keeps it. */
function historyOff(raw: string | undefined, errors: string[]): boolean {
  const v = (raw ?? '').trim().toLowerCase();
  if (['0', 'off', 'false'].includes(v)) return true;
  if (!['', '1', 'on', 'true'].includes(v)) errors.push(`GRIDLINE_DEMO_HISTORY must be 1 (on) or 0 (off); got "${raw}"`);
  return false;
}

/** GRIDLINE_SECRET: unset → null (the key the database generated); otherwise at least 32 characters. */
function secretOf(raw: string | undefined, errors: string[]): string | null {
  if (raw === undefined || raw === '') return null;
  if (raw.length < 32) errors.push(`GRIDLINE_SECRET must be at least 32 characters (e.g. openssl rand -hex 32), or unset to use the key the database generated; got ${raw.length}`);
  return raw;
}
