// The inspector's phone offline (issue 9): the draft in IndexedDB (fake-indexeddb here), the outbox and its sync —
// photos first, the same Idempotency-Key on every attempt, exactly once after a lost answer, refusals with a reason
// the inspector can act on, verify/check results replayed safely without a key.
import 'fake-indexeddb/auto'; // IDBRequest, IDBKeyRange, … as globals (idb needs them)
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, test } from 'vitest';
import { ApiError } from '../../client/src/api/http.js';
import type { CaseDetail, CaseSummary, ReportBody, ReportResult } from '../../client/src/api/types.js';
import { allOutbox, closeFieldDb, FIELD_DB, loadDraft, putOutbox } from '../../client/src/state/field-db.js';
import {
  backoffMs, discardItem, enqueueAction, reasonOf, refreshOutbox, retryItem, syncOutbox, useOutbox, type SyncDeps,
} from '../../client/src/state/outbox.js';
import { addPhotos, draftSaved, editItem, forgetRestored, restoreDraft, submitReport, useReport } from '../../client/src/state/report-store.js';
import { useSession } from '../../client/src/state/session-store.js';
import { useCases } from '../../client/src/state/cases-store.js';
import { performAction, useCaseDetail } from '../../client/src/state/case-detail-store.js';

const cls = { code: '06010', name_zh: '暴露垃圾', name_en: 'exposed garbage', matter_kind: 'event' as const };
const png = (n: number) => new Blob([new Uint8Array([137, 80, 78, 71, n, n, n])], { type: 'image/png' });
const offline = () => Promise.reject(new ApiError('network', 'Failed to fetch', 0, '/api/cases'));

/** A fake server: photos by content, cases by Idempotency-Key (a retry returns the case already made). */
function fakeServer() {
  const photos: string[] = [];
  const cases = new Map<string, ReportResult & { body: ReportBody }>();
  const calls: string[] = [];
  let down = false;
  let loseNextAnswer = false;
  const deps: Partial<SyncDeps> = {
    upload: async (b) => {
      if (down) return offline();
      const id = `p${new Uint8Array(await b.arrayBuffer())[4]}`;
      calls.push(`upload ${id}`);
      photos.push(id);
      return { id };
    },
    report: async (body, key) => {
      if (down) return offline();
      calls.push(`report ${key}`);
      let c = cases.get(key);
      if (!c) {
        c = { id: `c${cases.size + 1}`, case_no: `N${cases.size + 1}`, status: 'pending_acceptance', version: 1, body, possible_duplicates: [] } as unknown as ReportResult & { body: ReportBody };
        cases.set(key, c);
      }
      if (loseNextAnswer) { loseNextAnswer = false; return offline(); } // made, but the answer never arrives
      return c;
    },
  };
  return {
    deps, photos, cases, calls,
    set down(v: boolean) { down = v; },
    loseAnswer() { loseNextAnswer = true; },
  };
}

async function ready(photos = 0) {
  await restoreDraft();
  useReport.getState().setClass(cls);
  useReport.getState().setPoint({ lon: 116.41, lat: 39.91, by: 'map' });
  useReport.getState().setDescription('垃圾堆放');
  await addPhotos(Array.from({ length: photos }, (_, i) => png(i + 1)));
}

beforeEach(async () => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory(); // a fresh, empty phone
  closeFieldDb();
  forgetRestored();
  for (const store of [useReport, useOutbox, useCases]) {
    (store as { setState: (s: unknown, replace: true) => void; getInitialState: () => unknown }).setState(store.getInitialState(), true);
  }
  useReport.getState().reset();
  useSession.setState({ token: 't7', user: { id: 7, username: 'inspector1', roles: ['inspector'], department_id: null } });
});

