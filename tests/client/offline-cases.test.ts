// The inspector's cases offline (issue 9), on fake-indexeddb: the listed cases and their details with photo bytes
// are kept per user when loaded online; with no network the copy is shown (as of when), a case opens from it with its
// photos as object URLs and a check result is queued at the version read; another user never sees it, logout drops
// it, and it is bounded. A tap on a nearby component's marker chooses it as the list does.
import 'fake-indexeddb/auto';
import { resolveObjectURL } from 'node:buffer';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, test } from 'vitest';
import { ApiError } from '../../client/src/api/http.js';
import type { CaseDetail, CaseList, CaseSummary } from '../../client/src/api/types.js';
import type { NearComponent } from '../../client/src/api/field.js';
import { allOutbox, caseDetailsOf, closeFieldDb, getCaseList } from '../../client/src/state/field-db.js';
import {
  caseFromCopy, copyTime, keepCaseDetail, listedCases, loadFieldCases, MAX_DETAILS, MAX_PHOTO_BYTES, prefetchDetails, saveListCopy, useFieldCopy,
  type CopyDeps,
} from '../../client/src/state/offline-cases.js';
import { openCase, performAction, useCaseDetail } from '../../client/src/state/case-detail-store.js';
import { useOutbox } from '../../client/src/state/outbox.js';
import { selectAllCases, useCases } from '../../client/src/state/cases-store.js';
import { useSession } from '../../client/src/state/session-store.js';
import { useReport } from '../../client/src/state/report-store.js';
import { useReference } from '../../client/src/state/reference-store.js';
import { tapNearby } from '../../client/src/screens/inspector/FieldPlace.js';
import { FIELD_LAYER, nearbyLayers } from '../../client/src/map/layers/nearby.js';

const INSPECTOR = { id: 7, username: 'inspector1', roles: ['inspector' as const], department_id: null };
const OTHER = { id: 8, username: 'inspector2', roles: ['inspector' as const], department_id: null };
const noNetwork = (url: string) => Promise.reject(new ApiError('network', 'Failed to fetch', 0, url));

function summary(id: string, status: string, reporter: number | null, version = 3): CaseSummary {
  return { id, case_no: `N-${id}`, status, version, reporter_id: reporter, lon: 116.4, lat: 39.9, created_at: '2026-12-04T08:00:00Z' } as unknown as CaseSummary;
}

/** A fake server: the list, details with one photo each (bytes named by the case), and a switch for the network. */
function fakeServer(items: CaseSummary[]) {
  let down = false;
  const reads: string[] = [];
  const photoGets: string[] = [];
  const detail = (id: string): CaseDetail => {
    const c = items.find((x) => x.id === id)!;
    return {
      ...c, available_actions: c.status === 'checking' ? ['check'] : [],
      trail: [{ seq: 1, action: 'report', actor: '7', role: 'inspector', at: '2026-12-04T08:00:00Z', photo_ids: [`ph-${id}`] }],
      photos: [{ id: `ph-${id}`, mime: 'image/png', width: 4, height: 4, url: `/api/photos/ph-${id}?u=7&exp=1&sig=x` }],
    } as unknown as CaseDetail;
  };
  const deps: Partial<CopyDeps> = {
    list: async (): Promise<CaseList> => (down ? noNetwork('/api/cases') : { items, total: items.length } as CaseList),
    read: async (id) => { if (down) return noNetwork(`/api/cases/${id}`); reads.push(id); return detail(id); },
    photo: async (url) => {
      if (down) return noNetwork(url);
      photoGets.push(url);
      return { type: 'image/png', bytes: new TextEncoder().encode(url.split('?')[0]).buffer as ArrayBuffer };
    },
    now: () => Date.parse('2026-12-04T01:42:00Z'), // 09:42 in the district (Asia/Shanghai)
  };
  return { deps, detail, reads, photoGets, set down(v: boolean) { down = v; } };
}

const CASES = [summary('t1', 'checking', 99), summary('m1', 'dispatched', 7), summary('x1', 'dispatched', 99), summary('t2', 'verifying', 7)];
const pick = (uid: number) => (all: CaseSummary[]) => listedCases(all, uid);

async function settle() { for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5)); }

