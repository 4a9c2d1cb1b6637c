// The inspector's report (上报) being written: class, point, description, photos. The draft is saved to IndexedDB on
// every change (state/field-db.ts) and restored on load, photos included (their bytes: nothing is uploaded while
// writing). Submitting moves it to the outbox (state/outbox.ts) with its Idempotency-Key, generated when the draft
// starts; the outbox uploads the photos, then posts the report with that key however often it has to retry, so a
// retry after a lost answer returns the case already created instead of a second one.
import { create } from 'zustand';
import { locateGrid } from '../api/grids.js';
import { PHOTO_TYPES } from '../api/photos.js';
import type { MatterClass, ReportResult } from '../api/types.js';
import { loadDraft, saveDraft, type StoredDraft, type StoredPhoto } from './field-db.js';
import { enqueue, getItemResult, syncOutbox, takeItem, transient, type SyncDeps } from './outbox.js';
import { useSession } from './session-store.js';

/** A random UUID; crypto.randomUUID is missing outside secure contexts (e.g. a phone on http://192.168…). */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Where the problem is (WGS84); `grid` is the unit grid there (undefined while asking, null outside every grid). */
export type ReportPoint = { lon: number; lat: number; by: 'map' | 'gps'; accuracy_m?: number; grid?: string | null };

export type Draft = {
  /** The Idempotency-Key of this report: fixed from the first keystroke until it has been accepted. */
  key: string;
  cls: Pick<MatterClass, 'code' | 'name_zh' | 'name_en' | 'matter_kind'> | null;
  point: ReportPoint | null;
  description: string;
  /** Picked photos with their bytes (kept until the outbox has uploaded them) and a local link to show them. */
  photos: DraftPhoto[];
  /** The component chosen from those nearby (its id goes with the report as component_id). */
  component?: StoredDraft['component'];
};

export type DraftPhoto = StoredPhoto & { url: string };

type ReportState = {
  draft: Draft;
  /** queued: in the outbox, waiting for the network. */
  phase: 'editing' | 'submitting' | 'retrying' | 'queued' | 'done' | 'failed';
  /** The attempt being made (1 = the first). */
  attempt: number;
  /** Why the last submit failed: a dictionary key (words-offline.ts). */
  error: string | null;
  /** Photos being read from the picker. */
  uploading: number;
  /** A dictionary key. */
  uploadError: string | null;
  result: ReportResult | null;
  setClass: (cls: Draft['cls']) => void;
  setPoint: (p: ReportPoint | null) => void;
  setComponent: (c: Draft['component']) => void;
  setDescription: (d: string) => void;
  addPhoto: (p: DraftPhoto) => void;
  removePhoto: (id: string) => void;
  /** Starts a new report with a new key. */
  reset: () => void;
};

const emptyDraft = (): Draft => ({ key: newIdempotencyKey(), cls: null, point: null, description: '', photos: [] });

export const useReport = create<ReportState>()((set) => ({
  draft: emptyDraft(),
  phase: 'editing',
  attempt: 0,
  error: null,
  uploading: 0,
  uploadError: null,
  result: null,
  setClass: (cls) => set((s) => ({ draft: { ...s.draft, cls }, error: null })),
  // a point moved elsewhere drops the component chosen near the old one
  setPoint: (point) => set((s) => ({ draft: { ...s.draft, point, ...(s.draft.point && point && s.draft.point.lon === point.lon && s.draft.point.lat === point.lat ? {} : { component: null }) }, error: null })),
  setComponent: (component) => set((s) => ({ draft: { ...s.draft, component } })),
  setDescription: (description) => set((s) => ({ draft: { ...s.draft, description } })),
  addPhoto: (p) => set((s) => (s.draft.photos.some((x) => x.id === p.id) ? s : { draft: { ...s.draft, photos: [...s.draft.photos, p] } })),
  removePhoto: (id) => set((s) => {
    const gone = s.draft.photos.find((p) => p.id === id);
    if (gone) revoke(gone.url);
    return { draft: { ...s.draft, photos: s.draft.photos.filter((p) => p.id !== id) } };
  }),
  reset: () => set({ draft: emptyDraft(), phase: 'editing', attempt: 0, error: null, result: null, uploadError: null }),
}));

export const selectDraft = (s: ReportState) => s.draft;
export const selectReportPhase = (s: ReportState) => s.phase;
export const selectReportAttempt = (s: ReportState) => s.attempt;
export const selectReportError = (s: ReportState) => s.error;
export const selectReportResult = (s: ReportState) => s.result;
export const selectUploading = (s: ReportState) => s.uploading;
export const selectUploadError = (s: ReportState) => s.uploadError;
/** The draft's editing actions (use with useShallow). */
export const selectDraftActions = (s: ReportState) => ({ setClass: s.setClass, setDescription: s.setDescription, removePhoto: s.removePhoto, reset: s.reset });

/** What is missing before the draft can be sent: message keys, empty when ready. */
export function draftProblems(d: Draft): ('need_class' | 'need_point' | 'fd_need_inside')[] {
  const out: ('need_class' | 'need_point' | 'fd_need_inside')[] = [];
  if (!d.cls) out.push('need_class');
  if (!d.point) out.push('need_point');
  else if (d.point.grid === null) out.push('fd_need_inside'); // outside every grid (GET /api/grids/locate): refused on the spot
  return out;
}

/** Worth sending again with the same key (state/outbox.ts `transient`). */
export const retryable = transient;

/** A draft worth keeping: anything chosen or written. */
export const draftIsEmpty = (d: Draft) => !d.cls && !d.point && !d.description.trim() && d.photos.length === 0;