describe('the draft', () => {
  test(`is saved to IndexedDB (${FIELD_DB}) on every change, photo bytes included, and comes back after a reload`, async () => {
    await ready(2);
    const before = useReport.getState().draft;
    await draftSaved();
    // A reload: the page's memory is gone, IndexedDB is not.
    useReport.setState(useReport.getInitialState(), true);
    useReport.getState().reset();
    forgetRestored();
    expect(useReport.getState().draft.cls).toBeNull();
    await restoreDraft();
    const after = useReport.getState().draft;
    expect(after).toMatchObject({ key: before.key, cls, description: '垃圾堆放', point: { lon: 116.41, lat: 39.91 } });
    expect(after.photos.map((p) => new Uint8Array(p.bytes)[4])).toEqual([1, 2]);
    expect(after.photos.every((p) => p.url.startsWith('blob:'))).toBe(true);
  });

  test('is kept per user, and an empty photo file is refused with a message key', async () => {
    await ready(0);
    await addPhotos([new Blob([])]);
    expect(useReport.getState().uploadError).toBe('of_photo_empty');
    await draftSaved();
    expect((await loadDraft(7))?.description).toBe('垃圾堆放');
    expect(await loadDraft(8)).toBeNull();
  });
});

describe('the outbox', () => {
  test('offline, a submitted report is queued with its key and photos; online, photos go first, then the report, once', async () => {
    const server = fakeServer();
    server.down = true;
    await ready(2);
    const key = useReport.getState().draft.key;
    expect(await submitReport(server.deps)).toBeNull();
    expect(useReport.getState().phase).toBe('queued');
    expect(useReport.getState().draft.key).not.toBe(key); // a new report starts
    expect(useReport.getState().draft.photos).toEqual([]);
    let [item] = await allOutbox();
    expect(item).toMatchObject({ key, state: 'queued', kind: 'report', attempts: 1 });
    expect(useOutbox.getState().reachable).toBe(false);

    server.down = false;
    await syncOutbox({ force: true, deps: server.deps });
    expect(server.calls).toEqual(['upload p1', 'upload p2', `report ${key}`]);
    [item] = await allOutbox();
    expect(item).toMatchObject({ state: 'sent', result: { id: 'c1', case_no: 'N1' } });
    expect(server.cases.get(key)!.body).toMatchObject({ class_code: '06010', photo_ids: ['p1', 'p2'], description: '垃圾堆放' });
    expect(useCases.getState().byId.c1).toMatchObject({ case_no: 'N1' });

    await syncOutbox({ force: true, deps: server.deps }); // nothing left to send
    expect(server.calls).toHaveLength(3);
    expect(useOutbox.getState().items.map((i) => i.state)).toEqual(['sent']);
  });

  test('online, submitting sends at once and shows the case', async () => {
    const server = fakeServer();
    await ready(1);
    const r = await submitReport(server.deps);
    expect(r).toMatchObject({ case_no: 'N1' });
    expect(useReport.getState()).toMatchObject({ phase: 'done', result: { case_no: 'N1', possible_duplicates: [] } });
  });

  test('an answer lost after the server made the case: the retry carries the same key and no second case is made', async () => {
    const server = fakeServer();
    await ready(1);
    const key = useReport.getState().draft.key;
    server.loseAnswer();
    await submitReport(server.deps);
    expect(useReport.getState().phase).toBe('queued');
    await syncOutbox({ force: true, deps: server.deps });
    expect(server.cases.size).toBe(1);
    expect(server.calls).toEqual(['upload p1', `report ${key}`, `report ${key}`]); // the photo is not uploaded again
    expect((await allOutbox())[0]).toMatchObject({ state: 'sent', result: { case_no: 'N1' } });
  });

  test('three reports queued offline are sent exactly once each, even with two syncs at the same time', async () => {
    const server = fakeServer();
    server.down = true;
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      await ready(1);
      keys.push(useReport.getState().draft.key);
      await submitReport(server.deps);
      useReport.getState().reset();
    }
    expect((await allOutbox()).map((i) => i.state)).toEqual(['queued', 'queued', 'queued']);
    server.down = false;
    await Promise.all([syncOutbox({ force: true, deps: server.deps }), syncOutbox({ force: true, deps: server.deps })]);
    expect(server.cases.size).toBe(3);
    expect(server.calls.filter((c) => c.startsWith('report'))).toEqual(keys.map((k) => `report ${k}`));
    expect((await allOutbox()).map((i) => i.state)).toEqual(['sent', 'sent', 'sent']);
  });

  test('a refusal comes back to the form with a reason in the UI language; sending again uses the same key', async () => {
    await ready(0);
    const key = useReport.getState().draft.key;
    const refuse: Partial<SyncDeps> = { report: () => Promise.reject(new ApiError('unprocessable', 'The point … lies outside every unit grid', 422, '/api/cases', { reason: 'outside_district' })) };
    await submitReport(refuse);
    expect(useReport.getState()).toMatchObject({ phase: 'failed', error: 'of_reason_outside' });
    expect(useReport.getState().draft).toMatchObject({ key, cls });
    expect(await allOutbox()).toEqual([]);
    const server = fakeServer();
    await submitReport(server.deps);
    expect(server.calls).toEqual([`report ${key}`]);
  });

  test('a refusal during a background sync leaves a failed item: retry, edit back into the form, discard', async () => {
    const server = fakeServer();
    server.down = true;
    await ready(0);
    const key = useReport.getState().draft.key;
    await submitReport(server.deps);
    useReport.getState().reset();
    await syncOutbox({ force: true, deps: { report: () => Promise.reject(new ApiError('unknown_class', 'x', 422, '/api/cases')) } });
    expect((await allOutbox())[0]).toMatchObject({ state: 'failed', reason: 'of_reason_class' });
    expect(await editItem(key)).toBe(true);
    expect(useReport.getState().draft).toMatchObject({ key, cls });
    expect(await allOutbox()).toEqual([]);
    await submitReport({ report: () => Promise.reject(new ApiError('forbidden', 'x', 403, '/api/cases')) });
    expect(useReport.getState().error).toBe('of_reason_forbidden');
    await putOutbox({ key: 'k2', user_id: 7, created_at: 1, state: 'failed', attempts: 0, next_at: 0, reason: 'of_reason_refused', kind: 'report', draft: { key: 'k2', cls, point: { lon: 1, lat: 1, by: 'map' }, description: '', photos: [] } });
    server.down = false;
    await retryItem('k2', server.deps);
    expect((await allOutbox()).find((i) => i.key === 'k2')).toMatchObject({ state: 'sent', result: { case_no: 'N1' } });
    await discardItem('k2');
    expect(await allOutbox()).toEqual([]);
  });

  test('5xx and 429 are retried later with backoff; the timer does not send before its time', async () => {
    await ready(0);
    let calls = 0;
    const busy: Partial<SyncDeps> = { report: () => { calls++; return Promise.reject(new ApiError('unavailable', 'x', 503, '/api/cases')); }, now: () => 1_000 };
    await submitReport(busy);
    expect((await allOutbox())[0]).toMatchObject({ state: 'queued', attempts: 1, next_at: 1_000 + backoffMs(1) });
    await syncOutbox({ deps: busy }); // not due yet
    expect(calls).toBe(1);
    await syncOutbox({ deps: { ...busy, now: () => 1_000 + backoffMs(1) } });
    expect(calls).toBe(2);
    expect(backoffMs(1)).toBe(2_000);
    expect(backoffMs(10)).toBe(30_000);
  });

  test("another user's items stay on the phone unsent", async () => {
    const server = fakeServer();
    await putOutbox({ key: 'other', user_id: 8, created_at: 1, state: 'queued', attempts: 0, next_at: 0, kind: 'report', draft: { key: 'other', cls, point: { lon: 1, lat: 1, by: 'map' }, description: '', photos: [] } });
    await syncOutbox({ force: true, deps: server.deps });
    expect(server.calls).toEqual([]);
    expect(await refreshOutbox()).toEqual([]);
    await discardItem('other');
    expect(await allOutbox()).toEqual([]);
  });
});