beforeEach(() => {
  (globalThis as { indexedDB?: IDBFactory }).indexedDB = new IDBFactory(); // a fresh phone
  closeFieldDb();
  for (const store of [useCases, useCaseDetail, useOutbox, useFieldCopy, useReport]) {
    (store as { setState: (s: unknown, replace: true) => void; getInitialState: () => unknown }).setState(store.getInitialState(), true);
  }
  useSession.setState({ token: 't7', user: INSPECTOR });
});

describe('the offline copy of the inspector\'s cases', () => {
  test('online: the listed cases (tasks, then own reports) and their details with photo bytes are kept', async () => {
    const server = fakeServer(CASES);
    expect(await loadFieldCases(7, pick(7), server.deps)).toBe('live');
    await settle(); // the details are read in the background
    const list = await getCaseList(7);
    expect(list?.items.map((c) => c.id).sort()).toEqual(['m1', 't1', 't2']); // x1: neither a task nor the inspector's
    expect(useFieldCopy.getState().list_at).toBeNull();
    expect((await caseDetailsOf(7)).map((d) => [d.case_id, d.photo_ids]).sort()).toEqual([['m1', ['ph-m1']], ['t1', ['ph-t1']], ['t2', ['ph-t2']]]);
    // loaded again with nothing changed: nothing read again
    const reads = server.reads.length;
    await loadFieldCases(7, pick(7), server.deps);
    await settle();
    expect(server.reads.length).toBe(reads);
  });

  test('with no network (a relaunch): the copy is listed as of its time, and a listed case opens with its photos', async () => {
    const server = fakeServer(CASES);
    await loadFieldCases(7, pick(7), server.deps);
    await settle();
    useCases.setState(useCases.getInitialState(), true); // the relaunch: memory gone
    server.down = true;
    expect(await loadFieldCases(7, pick(7), server.deps)).toBe('copy');
    expect(selectAllCases(useCases.getState()).map((c) => c.id).sort()).toEqual(['m1', 't1', 't2']);
    expect(copyTime(useFieldCopy.getState().list_at!)).toBe('09:42');

    await openCase('t1', { fetch: (id) => noNetwork(`/api/cases/${id}`), post: () => noNetwork('/api/cases/t1/actions') });
    const s = useCaseDetail.getState();
    expect(s.status).toBe('ready');
    expect(s.copy_at).not.toBeNull();
    expect(s.detail?.case_no).toBe('N-t1');
    const url = s.detail!.photos[0].url;
    expect(url).toMatch(/^blob:/);
    const bytes = await resolveObjectURL(url)!.arrayBuffer();
    expect(new TextDecoder().decode(bytes)).toBe('/api/photos/ph-t1');

    // a check result from the copy: queued at the version read; opened again, it shows as waiting (no second one)
    expect(await performAction('check', { passed: true }, { fetch: (id) => noNetwork(id), post: () => noNetwork('/api/cases/t1/actions') })).toBe(true);
    const [item] = await allOutbox();
    expect(item).toMatchObject({ kind: 'action', case_id: 't1', action: 'check', version: 3, user_id: 7, state: 'queued' });
    useCaseDetail.getState().close();
    await openCase('t1', { fetch: (id) => noNetwork(id), post: () => noNetwork('x') });
    expect(useCaseDetail.getState().message).toMatchObject({ key: 'queued', action: 'check' });

    // a case not kept: not a raw network error but "not kept on this phone"
    await openCase('x1', { fetch: (id) => noNetwork(id), post: () => noNetwork('x') });
    expect(useCaseDetail.getState()).toMatchObject({ status: 'error', not_kept: true, error: '' });
  });

  test('per user: another user reads nothing of it, saving theirs drops it, signing in or out drops it', async () => {
    const server = fakeServer(CASES);
    await loadFieldCases(7, pick(7), server.deps);
    await settle();
    useSession.setState({ token: 't8', user: OTHER });
    useCases.setState(useCases.getInitialState(), true);
    server.down = true;
    expect(await loadFieldCases(8, pick(8), server.deps)).toBe('failed');
    expect(selectAllCases(useCases.getState())).toEqual([]);
    expect(await caseFromCopy(8, 't1')).toBeNull();
    await openCase('t1', { fetch: (id) => noNetwork(id), post: () => noNetwork('x') });
    expect(useCaseDetail.getState().detail).toBeNull();

    await saveListCopy(8, [summary('y1', 'checking', 8)]);
    expect(await getCaseList(7)).toBeNull();
    expect(await caseDetailsOf(7)).toEqual([]);

    // signing in as someone else drops the copy; logging out drops all
    await saveListCopy(8, [summary('y1', 'checking', 8)]);
    await useSession.getState().login('inspector1', 'demo', async () => ({ token: 't7', user: INSPECTOR }) as never);
    expect(await getCaseList(8)).toBeNull();
    await saveListCopy(7, CASES);
    await keepCaseDetail(7, server.detail('t1'), { photo: async () => null });
    await useSession.getState().logout(async () => {});
    expect(await getCaseList(7)).toBeNull();
    expect(await caseDetailsOf(7)).toEqual([]);
  });

  test('bounded: at most MAX_DETAILS details (unlisted and oldest go first) and no photo over the size limit', async () => {
    const many = Array.from({ length: MAX_DETAILS + 5 }, (_, i) => summary(`c${i}`, 'checking', 7));
    const server = fakeServer(many);
    await saveListCopy(7, many);
    let clock = 0;
    const deps = { ...server.deps, now: () => ++clock };
    expect(await prefetchDetails(7, many, deps)).toBe(MAX_DETAILS);
    for (const c of many.slice(MAX_DETAILS)) await keepCaseDetail(7, server.detail(c.id), deps);
    const kept = (await caseDetailsOf(7)).map((d) => d.case_id);
    expect(kept).toHaveLength(MAX_DETAILS);
    expect(kept).not.toContain('c0'); // the least recently saved went
    expect(kept).toContain(`c${MAX_DETAILS + 4}`);

    await keepCaseDetail(7, server.detail('c10'), { photo: async () => ({ type: 'image/png', bytes: new ArrayBuffer(MAX_PHOTO_BYTES + 1) }) });
    expect((await caseDetailsOf(7)).find((d) => d.case_id === 'c10')?.photo_ids).toEqual(['ph-c10']); // the bytes kept before are reused
    await keepCaseDetail(7, server.detail('c0'), { photo: async () => ({ type: 'image/png', bytes: new ArrayBuffer(MAX_PHOTO_BYTES + 1) }) });
    expect((await caseDetailsOf(7)).find((d) => d.case_id === 'c0')?.photo_ids).toEqual([]); // too big: not kept
  });
});

