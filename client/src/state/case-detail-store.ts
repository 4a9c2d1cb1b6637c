// The open case (GET /api/cases/{id}: fields, available actions, trail) and the actions taken on it. A 409 (someone
// changed the case first) reloads it and says so; 403 / 422 keep the server's message for the panel. An inspector's
// phone keeps what it read and, with no network, opens the kept copy instead (state/offline-cases.ts).
import { create } from 'zustand';
import { fetchCase, postAction, type ActionFields } from '../api/cases.js';
import { enqueueAction } from './outbox.js';
import { allOutbox, type StoredPhoto } from './field-db.js';
import { uploadPhoto } from '../api/photos.js';
import { caseFromCopy, keepCaseDetail } from './offline-cases.js';
import { hasRole, useSession } from './session-store.js';
import { newIdempotencyKey } from './report-store.js';
import { ApiError } from '../api/http.js';
import type { CaseAction, CaseDetail, CaseSummary } from '../api/types.js';
import { useCases } from './cases-store.js';
import { useReference } from './reference-store.js';
import type { MessageKey } from '../i18n/index.js';

/** queued: a verify/check result kept in the outbox (no network), sent when it returns (state/outbox.ts). */
/** `text_key`: the reason in the UI's language, when the server's answer has a known code (else `text`, its message). */
export type PanelMessage = { level: 'info' | 'warning' | 'error'; key: 'stale' | 'done' | 'failed' | 'queued'; text?: string; text_key?: MessageKey; action?: CaseAction };

type DetailState = {
  id: string | null;
  /** Bumped on every open; an answer is applied only under the seq it was asked for. */
  seq: number;
  status: 'idle' | 'loading' | 'ready' | 'error';
  detail: CaseDetail | null;
  error: string | null;
  /** When the case shown was saved, while it is the phone's offline copy (state/offline-cases.ts); null: live. */
  copy_at: number | null;
  /** Opened with no network and no offline copy of it on this phone. */
  not_kept: boolean;
  /** The action being sent, if any. */
  acting: CaseAction | null;
  message: PanelMessage | null;
  open: (id: string) => number;
  receive: (seq: number, detail: CaseDetail, copyAt?: number | null) => void;
  fail: (seq: number, message: string) => void;
  close: () => void;
  setActing: (a: CaseAction | null) => void;
  setMessage: (m: PanelMessage | null) => void;
};

export const useCaseDetail = create<DetailState>()((set, get) => ({
  id: null,
  seq: 0,
  status: 'idle',
  detail: null,
  error: null,
  copy_at: null,
  not_kept: false,
  acting: null,
  message: null,
  open: (id) => {
    const seq = get().seq + 1;
    const same = get().id === id;
    set({ id, seq, status: same && get().detail ? 'ready' : 'loading', detail: same ? get().detail : null, error: null, not_kept: false, ...(same ? {} : { message: null, acting: null, copy_at: null }) });
    return seq;
  },
  receive: (seq, detail, copyAt = null) => set((s) => {
    if (s.seq !== seq) return s;
    if (s.detail && s.detail.id === detail.id && s.detail.version > detail.version) return { status: 'ready' }; // an older read
    return { status: 'ready', detail, error: null, copy_at: copyAt };
  }),
  fail: (seq, message) => set((s) => (s.seq === seq ? { status: 'error', error: message } : s)),
  close: () => set((s) => ({ id: null, seq: s.seq + 1, status: 'idle', detail: null, error: null, copy_at: null, not_kept: false, acting: null, message: null })),
  setActing: (acting) => set({ acting }),
  setMessage: (message) => set({ message }),
}));

export const selectDetailId = (s: DetailState) => s.id;
export const selectCaseDetail = (s: DetailState) => s.detail;
export const selectDetailStatus = (s: DetailState) => s.status;
export const selectDetailError = (s: DetailState) => s.error;
export const selectActing = (s: DetailState) => s.acting;
export const selectPanelMessage = (s: DetailState) => s.message;
export const selectCopyAt = (s: DetailState) => s.copy_at;
export const selectNotKept = (s: DetailState) => s.not_kept;
export const selectCloseCase = (s: DetailState) => s.close;

export type DetailDeps = { fetch: (id: string) => Promise<CaseDetail>; post: typeof postAction; upload?: (b: Blob) => Promise<{ id: string }> };
const API: DetailDeps = { fetch: (id) => fetchCase(id), post: postAction };

/** The signed-in inspector, whose phone keeps an offline copy of the cases read (state/offline-cases.ts). */
function inspectorId(): number | null {
  const user = useSession.getState().user;
  return user && hasRole(user, 'inspector') ? user.id : null;
}

/**
 * With no network, the inspector's offline copy of the case (with a result already waiting in the outbox shown as
 * such: no second one from here). Returns whether there was one.
 */
