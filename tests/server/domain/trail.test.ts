import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { GENESIS_HASH, canonicalEntry, chainEntry, entryHash, verifyChain, type ChainedEntry, type TrailEntry } from '../../../server/domain/trail.js';

const T0 = Date.parse('2026-03-10T02:00:00Z');

function entries(): TrailEntry[] {
  const steps: [string, string, string | null, string][] = [
    ['report', 'inspector', null, 'pending_acceptance'],
    ['accept', 'operator', 'pending_acceptance', 'pending_filing'],
    ['file', 'shift_leader', 'pending_filing', 'pending_dispatch'],
    ['dispatch', 'dispatcher', 'pending_dispatch', 'handling'],
    ['feedback', 'department', 'handling', 'pending_check'],
  ];
  return steps.map(([action, role, from_status, to_status], i) => ({
    case_id: 'c-1', seq: i + 1, at: new Date(T0 + i * 600_000), actor: `u-${role}`, role, action, from_status, to_status,
    note: i === 4 ? 'cleaned' : null, photo_ids: i === 4 ? ['after-1'] : [], deadline_at: i >= 3 ? new Date(T0 + 4 * 3_600_000) : null,
    data: action === 'file' ? { condition: 'main_road', class_code: '06010' } : null,
  }));
}

function chain(list: TrailEntry[]): ChainedEntry[] {
  const out: ChainedEntry[] = [];
  for (const e of list) out.push(chainEntry(out[out.length - 1] ?? null, e));
  return out;
}

describe('canonical entries and hashes', () => {
  test('canonical text: fixed field order, ISO UTC times, nulls for missing fields, sorted nested keys', () => {
    const e: TrailEntry = { to_status: 'pending_filing', action: 'accept', seq: 2, case_id: 'c-1', at: new Date(T0), actor: 'u1', role: 'operator', from_status: 'pending_acceptance', data: { b: 1, a: [2, { d: null, c: 'x' }] } };
    expect(canonicalEntry(e)).toBe(
      '{"case_id":"c-1","seq":2,"at":"2026-03-10T02:00:00.000Z","actor":"u1","role":"operator","action":"accept",'
      + '"from_status":"pending_acceptance","to_status":"pending_filing","note":null,"photo_ids":null,"deadline_at":null,'
      + '"data":{"a":[2,{"c":"x","d":null}],"b":1}}');
  });

  test('the same entry from the database (Dates) and from the API (ISO strings, any offset) hashes the same', () => {
    const [a] = entries();
    const b = { ...a, at: '2026-03-10T10:00:00+08:00', note: undefined, deadline_at: null };
    expect(entryHash(GENESIS_HASH, b)).toBe(entryHash(GENESIS_HASH, a));
  });

  test('entryHash is sha256 hex of the previous hash, a newline and the canonical text', () => {
    const [a] = entries();
    const expected = createHash('sha256').update(`${GENESIS_HASH}\n${canonicalEntry(a)}`).digest('hex');
    expect(entryHash(GENESIS_HASH, a)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash('f'.repeat(64), a)).not.toBe(expected);
    expect(() => entryHash('nope', a)).toThrow(RangeError);
  });

  test('ids and hashes stored with the entry do not enter its hash', () => {
    const [a] = entries();
    expect(entryHash(GENESIS_HASH, { ...a, id: 991, hash: 'x', prev_hash: 'y' } as TrailEntry)).toBe(entryHash(GENESIS_HASH, a));
  });
});

describe('verifyChain', () => {
  test('an untouched trail verifies, and the first entry starts from the genesis hash', () => {
    const c = chain(entries());
    expect(c[0].prev_hash).toBe(GENESIS_HASH);
    expect(c[3].prev_hash).toBe(c[2].hash);
    expect(verifyChain(c)).toEqual({ ok: true });
    expect(verifyChain(c, { head: c[4].hash })).toEqual({ ok: true });
    expect(verifyChain([])).toEqual({ ok: true });
  });

  test.each([
    ['note', 4, (e: ChainedEntry) => ({ ...e, note: 'cleaned (edited)' })],
    ['to_status', 2, (e: ChainedEntry) => ({ ...e, to_status: 'void' })],
    ['at', 1, (e: ChainedEntry) => ({ ...e, at: new Date((e.at as Date).getTime() - 60_000) })],
    ['actor', 0, (e: ChainedEntry) => ({ ...e, actor: 'someone-else' })],
    ['data', 2, (e: ChainedEntry) => ({ ...e, data: { condition: 'demolition', class_code: '06010' } })],
    ['photo_ids', 4, (e: ChainedEntry) => ({ ...e, photo_ids: [] })],
  ])('a changed %s is detected at its own index (%i)', (_field, index, change) => {
    const c = chain(entries());
    c[index] = change(c[index]);
    expect(verifyChain(c)).toMatchObject({ ok: false, broken_at: index, reason: expect.stringContaining('changed') });
  });

  test.each([0, 1, 2, 3])('a removed entry %i is detected where it was', (index) => {
    const c = chain(entries());
    c.splice(index, 1);
    expect(verifyChain(c)).toMatchObject({ ok: false, broken_at: index });
  });

  test('removing the last entry needs the recorded head to be detected', () => {
    const c = chain(entries());
    const head = c[4].hash;
    c.pop();
    expect(verifyChain(c)).toEqual({ ok: true });
    expect(verifyChain(c, { head })).toMatchObject({ ok: false, broken_at: 4, reason: expect.stringContaining('missing at the end') });
  });

  test.each([[0, 1], [1, 2], [2, 4], [3, 4]])('entries %i and %i swapped are detected at %i', (i, j) => {
    const c = chain(entries());
    [c[i], c[j]] = [c[j], c[i]];
    expect(verifyChain(c)).toMatchObject({ ok: false, broken_at: i, reason: expect.stringContaining(i === 0 ? 'first entry' : 'prev_hash') });
  });

  test('a forged hash on a changed entry still breaks the link to the next entry', () => {
    const c = chain(entries());
    const forged = { ...c[2], note: 'forged' };
    c[2] = { ...forged, hash: entryHash(forged.prev_hash, forged) };
    expect(verifyChain(c)).toMatchObject({ ok: false, broken_at: 3 });
  });

  test('an entry that cannot be hashed is reported, not thrown', () => {
    const c = chain(entries());
    c[1] = { ...c[1], seq: Number.NaN };
    expect(verifyChain(c)).toMatchObject({ ok: false, broken_at: 1, reason: expect.stringContaining('cannot be hashed') });
  });
});
