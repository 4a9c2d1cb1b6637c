// The phone's patrol buffer (issue 9): fixes kept in IndexedDB (fake-indexeddb here), one per interval or after a
// move, sent in batches whose Idempotency-Key survives a failed attempt, so an offline stretch uploads later, once.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, test } from 'vitest';
import { ApiError } from '../../client/src/api/http.js';
import type { Fix } from '../../client/src/api/patrol.js';
import { closePatrolDb, flushFixes, recordPosition, useDuty } from '../../client/src/state/duty-store.js';

const T0 = Date.parse('2026-03-02T01:00:00Z');
const offline = () => Promise.reject(new ApiError('network', 'Failed to fetch', 0, '/api/patrol/positions'));

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  closePatrolDb();
  useDuty.setState({ ...useDuty.getInitialState(), on_duty: true, interval_seconds: 60 }, true);
});

describe('recordPosition', () => {
  test('one fix per interval, or sooner after a 50 m move; nothing off duty', async () => {
    expect(await recordPosition({ lon: 116.4, lat: 39.9, t: T0 })).toBe(true);
    expect(await recordPosition({ lon: 116.4, lat: 39.9001, t: T0 + 10_000 })).toBe(false);  // 11 m, 10 s
    expect(await recordPosition({ lon: 116.4, lat: 39.9010, t: T0 + 20_000 })).toBe(true);   // 111 m
    expect(await recordPosition({ lon: 116.4, lat: 39.9010, t: T0 + 80_000 })).toBe(true);   // an interval later
    expect(useDuty.getState().pending).toBe(3);
    useDuty.setState({ on_duty: false });
    expect(await recordPosition({ lon: 116.5, lat: 39.9, t: T0 + 200_000 })).toBe(false);
  });
});

describe('flushFixes', () => {
  test('offline: the batch and its key are kept; back online it goes up once with the same key', async () => {
    for (let i = 0; i < 3; i++) await recordPosition({ lon: 116.4, lat: 39.9 + i * 0.001, t: T0 + i * 60_000 });
    const sent: { key: string; fixes: Fix[] }[] = [];
    let down = true;
    const send = async (fixes: Fix[], key: string) => {
      sent.push({ key, fixes });
      if (down) return offline();
      return { accepted: fixes.length, duplicate: 0, rejected: 0, rejections: [] };
    };
    expect(await flushFixes(send)).toBe(false);
    expect(useDuty.getState()).toMatchObject({ pending: 3, problem: 'pt_err_send' });
    // a new fix while offline waits for the next batch
    await recordPosition({ lon: 116.41, lat: 39.91, t: T0 + 5 * 60_000 });
    down = false;
    expect(await flushFixes(send)).toBe(true);
    expect(sent.map((s) => s.fixes.length)).toEqual([3, 3, 1]);
    expect(sent[1].key).toBe(sent[0].key);            // the retry carries the first attempt's key
    expect(sent[2].key).not.toBe(sent[0].key);
    expect(sent[1].fixes.map((f) => f.at)).toEqual(['2026-03-02T01:00:00.000Z', '2026-03-02T01:01:00.000Z', '2026-03-02T01:02:00.000Z']);
    expect(useDuty.getState()).toMatchObject({ pending: 0, problem: null });
    expect(await flushFixes(send)).toBe(true);
    expect(sent).toHaveLength(3); // nothing left to send
  });

  test('a batch the server refuses as a whole (400) is dropped, not retried forever', async () => {
    await recordPosition({ lon: 116.4, lat: 39.9, t: T0 });
    let calls = 0;
    const send = async () => { calls++; throw new ApiError('bad_request', 'no', 400, '/api/patrol/positions'); };
    expect(await flushFixes(send)).toBe(true);
    expect(await flushFixes(send)).toBe(true);
    expect(calls).toBe(1);
    expect(useDuty.getState().pending).toBe(0);
  });
});