async function openFromCopy(seq: number, id: string): Promise<boolean> {
  const uid = inspectorId();
  const copy = uid === null ? null : await caseFromCopy(uid, id);
  if (!copy) return false;
  const store = useCaseDetail.getState();
  if (store.seq !== seq) return true;
  store.receive(seq, copy.detail, copy.saved_at);
  const waiting = (await allOutbox()).find((i) => i.kind === 'action' && i.case_id === id && i.user_id === uid && i.state !== 'sent' && i.state !== 'failed');
  if (waiting?.kind === 'action' && useCaseDetail.getState().seq === seq) useCaseDetail.getState().setMessage({ level: 'info', key: 'queued', action: waiting.action });
  return true;
}

/** Opens a case (or reloads the open one) and fetches it; the list learns the fresh fields too. */
export async function openCase(id: string, deps: DetailDeps = API): Promise<void> {
  const seq = useCaseDetail.getState().open(id);
  try {
    const detail = await deps.fetch(id);
    useCaseDetail.getState().receive(seq, detail);
    useCases.getState().applyCase(detail);
    const uid = inspectorId();
    if (uid !== null) void keepCaseDetail(uid, detail).catch(() => {}); // the phone's offline copy
  } catch (e) {
    if (e instanceof ApiError && e.isNetwork) {
      if (await openFromCopy(seq, id)) return;
      if (inspectorId() !== null && useCaseDetail.getState().seq === seq) {
        useCaseDetail.setState({ not_kept: true });
        useCaseDetail.getState().fail(seq, ''); // the panel says what to do (components/case/OfflineCopyNote.tsx)
        return;
      }
    }
    useCaseDetail.getState().fail(seq, (e as Error).message);
  }
}

/** Re-reads the open case when news of a newer version arrives (live), keeping the panel as it is meanwhile. */
export function refreshIfNewer(c: Pick<CaseSummary, 'id' | 'version'>, deps: DetailDeps = API): Promise<void> | null {
  const s = useCaseDetail.getState();
  if (s.id !== c.id || s.acting) return null;
  if (s.detail && s.detail.version >= c.version) return null;
  return openCase(c.id, deps);
}

/**
 * Sends `action` on the open case at the version shown. Success: the list takes the answer, the panel reloads (new
 * actions, new trail entry). 409: reload and tell the user the case had changed. Anything else: the server's message.
 * `offlinePhotos` (taken while the upload could not reach the server) go up first; with still no network a verify or
 * check waits in the outbox with them. Returns whether the action was done (or queued).
 */
export async function performAction(
  action: CaseAction, fields: ActionFields = {}, deps: DetailDeps = API, offlinePhotos: readonly StoredPhoto[] = [],
): Promise<boolean> {
  const s = useCaseDetail.getState();
  const d = s.detail;
  if (!d || s.acting) return false;
  s.setActing(action);
  s.setMessage(null);
  let waiting = [...offlinePhotos]; // photos taken with no network: up first now, or into the outbox with the result
  try {
    for (const p of [...waiting]) {
      const { id } = await (deps.upload ?? uploadPhoto)(new Blob([p.bytes], { type: p.type }));
      fields = { ...fields, photo_ids: [...(fields.photo_ids ?? []), id] };
      waiting = waiting.filter((q) => q.id !== p.id);
    }
    const updated = await deps.post(d.id, action, d.version, fields);
    useCases.getState().applyCase(updated);
    useCaseDetail.getState().setActing(null);
    await openCase(d.id, deps);
    useCaseDetail.getState().setMessage({ level: 'info', key: 'done', action });
    return true;
  } catch (e) {
    useCaseDetail.getState().setActing(null);
    if (e instanceof ApiError && e.isNetwork && (action === 'verify' || action === 'check')) {
      // The inspector in a basement: the result waits in the outbox at the version it was made against.
      await enqueueAction({ id: d.id, case_no: d.case_no, version: d.version }, action, fields as Record<string, unknown>, newIdempotencyKey(), Date.now(), waiting);
      useCaseDetail.getState().setMessage({ level: 'info', key: 'queued', action });
      return true;
    }
    if (e instanceof ApiError && e.status === 409) {
      await openCase(d.id, deps);
      useCaseDetail.getState().setMessage({ level: 'warning', key: 'stale', text: e.message, action });
    } else if (e instanceof ApiError && e.status === 422 && (e.details as { department_id?: string } | undefined)?.department_id === 'inactive department') {
      // Deactivated since the list was loaded: say so in the UI's language and reload the list, which drops it.
      void useReference.getState().load();
      useCaseDetail.getState().setMessage({ level: 'error', key: 'failed', text_key: 'dispatch_inactive_department', action });
    } else {
      useCaseDetail.getState().setMessage({ level: 'error', key: 'failed', text: (e as Error).message, action });
    }
    return false;
  }
}
