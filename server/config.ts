// Configuration from the environment: validated all at once, frozen (style.md §2.5). Only main.ts passes process.env.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  /** Crash tests only: hold each report's answer back this long after commit (GRIDLINE_FAULT_RESPONSE_DELAY_MS). */
  fault_response_delay_ms: number;
  /** Run on PostgreSQL even with fsync or synchronous_commit off (GRIDLINE_ALLOW_UNSAFE_COMMIT=1). */
  allow_unsafe_commit: boolean;
  /** Uploaded photos, stored by content hash outside the database; photo_max_* refuse uploads before storing. */
  photo_dir: string; photo_max_bytes: number; photo_max_pixels: number;
}>;

type Env = Record<string, string | undefined>;

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
    allow_unsafe_commit: env.GRIDLINE_ALLOW_UNSAFE_COMMIT === '1',
    fault_response_delay_ms: int('GRIDLINE_FAULT_RESPONSE_DELAY_MS', 0, 0, 60_000),
    session_idle_minutes: int('GRIDLINE_SESSION_IDLE_MINUTES', 480, 1, 7 * 24 * 60),
  };
  if (errors.length) throw new Error('Invalid configuration:\n  ' + errors.join('\n  '));
  return Object.freeze(config);
}

/** GRIDLINE_DEMO_HISTORY: 0/off/false disables the demo's simulated history; empty, 1, on or true keeps it. */
function historyOff(raw: string | undefined, errors: string[]): boolean {
  const v = (raw ?? '').trim().toLowerCase();
  if (['0', 'off', 'false'].includes(v)) return true;
  if (!['', '1', 'on', 'true'].includes(v)) errors.push(`GRIDLINE_DEMO_HISTORY must be 1 (on) or 0 (off); got "${raw}"`);
  return false;
}
