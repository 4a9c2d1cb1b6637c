// The inspector's report (上报) being written: class, point, description, photos. Submitted with one Idempotency-Key per
// report, generated when the draft starts and REUSED on every retry: a retry after a lost answer returns the case
// already created instead of a second one. Network failures and 5xx answers are retried by themselves.
import { create } from 'zustand';
import { postReport } from '../api/cases.js';
import { ApiError } from '../api/http.js';
import { uploadPhoto } from '../api/photos.js';
import { locateGrid } from '../api/grids.js';
import type { MatterClass, PhotoRef, ReportBody, ReportResult } from '../api/types.js';
import { useCases } from './cases-store.js';

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
  photos: PhotoRef[];
};

type ReportState = {
  draft: Draft;
  phase: 'editing' | 'submitting' | 'retrying' | 'done' | 'failed';
  /** The attempt being made (1 = the first). */
  attempt: number;
  error: string | null;
  uploading: number;
  uploadError: string | null;
  result: ReportResult | null;
  setClass: (cls: Draft['cls']) => void;
  setPoint: (p: ReportPoint | null) => void;
  setDescription: (d: string) => void;
  addPhoto: (p: PhotoRef) => void;
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
  setPoint: (point) => set((s) => ({ draft: { ...s.draft, point }, error: null })),
  setDescription: (description) => set((s) => ({ draft: { ...s.draft, description } })),
  addPhoto: (p) => set((s) => (s.draft.photos.some((x) => x.id === p.id) ? s : { draft: { ...s.draft, photos: [...s.draft.photos, p] } })),
  removePhoto: (id) => set((s) => ({ draft: { ...s.draft, photos: s.draft.photos.filter((p) => p.id !== id) } })),
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
export function draftProblems(d: Draft): ('need_class' | 'need_point')[] {
  const out: ('need_class' | 'need_point')[] = [];
  if (!d.cls) out.push('need_class');
  if (!d.point) out.push('need_point');
  return out;
}

/** Worth sending again with the same key: no answer at all, a 5xx, or "the same key is still being processed". */
export function retryable(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  return e.status === 0 || e.status >= 500 || (e.status === 409 && e.code === 'conflict') || e.status === 429;
}

export type SubmitDeps = {
  post: (body: ReportBody, key: string) => Promise<ReportResult>;
  sleep: (ms: number) => Promise<void>;
  /** Attempts in all, the first included. */
  attempts: number;
  /** Waits before attempt 2, 3, …: doubled each time. */
  backoffMs: number;
};

const SUBMIT: SubmitDeps = {
  post: (body, key) => postReport(body, key),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  attempts: 6,
  backoffMs: 1000,
};

/** Sends the draft; retries network failures with the same Idempotency-Key. Resolves to the case, or null. */
export async function submitReport(deps: Partial<SubmitDeps> = {}): Promise<ReportResult | null> {
  const d = { ...SUBMIT, ...deps };
  const { draft, phase } = useReport.getState();
  if (phase === 'submitting' || phase === 'retrying') return null;
  if (draftProblems(draft).length) return null;
  const body: ReportBody = {
    kind: draft.cls!.matter_kind ?? 'event',
    class_code: draft.cls!.code,
    lon: Number(draft.point!.lon.toFixed(7)),
    lat: Number(draft.point!.lat.toFixed(7)),
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
    ...(draft.photos.length ? { photo_ids: draft.photos.map((p) => p.id) } : {}),
  };
  for (let attempt = 1; attempt <= d.attempts; attempt++) {
    useReport.setState({ phase: attempt === 1 ? 'submitting' : 'retrying', attempt, error: null });
    try {
      const result = await d.post(body, draft.key);
      useReport.setState({ phase: 'done', result, error: null });
      useCases.getState().applyCase(result);
      return result;
    } catch (e) {
      const again = retryable(e) && attempt < d.attempts;
      useReport.setState({ error: (e as Error).message });
      if (!again) {
        useReport.setState({ phase: 'failed' });
        return null;
      }
      await d.sleep(d.backoffMs * 2 ** (attempt - 1));
    }
  }
  return null;
}

/** Uploads photo files one by one (POST /api/photos) and adds them to the draft. */
export async function addPhotos(files: readonly Blob[], upload: (f: Blob) => Promise<PhotoRef> = (f) => uploadPhoto(f)): Promise<void> {
  for (const f of files) {
    useReport.setState((s) => ({ uploading: s.uploading + 1, uploadError: null }));
    try {
      useReport.getState().addPhoto(await upload(f));
    } catch (e) {
      useReport.setState({ uploadError: (e as Error).message });
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
