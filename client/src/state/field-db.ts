// The inspector's phone keeps its work in IndexedDB (database `gridline-field`), so nothing is lost to a reload, a
// closed app or a dead network: the draft being written (fields, point and the photo BYTES not yet uploaded) and the
// outbox (reports and verify/check results waiting to be sent, with their Idempotency-Key). Photos are stored as
// ArrayBuffers with their type: every IndexedDB (and fake-indexeddb in the unit tests) clones those.
// Also the offline copy of the inspector's cases (state/offline-cases.ts): the task list as last loaded and the
// details of the listed cases with their photos' bytes, for one user at a time (dropped at logout and when another
// user's copy is saved).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CaseAction, CaseDetail, CaseSummary, MatterClass } from '../api/types.js';

export const FIELD_DB = 'gridline-field';

/** A photo picked on the phone: its bytes until uploaded, then also the server's id (sha256 of the bytes). */
export type StoredPhoto = { id: string; type: string; bytes: ArrayBuffer; server_id?: string };

/** The report being written, as saved after every change (one per user of the phone). */
export type StoredDraft = {
  key: string;
  cls: Pick<MatterClass, 'code' | 'name_zh' | 'name_en' | 'matter_kind'> | null;
  point: { lon: number; lat: number; by: 'map' | 'gps'; accuracy_m?: number; grid?: string | null } | null;
  description: string;
  photos: StoredPhoto[];
  /** The component the problem is on (GET /api/components/near), when one was chosen: the case's component_id. */
  component?: { id: string; class_code: string; class_name_zh: string; class_name_en: string; distance_m: number } | null;
};

export type OutboxState = 'queued' | 'sending' | 'sent' | 'failed';

/** One write waiting for the network: a report, or a verify/check result on a case. */
export type OutboxItem = {
  /** The Idempotency-Key of a report; a random id of an action (the case version makes its replay safe). */
  key: string;
  user_id: number;
  created_at: number;
  state: OutboxState;
  /** Sending attempts that got no usable answer. */
  attempts: number;
  /** Not before (epoch ms) when retried by the timer; the online event and "send now" ignore it. */
  next_at: number;
  /** Why it failed: a dictionary key of words-offline.ts the inspector can act on. */
  reason?: string;
  /** When sent: the case it made or acted on. */
  result?: { id: string; case_no: string; status: string };
} & ({ kind: 'report'; draft: StoredDraft } | {
  kind: 'action'; case_id: string; case_no: string; action: Extract<CaseAction, 'verify' | 'check'>; version: number; fields: Record<string, unknown>;
  /** Photos taken with no network (a failed check needs one): uploaded before the action, their ids joined to photo_ids. */
  photos?: StoredPhoto[];
});

/** The cases the inspector's screen listed (GET /api/cases), as last loaded online. */
export type StoredCaseList = { user_id: number; saved_at: number; items: CaseSummary[] };

/** One case as last read online (GET /api/cases/{id}) with the bytes of its photos (ids are sha256: never stale). */
export type StoredCaseDetail = {
  /** `${user_id}:${case id}` */
  key: string;
  user_id: number;
  case_id: string;
  saved_at: number;
  detail: CaseDetail;
  photos: { id: string; type: string; bytes: ArrayBuffer }[];
};

interface FieldSchema extends DBSchema {
  drafts: { key: string; value: StoredDraft };
  outbox: { key: string; value: OutboxItem };
  case_lists: { key: number; value: StoredCaseList };
  case_details: { key: string; value: StoredCaseDetail; indexes: { user_id: number } };
}

let opening: Promise<IDBPDatabase<FieldSchema>> | null = null;

/** The database, opened once; null where IndexedDB does not exist (the drafts then live in memory only). */
export function fieldDb(): Promise<IDBPDatabase<FieldSchema>> | null {
  if (typeof indexedDB === 'undefined') return null;
  opening ??= openDB<FieldSchema>(FIELD_DB, 2, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('drafts');
        db.createObjectStore('outbox', { keyPath: 'key' });
      }
      if (oldVersion < 2) {
        db.createObjectStore('case_lists', { keyPath: 'user_id' });
        db.createObjectStore('case_details', { keyPath: 'key' }).createIndex('user_id', 'user_id');
      }
    },
    // A newer version of the app (another tab, after an update) wants to upgrade: let it, and open again when next used.
    blocking() {
      void opening?.then((db) => db.close());
      opening = null;
    },
  });
  return opening;
}

