// The trail (案卷轨迹): append-only, tamper-evident entries, docs/workflow.md §Trail. Each entry carries the hash of
// the one before it, so changing, removing or reordering an entry breaks the chain at that entry. Pure computation
// (node:crypto's sha256 is a function of its input).
import { createHash } from 'node:crypto';

/** prev_hash of a case's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The fields a trail entry is hashed over, in canonical order. `id`, `hash` and `prev_hash` are not among them
 * (the database id is assigned after hashing; `prev_hash` enters the hash separately). A missing field counts as
 * null, so an entry hashes the same whether it comes from the database, the API or memory.
 */
export const TRAIL_FIELDS = [
  'case_id', 'seq', 'at', 'actor', 'role', 'action', 'from_status', 'to_status', 'note', 'photo_ids', 'deadline_at', 'data',
] as const;

export type TrailEntry = {
  case_id: string;
  /** 1, 2, 3 … within the case. */
  seq: number;
  at: Date | string;
  /** User id of who acted (null for the public or the system). */
  actor: string | null;
  role: string | null;
  /** A workflow action, or `report` for the first entry. */
  action: string;
  from_status: string | null;
  to_status: string;
  note?: string | null;
  photo_ids?: readonly string[] | null;
  /** The deadline in force after the action. */
  deadline_at?: Date | string | null;
  /** The action's fields and effects, or anything else worth keeping. */
  data?: Readonly<Record<string, unknown>> | null;
};

export type ChainedEntry = TrailEntry & { prev_hash: string; hash: string };

/**
 * The canonical text of an entry: JSON of TRAIL_FIELDS in that order, nested object keys sorted, instants as
 * ISO-8601 UTC with milliseconds (Dates, and strings in fields named `at` or `*_at`), undefined as null.
 * @example canonicalEntry({ case_id: 'c1', seq: 1, at: new Date(0), ... }) // '{"case_id":"c1","seq":1,"at":"1970-01-01T00:00:00.000Z",…}'
 */
export function canonicalEntry(entry: TrailEntry): string {
  const e = entry as unknown as Record<string, unknown>;
  return `{${TRAIL_FIELDS.map((k) => `${JSON.stringify(k)}:${canonical(e[k], k)}`).join(',')}}`;
}

/** sha256 hex of the previous hash and the entry's canonical text. */
export function entryHash(prevHash: string, entry: TrailEntry): string {
  if (!HASH_RE.test(prevHash)) throw new RangeError(`prevHash must be 64 hex digits, got "${prevHash}"`);
  return createHash('sha256').update(`${prevHash}\n${canonicalEntry(entry)}`, 'utf8').digest('hex');
}

/** The entry with `prev_hash` and `hash` set, ready to append after `prev` (null for the first). */
export function chainEntry<E extends TrailEntry>(prev: { hash: string } | null, entry: E): E & { prev_hash: string; hash: string } {
  const prev_hash = prev?.hash ?? GENESIS_HASH;
  return { ...entry, prev_hash, hash: entryHash(prev_hash, entry) };
}

export type ChainCheck = { ok: true } | { ok: false; broken_at: number; reason: string };

/**
 * Checks a case's whole trail, in order. An entry that was changed breaks at its own index (its hash no longer
 * matches); a removed or reordered entry breaks at the first entry whose `prev_hash` is not its predecessor's hash.
 * Removing the last entries leaves a valid shorter chain: pass `head` (the last hash, kept on the case row) to
 * detect that too; it is reported at index `entries.length`.
 */
export function verifyChain(entries: readonly ChainedEntry[], options: { head?: string | null } = {}): ChainCheck {
  let prev = GENESIS_HASH;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.prev_hash !== prev) {
      return { ok: false, broken_at: i, reason: i === 0 ? 'the first entry does not start the chain' : `prev_hash does not match the hash of entry ${i - 1}` };
    }
    let expected: string;
    try {
      expected = entryHash(prev, e);
    } catch (err) {
      return { ok: false, broken_at: i, reason: `entry cannot be hashed: ${(err as Error).message}` };
    }
    if (e.hash !== expected) return { ok: false, broken_at: i, reason: 'hash does not match the entry: it was changed after it was written' };
    prev = e.hash;
  }
  if (options.head != null && options.head !== (entries.length ? prev : GENESIS_HASH)) {
    return { ok: false, broken_at: entries.length, reason: 'the chain does not end at the recorded head: entries are missing at the end' };
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------------------

const HASH_RE = /^[0-9a-f]{64}$/;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function canonical(value: unknown, key: string): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError(`${key} is an invalid date`);
    return JSON.stringify(value.toISOString());
  }
  if (typeof value === 'string') {
    if ((key === 'at' || key.endsWith('_at')) && ISO_RE.test(value)) {
      const d = new Date(value);
      if (!Number.isNaN(d.getTime())) return JSON.stringify(d.toISOString());
    }
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${key} is not a finite number`);
    return JSON.stringify(value);
  }
  if (typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, key)).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k], k)}`).join(',')}}`;
  }
  throw new RangeError(`${key} cannot be put in a trail entry (${typeof value})`);
}
