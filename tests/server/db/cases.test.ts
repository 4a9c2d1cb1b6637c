// The case engine on real engines: intake, every step of the normal loop, idempotency, versions, the trail.
import { describe, expect, test } from 'vitest';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { caseDeps, demoUsers, newPhotos, newUser, pointInGrid, someDepartment } from '../../helpers/cases.js';
import { actOnCase, mergeCase, readCase, reportCase, verifyAllTrails } from '../../../server/services/cases.js';
import { isCitus } from '../../../server/db/distribute.js';


describe.each(testBackends())('cases on %s', (backend) => {
  test('an inspector report walks the normal loop to closed, with a verifiable trail', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const p = await pointInGrid(db);
    const dept = await someDepartment(db);
    const crew = await newUser(db, ['department'], dept);
    const r = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, description: '路边垃圾堆放', photo_ids: await newPhotos(db) }, null);
    expect(r.case).toMatchObject({ status: 'pending_acceptance', grid_code: p.code, version: 1, source: 'inspector', step: 'accept', light: 'green' });
    expect(r.case.case_no).toMatch(/^11010120261123\d{6}$/);
    expect(r.case.suggested_department_id).toBe(dept);
    expect(r.case.address).toBeTruthy();
    let c = r.case;
    const act = async (user: typeof inspector, action: string, extra: Record<string, unknown> = {}) => {
      deps.clock.advance(5);
      c = await actOnCase(deps, user, c.id, { action, version: c.version, ...extra });
      return c;
    };
    expect((await act(operator, 'accept')).status).toBe('pending_filing');
    expect((await act(shiftLead, 'file')).status).toBe('pending_dispatch');
    const d = await act(dispatcher, 'dispatch');
    expect(d).toMatchObject({ status: 'handling', department_id: dept, suggestion_taken: true, step: 'handling' });
    // 06010 main road: 4 working hours from Monday 10:15 Beijing → 16:15 (lunch 12–14 excluded)
    expect(new Date(d.step_deadline_at!).toISOString()).toBe('2026-11-23T08:15:00.000Z');
    expect((await act(crew, 'feedback', { note: '已清理', photo_ids: await newPhotos(db) })).status).toBe('pending_check');
    expect((await act(operator, 'send_check')).status).toBe('checking');
    expect((await act(inspector, 'check', { passed: true })).status).toBe('pending_closing');
    const closed = await act(shiftLead, 'close');
    expect(closed).toMatchObject({ status: 'closed', step: null, light: null });
    const full = await readCase(deps, operator, c.id);
    expect(full.trail.map((e) => e.action)).toEqual(['report', 'accept', 'file', 'dispatch', 'feedback', 'send_check', 'check', 'close']);
    expect(full.trail[0].prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < full.trail.length; i++) expect(full.trail[i].prev_hash).toBe(full.trail[i - 1].hash);
    expect(await verifyAllTrails(db)).toMatchObject({ broken: [] });
  }));

  test('a failed check sends the case back to the same department as rework', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const p = await pointInGrid(db);
    const other = Number((await db.query<{ id: number }>('select id from departments order by id desc limit 1')).rows[0].id);
    let c = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    const step = async (user: typeof inspector, action: string, extra: Record<string, unknown> = {}) => (c = await actOnCase(deps, user, c.id, { action, version: c.version, ...extra }));
    await step(operator, 'accept');
    await step(shiftLead, 'file');
    await step(dispatcher, 'dispatch', { department_id: other });
    expect(c.suggestion_taken).toBe(false);
    await step(await newUser(db, ['department'], other), 'feedback', { photo_ids: await newPhotos(db) });
    await step(operator, 'send_check');
    await step(inspector, 'check', { passed: false, photo_ids: await newPhotos(db) });
    expect(c).toMatchObject({ status: 'pending_dispatch', rework_count: 1 });
    await step(dispatcher, 'dispatch');
    expect(c.department_id).toBe(other);
  }));

  test('a stale version is refused with stale_version and the case is unchanged', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const p = await pointInGrid(db);
    const c = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    await actOnCase(deps, operator, c.id, { action: 'accept', version: 1 });
    await expect(actOnCase(deps, operator, c.id, { action: 'reject', version: 1 })).rejects.toMatchObject({ code: 'stale_version' });
    expect((await readCase(deps, operator, c.id)).status).toBe('pending_filing');
  }));

  test('the wrong role and the wrong state are refused with their own codes', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const p = await pointInGrid(db);
    const c = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    await expect(actOnCase(deps, dispatcher, c.id, { action: 'accept', version: 1 })).rejects.toMatchObject({ code: 'role_not_allowed' });
    await expect(actOnCase(deps, dispatcher, c.id, { action: 'dispatch', version: 1 })).rejects.toMatchObject({ code: 'not_allowed_in_state' });
    const trail = (await readCase(deps, operator, c.id)).trail;
    expect(trail).toHaveLength(1);
  }));

  test('the same Idempotency-Key returns the same case; a different body with it is refused', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const p = await pointInGrid(db);
    const body = { kind: 'event' as const, class_code: '06010', lon: p.lon, lat: p.lat, description: 'x' };
    const a = await reportCase(deps, inspector, body, 'k-1');
    const b = await reportCase(deps, inspector, body, 'k-1');
    expect(b.case.id).toBe(a.case.id);
    expect(b.replay).toBe(true);
    await expect(reportCase(deps, inspector, { ...body, description: 'y' }, 'k-1')).rejects.toMatchObject({ code: 'unprocessable' });
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from cases where description in ('x', 'y')`);
    expect(rows[0].n).toBe(1);
  }));

  test('photo ids that were never uploaded are refused', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector } = await demoUsers(db);
    const p = await pointInGrid(db);
    await expect(reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, photo_ids: ['f'.repeat(64)] }, null))
      .rejects.toMatchObject({ code: 'unprocessable' });
  }));

  test('a point outside the district, an unknown class and a kind that does not fit the class are refused', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const p = await pointInGrid(db);
    await expect(reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: 0, lat: 0 }, null)).rejects.toMatchObject({ code: 'unprocessable', message: expect.stringMatching(/outside every unit grid/) });
    await expect(reportCase(deps, inspector, { kind: 'event', class_code: '06999', lon: p.lon, lat: p.lat }, null)).rejects.toMatchObject({ code: 'unknown_class' });
    await expect(reportCase(deps, inspector, { kind: 'component_anomaly', class_code: '06010', lon: p.lon, lat: p.lat }, null)).rejects.toMatchObject({ code: 'unprocessable' });
  }));

  test('a second report of the same class nearby lists the first as a possible duplicate', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const p = await pointInGrid(db);
    const a = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null);
    const b = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon + 0.0001, lat: p.lat }, null);
    expect(b.possible_duplicates.map((d) => d.id)).toContain(a.case.id);
  }));

  test('possible duplicates list only cases the caller may see: none for the anonymous public, all for the operator', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator } = await demoUsers(db);
    const p = await pointInGrid(db);
    const a = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null);
    const anon = await reportCase(deps, null, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, source: 'public' }, null);
    expect(anon.possible_duplicates).toEqual([]);
    const op = await reportCase(deps, operator, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat, source: 'hotline' }, null);
    expect(op.possible_duplicates.map((d) => d.id)).toEqual(expect.arrayContaining([a.case.id, anon.case.id]));
    const again = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null);
    expect(again.possible_duplicates.map((d) => d.id)).toContain(a.case.id); // its own report
  }));

  test('merging a duplicate voids it and both trails name the other; the chains still verify', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, dispatcher } = await demoUsers(db);
    const p = await pointInGrid(db);
    const first = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    const dup = await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null);
    expect(dup.possible_duplicates.map((d) => d.id)).toContain(first.id);
    await expect(mergeCase(deps, dispatcher, dup.case.id, { into: first.id, version: 1 })).rejects.toMatchObject({ code: 'role_not_allowed' });
    const merged = await mergeCase(deps, operator, dup.case.id, { into: first.id, version: 1 });
    expect(merged).toMatchObject({ status: 'void', merged_into: first.id });
    const a = await readCase(deps, operator, first.id);
    const b = await readCase(deps, operator, dup.case.id);
    expect(a.status).toBe('pending_acceptance');
    expect(a.trail.map((e) => e.action)).toEqual(['report', 'merged_from']);
    expect(b.trail.map((e) => e.action)).toEqual(['report', 'merge']);
    expect(b.trail[1].data).toMatchObject({ merged_into: first.id });
    await expect(mergeCase(deps, operator, dup.case.id, { into: first.id, version: merged.version })).rejects.toMatchObject({ code: 'not_allowed_in_state' });
    expect((await verifyAllTrails(db)).broken).toEqual([]);
  }));

  test('the trail is append-only in the database and a tampered entry is found by the verifier', () => withTestDb(backend, async (db) => {
    const deps = caseDeps(db);
    const { inspector, operator, shiftLead, dispatcher } = await demoUsers(db);
    const p = await pointInGrid(db);
    const c = (await reportCase(deps, inspector, { kind: 'event', class_code: '06010', lon: p.lon, lat: p.lat }, null)).case;
    await actOnCase(deps, operator, c.id, { action: 'accept', version: 1 });
    await expect(db.transaction((tx) => tx.query(`update case_trail set note = 'changed' where case_id = $1`, [c.id]))).rejects.toThrow(/append-only/);
    // a superuser can switch triggers off (no DDL, so no table lock for other tests to trip on): the chain still tells
    await db.transaction(async (tx) => {
      // on Citus the row is on a worker: its trigger fires there, so the setting must travel with the transaction
      if (await isCitus(tx)) await tx.exec("set local citus.propagate_set_commands = 'local'");
      await tx.exec('set local session_replication_role = replica');
      await tx.query(`update case_trail set note = 'changed' where case_id = $1 and seq = 2`, [c.id]);
      await tx.exec('set local session_replication_role = origin');
    });
    const r = await verifyAllTrails(db);
    expect(r.broken).toEqual([expect.objectContaining({ id: c.id, broken_at: 1 })]);
  }));
});
