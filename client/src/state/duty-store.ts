// The inspector's duty (在岗, issue 9): the on/off switch, the phone's position while on duty, and its upload.
// - Positions come from navigator.geolocation.watchPosition; one fix is kept per interval (the city's, from
//   GET /api/patrol/duty), or sooner after a move of 50 m, in IndexedDB (`gridline-patrol`, store `fixes`), so
//   nothing is lost offline or when the tab is closed.
// - Every interval the fixes go up in batches (at most 500): a batch is first written to the store `batches` with its
//   own Idempotency-Key and the fixes leave `fixes` in the same transaction; a batch is re-sent with the same key until
//   the server answers, so a lost answer never stores a fix twice (the server also refuses a fix id it has).
// - Going off duty sends what is left first; what cannot be sent stays and goes up later (those fixes were taken on
//   duty, and the server accepts them whenever they arrive within the retention).
import { create } from 'zustand';
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { ApiError } from '../api/http.js';
import { fetchDuty, postDuty, postPositions, type Fix } from '../api/patrol.js';
import { setPosition } from './field-store.js';
import { newIdempotencyKey } from './report-store.js';

export const PATROL_DB = 'gridline-patrol';
const MAX_BATCH = 500;
const MOVE_M = 50;

type StoredFix = Fix & { id: string };
type Batch = { key: string; fixes: StoredFix[]; created: number };

interface PatrolSchema extends DBSchema {
  fixes: { key: string; value: StoredFix };
  batches: { key: string; value: Batch };
}

let opening: Promise<IDBPDatabase<PatrolSchema>> | null = null;
function patrolDb(): Promise<IDBPDatabase<PatrolSchema>> | null {
  if (typeof indexedDB === 'undefined') return null;
  opening ??= openDB<PatrolSchema>(PATROL_DB, 1, {
    upgrade(db) {
      db.createObjectStore('fixes', { keyPath: 'id' });
      db.createObjectStore('batches', { keyPath: 'key' });
    },
  });
  return opening;
}

/** Tests: forget the open connection (after replacing indexedDB with a fresh fake). */
export function closePatrolDb(): void {
  void opening?.then((db) => db.close());
  opening = null;
}

type DutyStore = {
  loaded: boolean;
  on_duty: boolean;
  started_at: string | null;
  interval_seconds: number;
  /** Switching in progress. */
  busy: boolean;
  /** Fixes on the phone not yet acknowledged by the server. */
  pending: number;
  last_fix_at: string | null;
  last_sent_at: string | null;
  /** A message key: the last thing that went wrong (switch refused, no location permission, cannot reach server). */
  problem: null | 'pt_err_switch' | 'pt_err_geo' | 'pt_err_geo_denied' | 'pt_err_send';
};

export const useDuty = create<DutyStore>()(() => ({
  loaded: false, on_duty: false, started_at: null, interval_seconds: 60, busy: false, pending: 0,
  last_fix_at: null, last_sent_at: null, problem: null,
}));

export const selectOnDuty = (s: DutyStore) => s.on_duty;
export const selectDutyBusy = (s: DutyStore) => s.busy;
export const selectPending = (s: DutyStore) => s.pending;
export const selectDutyProblem = (s: DutyStore) => s.problem;

/** A fresh id for a fix or a batch's Idempotency-Key: a random UUID, also outside secure contexts. */
const newKey = newIdempotencyKey;

async function countPending(): Promise<number> {
  const db = await patrolDb();
  if (!db) return 0;
  const batches = await db.getAll('batches');
  return (await db.count('fixes')) + batches.reduce((n, b) => n + b.fixes.length, 0);
}

async function refreshPending(): Promise<void> {
  useDuty.setState({ pending: await countPending() });
}

let lastKept: { t: number; lon: number; lat: number } | null = null;
/** The latest position not kept yet (it came too soon after the last one): the next tick keeps it. */
let unkept: { lon: number; lat: number; accuracy_m?: number; t: number } | null = null;

function metres(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const rad = Math.PI / 180;
  const x = (b.lon - a.lon) * rad * Math.cos(((a.lat + b.lat) / 2) * rad);
  const y = (b.lat - a.lat) * rad;
  return Math.sqrt(x * x + y * y) * 6_371_000;
}

/** Keeps a position as a fix: the first, one per interval, or after a move of MOVE_M (at most one per 5 s). */
export async function recordPosition(p: { lon: number; lat: number; accuracy_m?: number; t: number }, force = false): Promise<boolean> {
  const s = useDuty.getState();
  if (!s.on_duty) return false;
  const since = lastKept ? p.t - lastKept.t : Infinity;
  // (a fix older than the last kept one: the phone's clock was set back; start afresh)
  const due = since < 0 || since >= s.interval_seconds * 1000 || (since >= 5000 && metres(lastKept!, p) >= MOVE_M);
  if (!force && !due) { unkept = p; return false; }
  unkept = null;
  lastKept = { t: p.t, lon: p.lon, lat: p.lat };
  const fix: StoredFix = { id: newKey(), at: new Date(p.t).toISOString(), lon: p.lon, lat: p.lat };
  if (p.accuracy_m !== undefined && Number.isFinite(p.accuracy_m)) fix.accuracy_m = Math.min(1e6, Math.max(0, p.accuracy_m));
  const db = await patrolDb();
  if (db) await db.put('fixes', fix);
  else memoryFixes.push(fix);
  useDuty.setState({ last_fix_at: fix.at });
  await refreshPending();
  return true;
}
const memoryFixes: StoredFix[] = []; // where IndexedDB does not exist

