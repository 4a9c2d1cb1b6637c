// The outbox: reports and verify/check results the inspector has submitted, kept in IndexedDB (state/field-db.ts)
// until the server has them. Each item is sent exactly once:
// - a report carries its Idempotency-Key: its photos are uploaded first (POST /api/photos; the id is the sha256 of the
//   bytes, so a repeated upload is harmless), then POST /api/cases with the same key however often it is retried; a
//   retry after a lost answer returns the case already made (docs/api.md);
// - POST /api/cases/{id}/actions takes no Idempotency-Key, but it takes the case `version` read when the result was
//   queued: a replay after a lost answer is refused with 409 (the version has moved on), and a 409 or "not allowed in
//   this state" is then settled by re-reading the case: a trail entry of the same action by this user since it was
//   queued means it went through (sent); otherwise the case changed meanwhile and the item fails with a reason. Photos
//   taken with the result offline (a failed check needs one) go up first, as a report's do.
// The sync runs on start, when the browser comes online, on a timer with backoff and on "send now"; one tab at a
// time (Web Locks), one pass at a time within a tab. Network failures, 5xx, 429 and "same key still being processed"
// leave an item queued; other refusals fail it with a reason in the UI's language (never the server's text).
import { create } from 'zustand';
import { fetchCase, postAction, postReport } from '../api/cases.js';
import { ApiError } from '../api/http.js';
import { uploadPhoto } from '../api/photos.js';
import type { CaseDetail, CaseSummary, ReportBody, ReportResult } from '../api/types.js';
import { allOutbox, deleteOutbox, getOutbox, putOutbox, type OutboxItem, type StoredDraft, type StoredPhoto } from './field-db.js';
import { useCases } from './cases-store.js';
import { useSession } from './session-store.js';

export type SyncDeps = {
  upload: (bytes: Blob) => Promise<{ id: string }>;
  report: (body: ReportBody, key: string) => Promise<ReportResult>;
  act: (id: string, action: string, version: number, fields: Record<string, unknown>) => Promise<CaseSummary>;
  read: (id: string) => Promise<CaseDetail>;
  now: () => number;
};

const API: SyncDeps = {
  upload: (b) => uploadPhoto(b),
  report: (body, key) => postReport(body, key),
  act: (id, action, version, fields) => postAction(id, action as 'verify', version, fields),
  read: (id) => fetchCase(id),
  now: () => Date.now(),
};

/** Waits before the timer retries: 2 s, 4 s, … at most 30 s. */
export const backoffMs = (attempts: number) => Math.min(30_000, 2_000 * 2 ** Math.max(0, attempts - 1));

type OutboxStore = {
  items: OutboxItem[];
  /** The browser says it has a network (navigator.onLine). */
  online: boolean;
  /** The last request of the sync reached the server (false: offline, or the server is down). */
  reachable: boolean;
  syncing: boolean;
};

export const useOutbox = create<OutboxStore>()(() => ({
  items: [],
  online: typeof navigator === 'undefined' || navigator.onLine !== false,
  reachable: true,
  syncing: false,
}));

export const selectOutboxItems = (s: OutboxStore) => s.items;
export const selectOffline = (s: OutboxStore) => !s.online || !s.reachable;
export const selectSyncing = (s: OutboxStore) => s.syncing;

/** The outbox items of the signed-in user, oldest first, into the store. */
export async function refreshOutbox(): Promise<OutboxItem[]> {
  const uid = useSession.getState().user?.id;
  const items = uid === undefined ? [] : (await allOutbox()).filter((i) => i.user_id === uid);
  useOutbox.setState({ items });
  return items;
}

/** The body of POST /api/cases for a stored draft whose photos have their server ids. */
export function reportBody(d: StoredDraft): ReportBody {
  const ids = d.photos.map((p) => p.server_id).filter((x): x is string => !!x);
  return {
    kind: d.cls!.matter_kind ?? 'event',
    class_code: d.cls!.code,
    lon: Number(d.point!.lon.toFixed(7)),
    lat: Number(d.point!.lat.toFixed(7)),
    ...(d.description.trim() ? { description: d.description.trim() } : {}),
    ...(ids.length ? { photo_ids: ids } : {}),
    ...(d.component ? { component_id: d.component.id } : {}),
  };
}

/** Worth sending again later: no answer at all, a 5xx, 429, 408, or "the same key is still being processed". */
export function transient(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  return e.status === 0 || e.status >= 500 || e.status === 429 || e.status === 408 || (e.status === 409 && e.code === 'conflict');
}

