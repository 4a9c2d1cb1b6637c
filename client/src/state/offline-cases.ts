// The inspector's cases offline (issue 9): what the inspector's screen lists from GET /api/cases (verify/check tasks
// and own reports) and the details of those cases (GET /api/cases/{id}) with their photos' BYTES are kept in
// IndexedDB (state/field-db.ts) each time they are loaded online, so that with no network — even after a relaunch —
// the list is shown as "offline copy, as of HH:MM", any listed case opens with its photos, and a verify/check result
// can be queued in the outbox (state/outbox.ts) at the version read.
// - Per user: every copy carries the user id and is read only for the signed-in user; saving one user's copy drops
//   any other's, and logging out drops them all (state/session-store.ts).
// - Bounded: at most MAX_LIST_CASES listed cases, MAX_DETAILS details (tasks first, then the newest own reports), at
//   most MAX_PHOTOS_PER_CASE photos of at most MAX_PHOTO_BYTES each and MAX_TOTAL_PHOTO_BYTES in all.
// - Photos are served through short-lived signed links (server/domain/photo-links.ts), which a cache keyed by URL
//   could not answer once the link changed or expired: the bytes are stored by photo id and shown offline through
//   object URLs in place of the links.
import { create } from 'zustand';
import { fetchCase, fetchCases, type CaseQuery } from '../api/cases.js';
import { ApiError } from '../api/http.js';
import { formatClock } from '../i18n/format.js';
import type { CaseDetail, CaseList, CaseSummary } from '../api/types.js';
import { loadCases, selectAllCases, useCases } from './cases-store.js';
import {
  caseDetailKey, caseDetailsOf, clearCaseCopies, deleteCaseDetail, getCaseDetail, getCaseList, putCaseDetail, putCaseList,
  type StoredCaseDetail,
} from './field-db.js';

export const MAX_LIST_CASES = 500;
export const MAX_DETAILS = 80;
export const MAX_PHOTOS_PER_CASE = 8;
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
export const MAX_TOTAL_PHOTO_BYTES = 60 * 1024 * 1024;

type FieldCopyState = {
  /** When the list shown was saved, while it is the offline copy (null: the list is live). */
  list_at: number | null;
};

export const useFieldCopy = create<FieldCopyState>()(() => ({ list_at: null }));
export const selectListCopyAt = (s: FieldCopyState) => s.list_at;

export type CopyDeps = {
  list: (q: CaseQuery) => Promise<CaseList>;
  read: (id: string) => Promise<CaseDetail>;
  photo: (url: string) => Promise<{ type: string; bytes: ArrayBuffer } | null>;
  now: () => number;
};

async function getPhoto(url: string): Promise<{ type: string; bytes: ArrayBuffer } | null> {
  const res = await fetch(url);
  if (!res.ok) return null;
  return { type: res.headers.get('content-type') ?? 'image/jpeg', bytes: await res.arrayBuffer() };
}

const API: CopyDeps = { list: (q) => fetchCases(q), read: (id) => fetchCase(id), photo: getPhoto, now: () => Date.now() };

const isNetwork = (e: unknown) => e instanceof ApiError && e.isNetwork;

/** HH:MM of a saved copy, in the district's time like every clock on screen. */
export function copyTime(at: number): string {
  return formatClock(at);
}

/** Statuses that are the inspector's tasks: verify (核实) and check (核查). */
const TASK_STATUSES = ['verifying', 'checking'] as const;

export function isTask(c: CaseSummary): boolean {
  return (TASK_STATUSES as readonly string[]).includes(c.status);
}

/** What the inspector's screen lists of the cases held (most urgent first): the tasks, then the own reports. */
export function listedCases(all: readonly CaseSummary[], userId: number): CaseSummary[] {
  const tasks = all.filter(isTask);
  const ids = new Set(tasks.map((c) => c.id));
  return [...tasks, ...all.filter((c) => c.reporter_id === userId && !ids.has(c.id))];
}

// ---- Saving -----------------------------------------------------------------------------------------------------

/** Keeps the listed cases of `userId` (at most MAX_LIST_CASES, in the order given) and drops any other user's copy. */
export async function saveListCopy(userId: number, items: readonly CaseSummary[], now = Date.now()): Promise<void> {
  await clearCaseCopies(userId);
  await putCaseList({ user_id: userId, saved_at: now, items: items.slice(0, MAX_LIST_CASES) });
}

/**
 * Keeps one case as read online with its photos' bytes (those already kept are reused: a photo id is its sha256).
 * Photos over the per-photo or total budget are left out: offline they show no link, as a photo the server never had.
 */