/** The next batch to send: an unacknowledged one (same key), else up to MAX_BATCH fixes moved into a new batch. */
async function nextBatch(): Promise<Batch | null> {
  const db = await patrolDb();
  if (!db) {
    if (!memoryFixes.length) return null;
    return { key: newKey(), fixes: memoryFixes.splice(0, MAX_BATCH), created: Date.now() };
  }
  const tx = db.transaction(['fixes', 'batches'], 'readwrite');
  const open = await tx.objectStore('batches').getAll();
  if (open.length) { await tx.done; return open.sort((a, b) => a.created - b.created)[0]; }
  const fixes = (await tx.objectStore('fixes').getAll()).sort((a, b) => a.at.localeCompare(b.at)).slice(0, MAX_BATCH);
  if (!fixes.length) { await tx.done; return null; }
  const batch: Batch = { key: newKey(), fixes, created: Date.now() };
  await tx.objectStore('batches').put(batch);
  for (const f of fixes) await tx.objectStore('fixes').delete(f.id);
  await tx.done;
  return batch;
}

let flushing: Promise<boolean> | null = null;

/** Sends every waiting batch; true when nothing is left. Network failures, 5xx, 409 and 429 keep the batch. */
export function flushFixes(send = postPositions): Promise<boolean> {
  flushing ??= (async () => {
    try {
      for (;;) {
        const batch = await nextBatch();
        if (!batch) return true;
        try {
          await send(batch.fixes, batch.key);
        } catch (e) {
          const keep = !(e instanceof ApiError) || e.isNetwork || e.status >= 500 || e.status === 409 || e.status === 429 || e.status === 401;
          if (keep) {
            if (!(await patrolDb())) memoryFixes.unshift(...batch.fixes);
            useDuty.setState({ problem: 'pt_err_send' });
            return false;
          }
          // refused as a whole (e.g. 400): it will never be accepted; drop it rather than block the queue
        }
        const db = await patrolDb();
        if (db) await db.delete('batches', batch.key);
        useDuty.setState({ last_sent_at: new Date().toISOString(), problem: useDuty.getState().problem === 'pt_err_send' ? null : useDuty.getState().problem });
        await refreshPending();
      }
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

let watchId: number | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

function startWatching(): void {
  const geo = typeof navigator !== 'undefined' ? navigator.geolocation : undefined;
  if (!geo) { useDuty.setState({ problem: 'pt_err_geo' }); return; }
  if (watchId === null) {
    watchId = geo.watchPosition(
      (pos) => {
        if (useDuty.getState().problem?.startsWith('pt_err_geo')) useDuty.setState({ problem: null });
        void recordPosition({ lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy_m: pos.coords.accuracy, t: pos.timestamp || Date.now() });
        setPosition({ lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy_m: Math.round(pos.coords.accuracy) }); // the dot on the map
      },
      (err) => useDuty.setState({ problem: err.code === 1 ? 'pt_err_geo_denied' : 'pt_err_geo' }),
      { enableHighAccuracy: true, maximumAge: 5000, timeout: 60_000 },
    );
  }
  // Every interval: the latest position if it was not kept yet (a phone standing still reports no change), then upload.
  timer ??= setInterval(() => { void tick(); }, useDuty.getState().interval_seconds * 1000);
}

async function tick(): Promise<void> {
  if (unkept) await recordPosition(unkept, true);
  await flushFixes();
}

function stopWatching(): void {
  if (watchId !== null) navigator.geolocation?.clearWatch(watchId);
  watchId = null;
  if (timer) clearInterval(timer);
  timer = null;
  lastKept = null;
  unkept = null;
}

/** Reads the duty state from the server (the screen opens); resumes watching when on duty. Returns the stop function. */
export function startDuty(): () => void {
  let stopped = false;
  void (async () => {
    await refreshPending();
    try {
      const s = await fetchDuty();
      if (stopped) return;
      useDuty.setState({ loaded: true, on_duty: s.on_duty, started_at: s.started_at, interval_seconds: s.interval_seconds });
      if (s.on_duty) startWatching();
    } catch {
      useDuty.setState({ loaded: true });
    }
    void flushFixes(); // an offline stretch of an earlier session goes up now
  })();
  return () => { stopped = true; stopWatching(); };
}

let switchKey: { on: boolean; key: string } | null = null; // kept while a switch is retried

/** Switches duty; the Idempotency-Key is kept until the server answers, so a retry never opens two periods. */
export async function setDuty(on: boolean): Promise<void> {
  if (useDuty.getState().busy) return;
  useDuty.setState({ busy: true, problem: null });
  try {
    if (!on) await flushFixes(); // the fixes of this period first; what cannot be sent stays for later
    if (switchKey?.on !== on) switchKey = { on, key: newKey() };
    const s = await postDuty(on, switchKey.key);
    switchKey = null;
    useDuty.setState({ on_duty: s.on_duty, started_at: s.started_at, interval_seconds: s.interval_seconds });
    if (s.on_duty) {
      startWatching();
      navigator.geolocation?.getCurrentPosition((pos) => {
        void recordPosition({ lon: pos.coords.longitude, lat: pos.coords.latitude, accuracy_m: pos.coords.accuracy, t: pos.timestamp || Date.now() }, true)
          .then(() => flushFixes());
      }, () => {}, { enableHighAccuracy: true, timeout: 30_000 });
    } else {
      stopWatching();
    }
  } catch {
    useDuty.setState({ problem: 'pt_err_switch' });
  } finally {
    useDuty.setState({ busy: false });
  }
}
