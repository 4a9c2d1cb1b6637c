// The inspector's phone keeps its work in IndexedDB (database `gridline-field`), so nothing is lost to a reload, a
// closed app or a dead network: the draft being written (fields, point and the photo BYTES not yet uploaded) and the
// outbox (reports and verify/check results waiting to be sent, with their Idempotency-Key). Photos are stored as
// ArrayBuffers with their type: every IndexedDB (and fake-indexeddb in the unit tests) clones those.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CaseAction, MatterClass } from '../api/types.js';

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
});

interface FieldSchema extends DBSchema {
  drafts: { key: string; value: StoredDraft };
  outbox: { key: string; value: OutboxItem };
}

let opening: Promise<IDBPDatabase<FieldSchema>> | null = null;

/** The database, opened once; null where IndexedDB does not exist (the drafts then live in memory only). */
export function fieldDb(): Promise<IDBPDatabase<FieldSchema>> | null {
  if (typeof indexedDB === 'undefined') return null;
  opening ??= openDB<FieldSchema>(FIELD_DB, 1, {
    upgrade(db) {
      db.createObjectStore('drafts');
      db.createObjectStore('outbox', { keyPath: 'key' });
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