/** A refusal as a reason the inspector can act on: a key of words-offline.ts. */
export function reasonOf(e: unknown): string {
  if (!(e instanceof ApiError)) return 'of_reason_unknown';
  const details = (e.details ?? {}) as Record<string, unknown>;
  if (e.code === 'outside_district' || details.reason === 'outside_district') return 'of_reason_outside';
  if (e.code === 'unknown_class') return 'of_reason_class';
  if (e.status === 401) return 'of_reason_session';
  if (e.code === 'role_not_allowed' || e.status === 403) return 'of_reason_forbidden';
  if (e.code === 'stale_version' || e.code === 'not_allowed_in_state' || e.status === 409) return 'of_reason_changed';
  if (e.url.startsWith('/api/photos') || e.status === 413 || e.status === 415 || 'photo_ids' in details) return 'of_reason_photo';
  if (e.status === 404) return 'of_reason_gone';
  return 'of_reason_refused';
}

/** The full answers of reports sent by this page (the form shows the case's grid and possible duplicates). */
const answers = new Map<string, ReportResult>();

/** An item as stored now, with the full answer when this page sent it. */
export async function getItemResult(key: string): Promise<(OutboxItem & { answer?: ReportResult }) | null> {
  const item = await getOutbox(key);
  return item ? { ...item, answer: answers.get(key) } : null;
}

/** Adds an item (a submitted report, or an action done offline) to the outbox. */
export async function enqueue(item: OutboxItem): Promise<void> {
  await putOutbox(item);
  await refreshOutbox();
}

/** Queues a verify (核实) or check (核查) result at the case version it was made against. */
export async function enqueueAction(c: { id: string; case_no: string; version: number }, action: 'verify' | 'check', fields: Record<string, unknown>,
  key: string, now = Date.now(), photos: StoredPhoto[] = []): Promise<void> {
  const uid = useSession.getState().user?.id;
  if (uid === undefined) return;
  await enqueue({
    key, user_id: uid, created_at: now, state: 'queued', attempts: 0, next_at: 0, kind: 'action', case_id: c.id, case_no: c.case_no, action,
    version: c.version, fields, ...(photos.length ? { photos } : {}),
  });
}

async function update(item: OutboxItem, patch: Partial<OutboxItem>): Promise<OutboxItem> {
  const next = { ...item, ...patch } as OutboxItem;
  await putOutbox(next);
  useOutbox.setState((s) => ({ items: s.items.map((i) => (i.key === next.key ? next : i)) }));
  return next;
}

/** Sends one item; throws what the server (or the network) said. */
async function send(item: OutboxItem, deps: SyncDeps): Promise<NonNullable<OutboxItem['result']>> {
  if (item.kind === 'report') {
    let draft = item.draft;
    for (const p of draft.photos) {
      if (p.server_id) continue;
      const { id } = await deps.upload(new Blob([p.bytes], { type: p.type }));
      draft = { ...draft, photos: draft.photos.map((q) => (q.id === p.id ? { ...q, server_id: id } : q)) };
      item = await update(item, { draft } as Partial<OutboxItem>); // an upload is not repeated after a crash
    }
    const r = await deps.report(reportBody(draft), item.key);
    answers.set(item.key, r);
    useCases.getState().applyCase(r);
    return { id: r.id, case_no: r.case_no, status: r.status };
  }
  let fields = item.fields;
  if (item.photos?.length) {
    let photos = item.photos;
    for (const p of photos) {
      if (p.server_id) continue;
      const { id } = await deps.upload(new Blob([p.bytes], { type: p.type }));
      photos = photos.map((q) => (q.id === p.id ? { ...q, server_id: id } : q));
      item = (await update(item, { photos } as Partial<OutboxItem>)) as typeof item; // an upload is not repeated after a crash
    }
    const before = Array.isArray(fields.photo_ids) ? (fields.photo_ids as string[]) : [];
    fields = { ...fields, photo_ids: [...new Set([...before, ...photos.map((p) => p.server_id!)])] };
  }
  try {
    const r = await deps.act(item.case_id, item.action, item.version, fields);
    useCases.getState().applyCase(r);
    return { id: r.id, case_no: r.case_no, status: r.status };
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 409 && e.code !== 'not_allowed_in_state')) throw e;
    // Refused as stale: did an earlier attempt of ours go through (its answer lost)?
    const c = await deps.read(item.case_id);
    const uid = String(item.user_id);
    const mine = c.trail.some((t) => t.action === item.action && t.actor === uid && Date.parse(t.at) >= item.created_at - 5 * 60_000);
    if (mine) return { id: c.id, case_no: c.case_no, status: c.status };
    throw e;
  }
}

