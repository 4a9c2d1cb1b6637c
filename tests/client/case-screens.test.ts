// The case screens' pure pieces and stores: actions with stale versions, the report's Idempotency-Key and retries,
// routing by role, the case layers, names and class search.
import { beforeEach, describe, expect, test } from 'vitest';
import { ApiError } from '../../client/src/api/http.js';
import type { CaseDetail, CaseSummary, MatterClass, ReportResult, SessionUser } from '../../client/src/api/types.js';
import { openCase, performAction, refreshIfNewer, useCaseDetail, type DetailDeps } from '../../client/src/state/case-detail-store.js';
import { useCases } from '../../client/src/state/cases-store.js';
import { draftProblems, newIdempotencyKey, pickPoint, retryable, submitReport, useReport } from '../../client/src/state/report-store.js';
import { homeOf, screenFor, screensOf } from '../../client/src/state/route-store.js';
import { departmentName, localName, searchClasses, useReference } from '../../client/src/state/reference-store.js';
import { CASE_LAYER, caseLayers, groupCases, reportPointLayers } from '../../client/src/map/layers/cases.js';
import { formFieldsOf, toneOf } from '../../client/src/components/case/action-forms.js';
import { formatFull, formatShort } from '../../client/src/i18n/format.js';
import { actionKey, caseStatusKey, DICTIONARY } from '../../client/src/i18n/index.js';
import { CASE_ACTIONS, CASE_STATUSES } from '../../server/domain/workflow.js';

const detail = (p: Partial<CaseDetail> = {}): CaseDetail => ({
  id: 'c1', case_no: '11010120261123000001', status: 'pending_dispatch', class_code: '06010', lon: 116.4, lat: 39.9, version: 3,
  grid_code: '110101001001001', department_id: null, step: 'dispatch', yellow_at: null, red_at: null, updated_at: '2026-11-23T02:00:00Z',
  light: null, suggested_department_id: 15, available_actions: ['dispatch'], trail: [], photos: [], ...p,
});

beforeEach(() => {
  for (const store of [useCases, useCaseDetail, useReport]) {
    (store as { setState: (s: unknown, replace: true) => void; getInitialState: () => unknown }).setState(store.getInitialState(), true);
  }
});