describe('verify and check done offline', () => {
  const kase = { id: 'c9', case_no: 'N9', version: 4 };
  const summary = { id: 'c9', case_no: 'N9', status: 'pending_acceptance', version: 5 } as unknown as CaseSummary;
  const detailWith = (trail: { action: string; actor: string; at: string }[]) => ({ id: 'c9', case_no: 'N9', status: 'pending_acceptance', version: 5, trail }) as unknown as CaseDetail;

  test('queued at the version read, sent when the network returns', async () => {
    await enqueueAction(kase, 'verify', { found: true }, 'a1', Date.now());
    const seen: unknown[] = [];
    await syncOutbox({ force: true, deps: { act: () => offline() } });
    expect((await allOutbox())[0]).toMatchObject({ state: 'queued', attempts: 1 });
    await syncOutbox({ force: true, deps: { act: async (...args) => { seen.push(args); return summary; } } });
    expect(seen).toEqual([['c9', 'verify', 4, { found: true }]]);
    expect((await allOutbox())[0]).toMatchObject({ state: 'sent', result: { case_no: 'N9' } });
  });

  test('a failed check with a photo taken offline: the photo goes up first (once, even if the action fails), then the check with its id', async () => {
    const bytes = await png(9).arrayBuffer();
    await enqueueAction(kase, 'check', { passed: false, photo_ids: ['p1'] }, 'a5', Date.now(), [{ id: 'local-1', type: 'image/png', bytes }]);
    const server = fakeServer();
    const seen: unknown[] = [];
    // the photo goes up, then the action finds no network: queued, the photo's server id kept
    await syncOutbox({ force: true, deps: { upload: server.deps.upload, act: () => offline() } });
    expect(server.calls).toEqual(['upload p9']);
    expect((await allOutbox())[0]).toMatchObject({ state: 'queued', photos: [{ id: 'local-1', server_id: 'p9' }] });
    await syncOutbox({ force: true, deps: { upload: server.deps.upload, act: async (...args) => { seen.push(args); return summary; } } });
    expect(server.calls).toEqual(['upload p9']); // not uploaded twice
    expect(seen).toEqual([['c9', 'check', 4, { passed: false, photo_ids: ['p1', 'p9'] }]]);
    expect((await allOutbox())[0]).toMatchObject({ state: 'sent' });
  });

  test('performAction with a photo taken offline and still no network: the check waits in the outbox with the photo', async () => {
    useCaseDetail.setState({ id: 'c9', detail: { id: 'c9', case_no: 'N9', version: 4, status: 'checking', trail: [] } as unknown as CaseDetail, acting: null });
    const bytes = await png(5).arrayBuffer();
    const ok = await performAction('check', { passed: false }, { fetch: () => offline(), post: () => offline(), upload: () => offline() },
      [{ id: 'local-2', type: 'image/png', bytes }]);
    expect(ok).toBe(true);
    const [item] = await allOutbox();
    expect(item).toMatchObject({ kind: 'action', action: 'check', version: 4, fields: { passed: false }, photos: [{ id: 'local-2', type: 'image/png' }] });
    expect(new Uint8Array((item as { photos: { bytes: ArrayBuffer }[] }).photos[0].bytes)[4]).toBe(5);
  });

  test('a replay after a lost answer (409: the version moved on) is settled by the trail: my entry there means sent', async () => {
    const t0 = Date.now();
    await enqueueAction(kase, 'check', { passed: true }, 'a2', t0);
    let acts = 0;
    await syncOutbox({
      force: true, deps: {
        act: () => { acts++; return Promise.reject(new ApiError('stale_version', 'stale', 409, '/api/cases/c9/actions')); },
        read: async () => detailWith([{ action: 'check', actor: '7', at: new Date(t0 + 1000).toISOString() }]),
      },
    });
    expect(acts).toBe(1);
    expect((await allOutbox())[0]).toMatchObject({ state: 'sent', result: { id: 'c9' } });
  });

  test("409 with someone else's entry (the case changed meanwhile): failed, with a reason", async () => {
    await enqueueAction(kase, 'verify', { found: false }, 'a3', Date.now());
    await syncOutbox({
      force: true, deps: {
        act: () => Promise.reject(new ApiError('stale_version', 'stale', 409, '/api/cases/c9/actions')),
        read: async () => detailWith([{ action: 'verify', actor: '99', at: new Date().toISOString() }]),
      },
    });
    expect((await allOutbox())[0]).toMatchObject({ state: 'failed', reason: 'of_reason_changed' });
  });

  test('reasons: every refusal maps to a dictionary key', () => {
    expect(reasonOf(new ApiError('unprocessable', 'x', 422, '/api/cases', { reason: 'outside_district' }))).toBe('of_reason_outside');
    expect(reasonOf(new ApiError('payload_too_large', 'x', 413, '/api/photos'))).toBe('of_reason_photo');
    expect(reasonOf(new ApiError('not_found', 'x', 404, '/api/cases/x/actions'))).toBe('of_reason_gone');
    expect(reasonOf(new ApiError('unprocessable', 'x', 422, '/api/cases'))).toBe('of_reason_refused');
    expect(reasonOf(new Error('x'))).toBe('of_reason_unknown');
  });
});