async function pass(force: boolean, deps: SyncDeps): Promise<void> {
  const uid = useSession.getState().user?.id;
  if (uid === undefined || !useSession.getState().token) return;
  const due = (await refreshOutbox()).filter((i) => (i.state === 'queued' || i.state === 'sending') && (force || i.next_at <= deps.now()));
  for (const latest of due) {
    let item = await getOutbox(latest.key); // another tab may have sent it meanwhile
    if (!item || item.user_id !== uid || (item.state !== 'queued' && item.state !== 'sending')) continue;
    item = await update(item, { state: 'sending' });
    try {
      const result = await send(item, deps);
      const fresh = (await getOutbox(item.key)) ?? item;
      await update(fresh, { state: 'sent', result, reason: undefined });
      useOutbox.setState({ reachable: true });
    } catch (e) {
      const fresh = (await getOutbox(item.key)) ?? item;
      if (transient(e) || (e instanceof ApiError && e.status === 401)) {
        const attempts = fresh.attempts + 1;
        await update(fresh, { state: 'queued', attempts, next_at: deps.now() + backoffMs(attempts) });
        if (e instanceof ApiError && (e.status === 0 || e.status === 401)) {
          if (e.status === 0) useOutbox.setState({ reachable: false });
          break; // no network, or signed out: the rest would fail the same way
        }
        useOutbox.setState({ reachable: true });
      } else {
        await update(fresh, { state: 'failed', reason: reasonOf(e) });
        useOutbox.setState({ reachable: true });
      }
    }
  }
}

let chain: Promise<void> = Promise.resolve();
let timer: ReturnType<typeof setTimeout> | null = null;

/** One tab at a time: the Web Locks API where the browser has it (the Idempotency-Key protects reports anyway). */
function exclusive(run: () => Promise<void>): Promise<void> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks?.request ? locks.request('gridline-outbox', run) as Promise<void> : run();
}

/** Sends what is due (everything with `force`: online event, start, "send now"); resolves when the pass is over. */
export function syncOutbox(opts: { force?: boolean; deps?: Partial<SyncDeps> } = {}): Promise<void> {
  const deps = { ...API, ...opts.deps };
  const run = chain.then(async () => {
    useOutbox.setState({ syncing: true });
    try { await exclusive(() => pass(!!opts.force, deps)); } finally { useOutbox.setState({ syncing: false }); }
    schedule(deps);
  });
  chain = run.catch(() => {});
  return run;
}

/** The timer: wakes at the earliest retry time of a queued item. */
function schedule(deps: SyncDeps): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (!started) return;
  const waiting = useOutbox.getState().items.filter((i) => i.state === 'queued');
  if (!waiting.length) return;
  const at = Math.min(...waiting.map((i) => i.next_at));
  timer = setTimeout(() => void syncOutbox({ deps }), Math.max(1_000, at - deps.now()));
}

/** Sends the item again (a failed one is queued again as it is). */
export async function retryItem(key: string, deps?: Partial<SyncDeps>): Promise<void> {
  const item = await getOutbox(key);
  if (!item || item.state === 'sent') return;
  await update(item, { state: 'queued', next_at: 0, reason: undefined });
  await syncOutbox({ force: true, deps });
}

/** Removes an item: a sent one (done with), or one the inspector gives up. */
export async function discardItem(key: string): Promise<void> {
  await deleteOutbox(key);
  useOutbox.setState((s) => ({ items: s.items.filter((i) => i.key !== key) }));
}

/** Takes a failed report out of the outbox (for editing it as the draft). */
export async function takeItem(key: string): Promise<OutboxItem | null> {
  const item = await getOutbox(key);
  if (!item || item.state === 'sending' || item.state === 'sent') return null;
  await discardItem(key);
  return item;
}

let started = false;

/** Boot (the inspector's screen): load, sync now, and again whenever the browser comes online. */
export function startOutbox(): () => void {
  if (started || typeof window === 'undefined') return () => {};
  started = true;
  const online = () => { useOutbox.setState({ online: true }); void syncOutbox({ force: true }); };
  const offline = () => useOutbox.setState({ online: false });
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  useOutbox.setState({ online: navigator.onLine !== false });
  void syncOutbox({ force: true });
  return () => {
    started = false;
    window.removeEventListener('online', online);
    window.removeEventListener('offline', offline);
    if (timer) clearTimeout(timer);
    timer = null;
  };
}