describe('case actions', () => {
  test('a done action updates the list, reloads the case and says so', async () => {
    let server = detail();
    const posted: unknown[] = [];
    const deps: DetailDeps = {
      fetch: async () => server,
      post: async (id, action, version, fields) => {
        posted.push({ id, action, version, fields });
        server = detail({ version: 4, status: 'handling', department_id: 15, available_actions: ['apply_return'] });
        return server;
      },
    };
    await openCase('c1', deps);
    expect(await performAction('dispatch', {}, deps)).toBe(true);
    expect(posted).toEqual([{ id: 'c1', action: 'dispatch', version: 3, fields: {} }]);
    expect(useCaseDetail.getState().detail).toMatchObject({ status: 'handling', version: 4 });
    expect(useCaseDetail.getState().message).toMatchObject({ key: 'done', action: 'dispatch' });
    expect(useCases.getState().byId.c1).toMatchObject({ status: 'handling', department_id: 15 });
  });

  test('409 (someone changed the case first): the case is reloaded and the user told', async () => {
    let server = detail();
    const deps: DetailDeps = {
      fetch: async () => server,
      post: async () => {
        server = detail({ version: 4, status: 'handling', department_id: 9, available_actions: [] });
        throw new ApiError('stale_version', 'The case is at version 4, not 3: reload it and try again', 409, '/api/cases/c1/actions');
      },
    };
    await openCase('c1', deps);
    expect(await performAction('dispatch', {}, deps)).toBe(false);
    expect(useCaseDetail.getState().detail).toMatchObject({ version: 4, status: 'handling' });
    expect(useCaseDetail.getState().message).toMatchObject({ level: 'warning', key: 'stale' });
    expect(useCaseDetail.getState().acting).toBeNull();
  });

  test('403 / 422 keep the server message and leave the case as it was', async () => {
    const deps: DetailDeps = {
      fetch: async () => detail(),
      post: async () => { throw new ApiError('unprocessable', 'Cannot apply_return: reason is required', 422, '/x'); },
    };
    await openCase('c1', deps);
    await performAction('dispatch', {}, deps);
    expect(useCaseDetail.getState().message).toMatchObject({ level: 'error', key: 'failed', text: 'Cannot apply_return: reason is required' });
    expect(useCaseDetail.getState().detail?.version).toBe(3);
  });

  test('a dispatch refused because the department was deactivated says so in the UI\'s words and reloads the department list', async () => {
    let reloads = 0;
    useReference.setState({ load: async () => { reloads++; } });
    const deps: DetailDeps = {
      fetch: async () => detail(),
      post: async () => { throw new ApiError('unprocessable', 'The department "x" is deactivated: dispatch to an active department', 422, '/x', { department_id: 'inactive department' }); },
    };
    await openCase('c1', deps);
    expect(await performAction('dispatch', {}, deps)).toBe(false);
    expect(useCaseDetail.getState().message).toMatchObject({ level: 'error', key: 'failed', text_key: 'dispatch_inactive_department' });
    expect(DICTIONARY.dispatch_inactive_department.zh).toMatch(/停用/);
    expect(reloads).toBe(1);
  });

  test('live news of a newer version re-reads the open case; older news does not', async () => {
    let reads = 0;
    const deps: DetailDeps = { fetch: async () => { reads++; return detail({ version: 3 + reads - 1 }); }, post: async () => detail() };
    await openCase('c1', deps);
    expect(refreshIfNewer({ id: 'c1', version: 3 }, deps)).toBeNull();
    expect(refreshIfNewer({ id: 'other', version: 9 }, deps)).toBeNull();
    await refreshIfNewer({ id: 'c1', version: 4 }, deps);
    expect(reads).toBe(2);
  });

  test('a slow answer for a case no longer open is dropped', async () => {
    let release!: (d: CaseDetail) => void;
    const slow: DetailDeps = { fetch: () => new Promise((r) => { release = r; }), post: async () => detail() };
    const first = openCase('c1', slow);
    await openCase('c2', { fetch: async () => detail({ id: 'c2', case_no: 'B' }), post: async () => detail() });
    release(detail({ id: 'c1' }));
    await first;
    expect(useCaseDetail.getState().detail?.id).toBe('c2');
  });

  test('forms: reasons, hours, closing types and after-photos; single clicks otherwise', () => {
    expect(formFieldsOf('accept')).toEqual([]);
    expect(formFieldsOf('dispatch')).toEqual([]);
    expect(formFieldsOf('verify')).toEqual([]);
    expect(formFieldsOf('check')).toEqual([]);
    expect(formFieldsOf('apply_extension').map((f) => [f.name, f.required])).toEqual([['hours', true], ['reason', false], ['note', false]]);
    expect(formFieldsOf('feedback').map((f) => [f.name, f.required])).toEqual([['photo_ids', true], ['note', false]]);
    expect(formFieldsOf('void').map((f) => f.name)).toEqual(['reason', 'note']);
    expect(formFieldsOf('close').map((f) => f.name)).toEqual(['closing_type', 'note']);
    expect(toneOf('dispatch')).toBe('primary');
    expect(toneOf('void')).toBe('danger');
    expect(toneOf('urge')).toBe('secondary');
  });

  test('every status and action of the workflow has a name in both languages', () => {
    for (const s of CASE_STATUSES) expect(caseStatusKey(s), s).not.toBeNull();
    for (const a of CASE_ACTIONS) expect(actionKey(a), a).not.toBeNull();
    expect(DICTIONARY.act_verify.zh).toBe('核实');
    expect(DICTIONARY.act_check.zh).toBe('核查');
  });
});