const toStored = (d: Draft): StoredDraft => ({ ...d, photos: d.photos.map(({ url: _url, ...p }) => p) });

function objectUrl(p: StoredPhoto): string {
  try { return URL.createObjectURL(new Blob([p.bytes], { type: p.type })); } catch { return ''; }
}
function revoke(url: string): void {
  try { if (url.startsWith('blob:')) URL.revokeObjectURL(url); } catch { /* not a local link */ }
}

const fromStored = (d: StoredDraft): Draft => ({ ...d, photos: d.photos.map((p) => ({ ...p, url: objectUrl(p) })) });

// Every change of the draft is written to IndexedDB, in order, under the signed-in user.
let saving: Promise<void> = Promise.resolve();
let restoredFor: number | null = null;
useReport.subscribe((s, prev) => {
  if (s.draft === prev.draft) return;
  const uid = useSession.getState().user?.id;
  if (uid === undefined || restoredFor !== uid) return; // not before the stored draft has been read
  const d = toStored(s.draft);
  saving = saving.then(() => saveDraft(uid, d)).catch(() => {});
});

/** Waits for the draft writes made so far (tests; the submit). */
export const draftSaved = () => saving;

/** Brings back the signed-in user's stored draft (app start, reload, relaunch), unless one is being written. */
export async function restoreDraft(): Promise<void> {
  const uid = useSession.getState().user?.id;
  if (uid === undefined || restoredFor === uid) return;
  let stored: StoredDraft | null = null;
  try { stored = await loadDraft(uid); } catch { /* no IndexedDB: memory only */ }
  if (useSession.getState().user?.id !== uid) return;
  const cur = useReport.getState();
  restoredFor = uid;
  if (stored && draftIsEmpty(cur.draft) && cur.phase === 'editing') useReport.setState({ draft: fromStored(stored) });
  else void (saving = saving.then(() => saveDraft(uid, toStored(useReport.getState().draft))).catch(() => {}));
}

/** Tests: forget which user's draft was restored. */
export function forgetRestored(): void { restoredFor = null; }

/**
 * Submits the draft: it moves to the outbox (with its key and photo bytes) and a new draft starts; then the outbox
 * tries to send it at once. Sent: `done` with the case. No network: `queued` (the outbox sends it later). Refused:
 * the draft comes back for editing with the reason (`failed`); sending again uses the same key.
 */
export async function submitReport(deps: Partial<SyncDeps> = {}): Promise<ReportResult | { case_no: string; id: string; status: string } | null> {
  const { draft, phase } = useReport.getState();
  const uid = useSession.getState().user?.id;
  if (phase === 'submitting' || phase === 'retrying') return null;
  if (draftProblems(draft).length || uid === undefined) return null;
  useReport.setState({ phase: 'submitting', attempt: 1, error: null });
  await enqueue({ key: draft.key, user_id: uid, created_at: Date.now(), state: 'queued', attempts: 0, next_at: 0, kind: 'report', draft: toStored(draft) });
  useReport.setState({ draft: emptyDraft() }); // saved as the new (empty) draft; the old one is safe in the outbox
  await syncOutbox({ force: true, deps });
  const item = await getItemResult(draft.key);
  if (item?.state === 'sent' && item.result) {
    const result = item.answer ?? (item.result as ReportResult);
    useReport.setState({ phase: 'done', result, error: null });
    return result;
  }
  if (item?.state === 'failed') {
    await editItem(draft.key);
    useReport.setState({ phase: 'failed', error: item.reason ?? 'of_reason_refused' });
    return null;
  }
  useReport.setState({ phase: 'queued', error: null });
  return null;
}

/** Takes a queued or failed report out of the outbox back into the form (only when no other draft is being written). */
export async function editItem(key: string): Promise<boolean> {
  if (!draftIsEmpty(useReport.getState().draft)) return false;
  const item = await takeItem(key);
  if (!item || item.kind !== 'report') return false;
  useReport.setState({ draft: fromStored(item.draft), phase: 'editing', error: null, result: null });
  return true;
}

/** Keeps picked photo files in the draft (their bytes: uploaded by the outbox when the report is sent). */
export async function addPhotos(files: readonly Blob[]): Promise<void> {
  for (const f of files) {
    useReport.setState((s) => ({ uploading: s.uploading + 1, uploadError: null }));
    try {
      if (f.size === 0) throw new Error('of_photo_empty');
      const bytes = await f.arrayBuffer();
      const type = (PHOTO_TYPES as readonly string[]).includes(f.type) ? f.type : 'application/octet-stream';
      const p: StoredPhoto = { id: newIdempotencyKey(), type, bytes };
      useReport.getState().addPhoto({ ...p, url: objectUrl(p) });
    } catch (e) {
      useReport.setState({ uploadError: (e as Error).message === 'of_photo_empty' ? 'of_photo_empty' : 'of_photo_unreadable' });
    } finally {
      useReport.setState((s) => ({ uploading: s.uploading - 1 }));
    }
  }
}

/** Sets the report's point and asks the server which unit grid it lies in (GET /api/grids/locate). */
export async function pickPoint(p: Omit<ReportPoint, 'grid'>, locate: (lon: number, lat: number) => Promise<{ code: string } | null> = locateGrid): Promise<void> {
  const point: ReportPoint = { ...p, grid: undefined };
  useReport.getState().setPoint(point);
  let grid: string | null;
  try {
    grid = (await locate(p.lon, p.lat))?.code ?? null;
  } catch {
    return; // the grid is a hint; the server checks the point again on submit
  }
  if (useReport.getState().draft.point === point) useReport.getState().setPoint({ ...point, grid });
}
