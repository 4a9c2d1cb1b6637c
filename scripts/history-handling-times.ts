// Derives data/history/handling-times.json from the Boston 311 (2015) city-management cases: per case TYPE, the
// distribution of open → close hours and of the share of the city's own target used ((closed − opened) ÷
// (target − opened)). The demo's simulated history (server/demo/history.ts) draws each class's handling time from
// the share distribution of its nearest Boston type, applied to Gridline's own handling limit, so on-time rates
// and the shape of the tail follow real cases. Run once; the output is committed:
//   npx tsx scripts/history-handling-times.ts [/path/to/boston311_2015_citymgmt.csv.gz] > data/history/handling-times.json
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseCsvObjects } from '../server/domain/csv.js';

const file = process.argv[2] ?? '/work/shared/data/boston311-2015/boston311_2015_citymgmt.csv.gz';
const raw = readFileSync(file);
const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');

/** "MM/DD/YYYY hh:mm:ss AM" (local, zone-less) → ms on a naive clock; DST shifts are ignored (an hour at most). */
function parse(s: string): number | null {
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2}) (AM|PM)$/.exec(s.trim());
  if (!m) return null;
  const h = (Number(m[4]) % 12) + (m[7] === 'PM' ? 12 : 0);
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), h, Number(m[5]), Number(m[6]));
}

/** The 21 quantiles 0, 5 … 100 % (linear interpolation), rounded to 4 significant digits. */
function quantiles(values: number[]): number[] {
  const v = [...values].sort((a, b) => a - b);
  return Array.from({ length: 21 }, (_, i) => {
    const pos = (i / 20) * (v.length - 1);
    const lo = Math.floor(pos);
    const x = v[lo] + (v[Math.min(lo + 1, v.length - 1)] - v[lo]) * (pos - lo);
    return Number(x.toPrecision(4));
  });
}

type Acc = { reason: string; n: number; hours: number[]; shares: number[]; ontime: number; overdue: number };
const byType = new Map<string, Acc>();
let rows = 0;
for (const r of parseCsvObjects(text)) {
  rows++;
  const a = byType.get(r.TYPE) ?? { reason: r.REASON, n: 0, hours: [], shares: [], ontime: 0, overdue: 0 };
  byType.set(r.TYPE, a);
  a.n++;
  const open = parse(r.OPEN_DT);
  const closed = parse(r.CLOSED_DT);
  const target = parse(r.TARGET_DT);
  if (open === null || closed === null || closed < open) continue; // open cases and the 194 closed-before-opened rows
  a.hours.push((closed - open) / 3_600_000);
  if (target !== null && target > open) a.shares.push((closed - open) / (target - open));
  if (r.OnTime_Status === 'ONTIME') a.ontime++;
  else if (r.OnTime_Status === 'OVERDUE') a.overdue++;
}

const types: Record<string, unknown> = {};
for (const [type, a] of [...byType].sort((x, y) => y[1].n - x[1].n)) {
  if (a.hours.length < 5) continue;
  types[type] = {
    reason: a.reason,
    cases: a.n,
    closed: a.hours.length,
    on_time_share: a.ontime + a.overdue ? Number((a.ontime / (a.ontime + a.overdue)).toFixed(4)) : null,
    hours_q: quantiles(a.hours),
    target_share_q: a.shares.length >= 5 ? quantiles(a.shares) : null,
  };
}

const source = 'City of Boston 311 Service Requests 2015, city-management subset (Analyze Boston, PDDL): /work/shared/data/boston311-2015. '
  + 'Derived by scripts/history-handling-times.ts. Per TYPE: hours_q = 21 quantiles (0, 5 … 100 %) of open → close hours of closed cases; '
  + 'target_share_q = the same quantiles of (closed − opened) ÷ (target − opened) where a target was set (1 = closed exactly at the target).';
// One line per type, so a diff shows which type changed.
const lines = Object.entries(types).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v).replace(/,"/g, ', "').replace(/":/g, '": ').replace(/,(?=[-0-9n])/g, ', ')}`);
process.stdout.write(`{\n "source": ${JSON.stringify(source)},\n "rows": ${rows},\n "types": {\n${lines.join(',\n')}\n }\n}\n`);