describe('the report', () => {
  const result = { id: 'c1', case_no: 'N1', status: 'pending_acceptance', version: 1, possible_duplicates: [] } as unknown as ReportResult;

  test('nothing is sent until a class and a point are chosen', async () => {
    expect(draftProblems(useReport.getState().draft)).toEqual(['need_class', 'need_point']);
    let calls = 0;
    expect(await submitReport({ report: async () => { calls++; return result; } })).toBeNull();
    expect(calls).toBe(0);
    expect(useReport.getState().phase).toBe('editing');
  });
  // Sending through the outbox (same key on every retry, photos first, refusals with a reason): tests/client/outbox.test.ts.

  test('retryable: network, 5xx, 429 and "same key still being processed"; not 4xx refusals', () => {
    expect(retryable(new ApiError('network', '', 0, ''))).toBe(true);
    expect(retryable(new ApiError('internal', '', 503, ''))).toBe(true);
    expect(retryable(new ApiError('conflict', '', 409, ''))).toBe(true);
    expect(retryable(new ApiError('unprocessable', '', 422, ''))).toBe(false);
    expect(retryable(new ApiError('forbidden', '', 403, ''))).toBe(false);
    expect(retryable(new Error('x'))).toBe(false);
  });

  test('keys are UUIDs', () => {
    expect(newIdempotencyKey()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('a chosen point learns its unit grid; a later point wins over a slow answer', async () => {
    let release!: (g: { code: string } | null) => void;
    const first = pickPoint({ lon: 1, lat: 1, by: 'map' }, () => new Promise((r) => { release = r; }));
    await pickPoint({ lon: 2, lat: 2, by: 'gps' }, async () => ({ code: '110101001001002' }));
    release({ code: '110101001001001' });
    await first;
    expect(useReport.getState().draft.point).toMatchObject({ lon: 2, grid: '110101001001002' });
  });
});

describe('screens by role', () => {
  const u = (...roles: SessionUser['roles']): SessionUser => ({ id: 1, username: 'u', roles, department_id: null });

  test('leaders get their screen, the command centre the wall map, inspectors the report screen, crews their tasks', () => {
    for (const r of ['dispatcher', 'operator', 'shift_leader'] as const) expect(homeOf(u(r))).toBe('wall');
    expect(homeOf(u('leader'))).toBe('leader');
    expect(screensOf(u('leader'))).toEqual(['leader', 'wall', 'search', 'supervision', 'report', 'district']);
    expect(screenFor('/supervision', u('department'))).toBe('crew'); // 电子监察: the centre's posts, leaders and admin only
    expect(homeOf(u('inspector'))).toBe('inspector');
    expect(homeOf(u('department'))).toBe('crew');
    expect(homeOf(null)).toBe('district');
  });

  test('paths: / is home, screens of other roles send home, signed out they ask to sign in', () => {
    expect(screenFor('/', null)).toBe('district');
    expect(screenFor('/', u('dispatcher'))).toBe('wall');
    expect(screenFor('/crew', u('dispatcher'))).toBe('wall');
    expect(screenFor('/wall', null)).toBe('login');
    expect(screenFor('/login', u('inspector'))).toBe('inspector');
    expect(screenFor('/map', u('inspector'))).toBe('district');
    expect(screenFor('/nowhere/', u('department'))).toBe('crew');
    expect(screensOf(u('inspector'))).toEqual(['inspector', 'search', 'district']);
  });
});

describe('case layers', () => {
  const c = (id: string, p: Partial<CaseSummary> = {}): CaseSummary => ({
    id, case_no: id, status: 'handling', class_code: '06010', lon: 116.4, lat: 39.9, version: 1, grid_code: 'g', department_id: null,
    step: 'handling', yellow_at: null, red_at: null, updated_at: '', light: 'green', ...p,
  });

  test('groups: red pulse, new flash, urged ring, points, selection; empty groups give no layer', () => {
    const cases = [c('a', { light: 'red' }), c('b', { urged: true }), c('n')];
    const g = groupCases(cases, 'b', { n: 1 });
    expect(caseLayers(g, 0.3).map((l) => l.id)).toEqual([CASE_LAYER.pulse, CASE_LAYER.flash, CASE_LAYER.urged, CASE_LAYER.points, CASE_LAYER.selected]);
    expect(caseLayers(groupCases([c('x')], null, {}), 0).map((l) => l.id)).toEqual([CASE_LAYER.points]);
  });

  test('animation frames change layer props only: the data arrays stay the same objects', () => {
    const g = groupCases([c('a', { light: 'red' })], null, {});
    const [p1, pts1] = caseLayers(g, 0.1);
    const [p2, pts2] = caseLayers(g, 0.6);
    expect(p1.props.data).toBe(p2.props.data);
    expect(pts1.props.data).toBe(pts2.props.data);
    expect((p1.props as unknown as { radiusScale: number }).radiusScale).not.toBe((p2.props as unknown as { radiusScale: number }).radiusScale);
    expect(reportPointLayers([], 0)).toEqual([]);
    expect(reportPointLayers([{ lon: 1, lat: 2 }], 0).map((l) => l.id)).toEqual([`${CASE_LAYER.marker}-pulse`, CASE_LAYER.marker]);
  });
});

describe('names, search and times', () => {
  test('bilingual names are split by language', () => {
    expect(departmentName('water utility 供水企业', 'zh')).toBe('供水企业');
    expect(departmentName('water utility 供水企业', 'en')).toBe('water utility');
    expect(departmentName('owner', 'zh')).toBe('owner');
    expect(localName('派遣员 Dispatcher', 'en')).toBe('Dispatcher');
    expect(localName(null, 'zh')).toBe('');
  });

  test('classes are found by code prefix or by a part of either name', () => {
    const list = [
      { code: '01001', name_zh: '供水井盖异常', name_en: 'water-supply manhole cover — anomaly', major_name_zh: '市政公用设施类' },
      { code: '06010', name_zh: '暴露垃圾', name_en: 'exposed garbage', major_name_zh: '市容环境类' },
    ] as MatterClass[];
    expect(searchClasses(list, '垃圾').map((c) => c.code)).toEqual(['06010']);
    expect(searchClasses(list, '06').map((c) => c.code)).toEqual(['06010']);
    expect(searchClasses(list, 'MANHOLE').map((c) => c.code)).toEqual(['01001']);
    expect(searchClasses(list, '  ')).toHaveLength(2);
  });

  test('times are shown in Beijing time', () => {
    expect(formatShort('2026-11-23T02:05:09Z')).toBe('11-23 10:05');
    expect(formatFull('2026-11-23T16:05:09Z')).toBe('2026-11-24 00:05:09');
    expect(formatShort(null)).toBe('—');
  });
});