describe('a tap on a nearby component\'s marker', () => {
  const near = { id: 'C-0101', class_code: '0101', class_name_zh: '上水井盖', class_name_en: 'Water manhole cover', distance_m: 6, lon: 116.4, lat: 39.9 } as unknown as NearComponent;

  test('chooses it and its class as the list does; tapped again it is unchosen; the map marks it', () => {
    useReference.setState({ classes: { '0101': { code: '0101', name_zh: '上水井盖', name_en: 'Water manhole cover', matter_kind: 'component_anomaly' } } } as never);
    expect(tapNearby({ layerId: 'cases-points', object: near })).toBe(false);
    expect(tapNearby({ layerId: FIELD_LAYER.nearby, object: near })).toBe(true);
    expect(useReport.getState().draft.component).toMatchObject({ id: 'C-0101', class_code: '0101' });
    expect(useReport.getState().draft.cls).toMatchObject({ code: '0101', matter_kind: 'component_anomaly' });
    const layers = nearbyLayers([near, { id: 'C-2', lon: 116.41, lat: 39.9 }], 'C-0101');
    expect(layers.map((l) => l.id)).toEqual([`${FIELD_LAYER.nearby}-ring`, FIELD_LAYER.nearby]);
    expect(layers[1].props.pickable).toBe(true);
    expect((layers[0].props.data as { id: string }[]).map((c) => c.id)).toEqual(['C-0101']);
    expect((layers[1].props.data as { id: string }[]).map((c) => c.id)).toEqual(['C-2', 'C-0101']); // the chosen on top
    expect(tapNearby({ layerId: FIELD_LAYER.nearby, object: near })).toBe(true);
    expect(useReport.getState().draft.component).toBeNull();
  });
});