export async function keepCaseDetail(userId: number, detail: CaseDetail, deps: Partial<CopyDeps> = {}): Promise<void> {
  const { photo, now } = { ...API, ...deps };
  const before = await getCaseDetail(userId, detail.id);
  const others = (await caseDetailsOf(userId)).filter((d) => d.case_id !== detail.id);
  let budget = MAX_TOTAL_PHOTO_BYTES - others.reduce((n, d) => n + d.photo_bytes, 0);
  const photos: StoredCaseDetail['photos'] = [];
  for (const link of (detail.photos ?? []).slice(0, MAX_PHOTOS_PER_CASE)) {
    let got: { type: string; bytes: ArrayBuffer } | null = before?.photos.find((p) => p.id === link.id) ?? null;
    if (!got) {
      try { got = await photo(link.url); } catch { got = null; } // offline meanwhile: kept at the next load
    }
    if (!got || got.bytes.byteLength > MAX_PHOTO_BYTES || got.bytes.byteLength > budget) continue;
    budget -= got.bytes.byteLength;
    photos.push({ id: link.id, type: got.type, bytes: got.bytes });
  }
  await putCaseDetail({ key: caseDetailKey(userId, detail.id), user_id: userId, case_id: detail.id, saved_at: now(), detail, photos });
  await trimDetails(userId);
}

/** At most MAX_DETAILS details: those of cases no longer listed go first, then the least recently saved. */
async function trimDetails(userId: number): Promise<void> {
  const all = await caseDetailsOf(userId);
  if (all.length <= MAX_DETAILS) return;
  const listed = new Set((await getCaseList(userId))?.items.map((c) => c.id) ?? []);
  const order = [...all].sort((a, b) => Number(listed.has(a.case_id)) - Number(listed.has(b.case_id)) || a.saved_at - b.saved_at);
  for (const d of order.slice(0, all.length - MAX_DETAILS)) await deleteCaseDetail(d.key);
}

/** Whether a stored copy is as new as `c` and holds every photo it may hold. */
function upToDate(stored: { version: number; photo_ids: string[]; photo_links: number } | undefined, c: CaseSummary): boolean {
  return !!stored && stored.version >= c.version && stored.photo_ids.length >= Math.min(stored.photo_links, MAX_PHOTOS_PER_CASE);
}

/**
 * Reads and keeps the details of the first MAX_DETAILS listed cases whose copy is missing or older (two at a time);
 * stops at the first network failure. Returns how many were read.
 */
export async function prefetchDetails(userId: number, listed: readonly CaseSummary[], deps: Partial<CopyDeps> = {}): Promise<number> {
  const d = { ...API, ...deps };
  const have = new Map((await caseDetailsOf(userId)).map((x) => [x.case_id, x]));
  const wanted = listed.slice(0, MAX_DETAILS).filter((c) => !upToDate(have.get(c.id), c));
  let next = 0;
  let done = 0;
  let stop = false;
  const worker = async () => {
    while (!stop && next < wanted.length) {
      const c = wanted[next++];
      try {
        await keepCaseDetail(userId, await d.read(c.id), d);
        done++;
      } catch (e) {
        if (isNetwork(e)) stop = true; // a 403/404 (the case moved out of reach) just skips it
      }
    }
  };
  await Promise.all([worker(), worker()]);
  return done;
}

// ---- Reading ----------------------------------------------------------------------------------------------------

/** Object URLs of the photos of the case shown from the copy; revoked when another is shown. */
let shownUrls: string[] = [];

/** The kept copy of a case for `userId`, its photo links replaced by object URLs of the kept bytes; null if none. */
export async function caseFromCopy(userId: number, caseId: string): Promise<{ detail: CaseDetail; saved_at: number } | null> {
  const stored = await getCaseDetail(userId, caseId);
  if (!stored || stored.user_id !== userId) return null;
  for (const u of shownUrls) URL.revokeObjectURL(u);
  shownUrls = [];
  const bytes = new Map(stored.photos.map((p) => [p.id, p]));
  const photos = (stored.detail.photos ?? []).flatMap((link) => {
    const p = bytes.get(link.id);
    if (!p) return [];
    const url = URL.createObjectURL(new Blob([p.bytes], { type: p.type }));
    shownUrls.push(url);
    return [{ ...link, url }];
  });
  return { detail: { ...stored.detail, photos }, saved_at: stored.saved_at };
}

// ---- The inspector's list -----------------------------------------------------------------------------------------

/**
 * Loads the inspector's cases. Online: the list is live, and the cases `pick` chooses (what the screen lists, most
 * urgent first) are kept with their details. With no network: the copy of `userId`, if any, is shown instead and
 * `useFieldCopy.list_at` says as of when. Returns which happened.
 */
export async function loadFieldCases(userId: number, pick: (all: CaseSummary[]) => CaseSummary[], deps: Partial<CopyDeps> = {}): Promise<'live' | 'copy' | 'failed'> {
  const d = { ...API, ...deps };
  const seen = { offline: false };
  await loadCases({}, async (q) => {
    try { return await d.list(q); } catch (e) { seen.offline = isNetwork(e); throw e; }
  });
  const offline = seen.offline;
  const cases = useCases.getState();
  if (cases.status === 'ready' && !offline) {
    useFieldCopy.setState({ list_at: null });
    const listed = pick(selectAllCases(cases));
    await saveListCopy(userId, listed, d.now());
    void prefetchDetails(userId, listed, d);
    return 'live';
  }
  if (!offline) return 'failed';
  const copy = await getCaseList(userId);
  if (!copy || copy.user_id !== userId) return 'failed';
  const started = useCases.getState().begin();
  useCases.getState().receive({ items: copy.items, total: copy.items.length }, started);
  useFieldCopy.setState({ list_at: copy.saved_at });
  return 'copy';
}