/** Tests: forget the open connection (after replacing indexedDB with a fresh fake). */
export function closeFieldDb(): void {
  void opening?.then((db) => db.close());
  opening = null;
}

export async function loadDraft(userId: number): Promise<StoredDraft | null> {
  const db = await fieldDb();
  return (await db?.get('drafts', String(userId))) ?? null;
}

export async function saveDraft(userId: number, d: StoredDraft | null): Promise<void> {
  const db = await fieldDb();
  if (!db) return;
  if (d) await db.put('drafts', d, String(userId));
  else await db.delete('drafts', String(userId));
}

/** Without IndexedDB (an old browser, a private window that refuses it) the outbox lives as long as the page. */
const memory = new Map<string, OutboxItem>();

export async function allOutbox(): Promise<OutboxItem[]> {
  const db = await fieldDb();
  return (db ? await db.getAll('outbox') : [...memory.values()]).sort((a, b) => a.created_at - b.created_at);
}

export async function getOutbox(key: string): Promise<OutboxItem | null> {
  const db = await fieldDb();
  return (db ? await db.get('outbox', key) : memory.get(key)) ?? null;
}

export async function putOutbox(item: OutboxItem): Promise<void> {
  const db = await fieldDb();
  if (db) await db.put('outbox', item);
  else memory.set(item.key, item);
}

export async function deleteOutbox(key: string): Promise<void> {
  const db = await fieldDb();
  if (db) await db.delete('outbox', key);
  else memory.delete(key);
}

// ---- The offline copy of the inspector's cases (no IndexedDB: no copy; the network is then the only source) ----

export const caseDetailKey = (userId: number, caseId: string) => `${userId}:${caseId}`;

export async function getCaseList(userId: number): Promise<StoredCaseList | null> {
  const db = await fieldDb();
  return (await db?.get('case_lists', userId)) ?? null;
}

export async function putCaseList(list: StoredCaseList): Promise<void> {
  const db = await fieldDb();
  if (db) await db.put('case_lists', list);
}

export async function getCaseDetail(userId: number, caseId: string): Promise<StoredCaseDetail | null> {
  const db = await fieldDb();
  return (await db?.get('case_details', caseDetailKey(userId, caseId))) ?? null;
}

export async function putCaseDetail(d: StoredCaseDetail): Promise<void> {
  const db = await fieldDb();
  if (db) await db.put('case_details', d);
}

/** The stored case details of a user, without their photos' bytes (the sizes instead): for trimming. */
export async function caseDetailsOf(userId: number): Promise<{ key: string; case_id: string; saved_at: number; version: number; photo_bytes: number; photo_ids: string[]; photo_links: number }[]> {
  const db = await fieldDb();
  if (!db) return [];
  const all = await db.getAllFromIndex('case_details', 'user_id', userId);
  return all.map((d) => ({
    key: d.key, case_id: d.case_id, saved_at: d.saved_at, version: d.detail.version,
    photo_bytes: d.photos.reduce((n, p) => n + p.bytes.byteLength, 0), photo_ids: d.photos.map((p) => p.id),
    photo_links: d.detail.photos?.length ?? 0,
  }));
}

export async function deleteCaseDetail(key: string): Promise<void> {
  const db = await fieldDb();
  if (db) await db.delete('case_details', key);
}

/** Drops the offline case copies: all of them, or all but those of `keepUserId`. */
export async function clearCaseCopies(keepUserId?: number): Promise<void> {
  const db = await fieldDb();
  if (!db) return;
  const tx = db.transaction(['case_lists', 'case_details'], 'readwrite');
  if (keepUserId === undefined) {
    await Promise.all([tx.objectStore('case_lists').clear(), tx.objectStore('case_details').clear(), tx.done]);
    return;
  }
  for (const key of await tx.objectStore('case_lists').getAllKeys()) if (key !== keepUserId) await tx.objectStore('case_lists').delete(key);
  let cursor = await tx.objectStore('case_details').openCursor();
  while (cursor) {
    if (cursor.value.user_id !== keepUserId) await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}
