// The admin console's API (issue 10): departments, class defaults, password resets, inspectors' grids, import jobs
// and the audit log, through the real app on both engines; every write audited, non-admins refused.
import { describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../../server/db/types.js';
import { testBackends } from '../../helpers/backends.js';
import { withTestApp } from '../../helpers/app.js';

type Auth = { authorization: string };

async function loginAs(app: FastifyInstance, username: string, password = 'demo'): Promise<Auth> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  return { authorization: `Bearer ${res.json().token}` };
}

async function auditOf(db: Queryable, action: string): Promise<{ username: string; target: string; detail: Record<string, unknown> }[]> {
  const { rows } = await db.query<{ username: string; target: string; detail: Record<string, unknown> }>(
    'select username, target, detail from audit_log where action = $1 order by id', [action]);
  return rows;
}

async function userId(db: Queryable, username: string): Promise<number> {
  const { rows } = await db.query<{ id: string }>('select id from users where username = $1', [username]);
  return Number(rows[0].id);
}

/** A point inside a current unit grid (so an imported row lands in the district). */
async function insidePoint(db: Queryable): Promise<{ lon: number; lat: number }> {
  const { rows } = await db.query<{ lon: number; lat: number }>(
    'select st_x(p) as lon, st_y(p) as lat from (select st_pointonsurface(geom) as p from grids where valid_to is null order by code limit 1) g');
  return rows[0];
}

async function waitForJob(app: FastifyInstance, auth: Auth, id: string) {
  for (let i = 0; i < 600; i++) {
    const res = await app.inject({ url: `/api/admin/imports/${id}`, headers: auth });
    expect(res.statusCode).toBe(200);
    if (res.json().status !== 'running') return res.json();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the import job did not finish');
}

describe.each(testBackends())('admin console API on %s', (backend) => {
  test('non-admins are refused with 403 on every admin route; anonymous with 401', () => withTestApp(backend, async ({ app }) => {
    const dispatcher = await loginAs(app, 'dispatcher1');
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/admin/departments'], ['POST', '/api/departments', { name: 'X' }], ['PATCH', '/api/departments/1', { active: false }],
      ['GET', '/api/admin/class-defaults'], ['PUT', '/api/admin/class-defaults/matter/01010', { department_id: null }],
      ['GET', '/api/admin/responsibility-grids'], ['GET', '/api/admin/responsibility-grids/outlines'],
      ['PUT', '/api/users/1/grids', { codes: [] }], ['POST', '/api/users/1/grids', { codes: [] }],
      ['DELETE', '/api/users/1/grids/110101001001R01'], ['POST', '/api/users/1/password', {}],
      ['GET', '/api/admin/audit'], ['GET', '/api/admin/imports'],
      ['GET', '/api/admin/imports/00000000-0000-4000-8000-000000000000'],
    ];
    for (const [method, url, payload] of routes) {
      const res = await app.inject({ method: method as 'GET', url, headers: dispatcher, payload: payload as object });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBeTypeOf('string');
      const anon = await app.inject({ method: method as 'GET', url, payload: payload as object });
      expect(anon.statusCode, `anonymous ${method} ${url}`).toBe(401);
    }
    const upload = await app.inject({ method: 'POST', url: '/api/admin/imports/components?class_code=01013&id_field=ID', headers: { ...dispatcher, 'content-type': 'text/csv' }, payload: 'ID,lon,lat\n' });
    expect(upload.statusCode).toBe(403);
  }));

  test('a department is created, renamed and deactivated, each audited with before/after; duplicates are 409, bad input 400', () => withTestApp(backend, async ({ app, db }) => {
    const admin = await loginAs(app, 'admin');
    const created = await app.inject({ method: 'POST', url: '/api/departments', headers: admin, payload: { name: '  Parks 园林  ', level: 2 } });
    expect(created.statusCode, created.body).toBe(201);
    const d = created.json();
    expect(d).toMatchObject({ name: 'Parks 园林', level: 2, active: true, parent_id: null, credit_code: null });

    const again = await app.inject({ method: 'POST', url: '/api/departments', headers: admin, payload: { name: 'Parks 园林' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.details).toEqual({ id: d.id });

    for (const bad of [{ name: '' }, { name: 'X', level: 4 }, { name: 'X', credit_code: 'abc' }, { name: 'X', colour: 'red' }, { name: 'X', parent_id: 99999999 }]) {
      const res = await app.inject({ method: 'POST', url: '/api/departments', headers: admin, payload: bad });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
    }
    const loop = await app.inject({ method: 'PATCH', url: `/api/departments/${d.id}`, headers: admin, payload: { parent_id: d.id } });
    expect(loop.statusCode).toBe(422);

    const renamed = await app.inject({ method: 'PATCH', url: `/api/departments/${d.id}`, headers: admin, payload: { name: 'Parks and trees 园林绿化' } });
    expect(renamed.statusCode).toBe(200);
    const off = await app.inject({ method: 'PATCH', url: `/api/departments/${d.id}`, headers: admin, payload: { active: false } });
    expect(off.json().active).toBe(false);
    const crewThere = await app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'parkcrew', password: 'a long enough passphrase 42', roles: ['department'], department_id: d.id } });
    expect(crewThere.statusCode).toBe(422); // a deactivated department takes no new users
    const retry = await app.inject({ method: 'PATCH', url: `/api/departments/${d.id}`, headers: admin, payload: { active: false } });
    expect(retry.statusCode).toBe(200);
    expect((await app.inject({ method: 'PATCH', url: '/api/departments/99999999', headers: admin, payload: { active: false } })).statusCode).toBe(404);

    expect(await auditOf(db, 'department.created')).toEqual([expect.objectContaining({ username: 'admin', target: `department:${d.id}` })]);
    expect((await auditOf(db, 'department.updated'))[0].detail).toEqual({ before: { name: 'Parks 园林' }, after: { name: 'Parks and trees 园林绿化' } });
    expect((await auditOf(db, 'department.deactivated')).map((e) => e.detail)).toEqual([{ before: { active: true }, after: { active: false } }]); // the retry recorded nothing

    const list = await app.inject({ url: '/api/admin/departments', headers: admin });
    const row = list.json().items.find((x: { id: number }) => x.id === d.id);
    expect(row).toMatchObject({ active: false, users: 0, open_cases: 0, class_defaults: 0 });

    // a deactivated department cannot become a class default
    const cls = await app.inject({ method: 'PUT', url: '/api/admin/class-defaults/matter/01010', headers: admin, payload: { department_id: d.id } });
    expect([404, 422]).toContain(cls.statusCode);
  }));

  test('a class default is changed and cleared, audited with before/after; unknown classes 404', () => withTestApp(backend, async ({ app, db }) => {
    const admin = await loginAs(app, 'admin');
    const list = await app.inject({ url: '/api/admin/class-defaults?kind=matter', headers: admin });
    expect(list.statusCode).toBe(200);
    const cls = list.json().items[0];
    expect(cls.kind).toBe('matter');
    const other = (await app.inject({ url: '/api/admin/departments', headers: admin })).json().items.find((x: { id: number; active: boolean }) => x.active && x.id !== cls.department_id);
    const set = await app.inject({ method: 'PUT', url: `/api/admin/class-defaults/matter/${cls.class_code}`, headers: admin, payload: { department_id: other.id } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().department_id).toBe(other.id);
    const cleared = await app.inject({ method: 'PUT', url: `/api/admin/class-defaults/matter/${cls.class_code}`, headers: admin, payload: { department_id: null } });
    expect(cleared.json().department_id).toBeNull();
    const entries = await auditOf(db, 'class_default.changed');
    expect(entries.map((e) => e.detail)).toEqual([
      { before: { department_id: cls.department_id }, after: { department_id: other.id } },
      { before: { department_id: other.id }, after: { department_id: null } },
    ]);
    expect((await app.inject({ method: 'PUT', url: '/api/admin/class-defaults/matter/99999', headers: admin, payload: { department_id: null } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'PUT', url: '/api/admin/class-defaults/thing/01010', headers: admin, payload: { department_id: null } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'PUT', url: `/api/admin/class-defaults/matter/${cls.class_code}`, headers: admin, payload: { department_id: 99999999 } })).statusCode).toBe(400);
  }));

  test('a password reset (given or generated) ends every session and the new password logs in; audited without it', () => withTestApp(backend, async ({ app, db }) => {
    const admin = await loginAs(app, 'admin');
    const crew = await loginAs(app, 'crew1');
    const id = await userId(db, 'crew1');
    const gen = await app.inject({ method: 'POST', url: `/api/users/${id}/password`, headers: admin, payload: {} });
    expect(gen.statusCode, gen.body).toBe(200);
    const { password, sessions_ended } = gen.json();
    expect(password).toMatch(/^[a-zA-Z2-9]{4}(-[a-zA-Z2-9]{4}){3}$/);
    expect(sessions_ended).toBeGreaterThanOrEqual(1);
    expect((await app.inject({ url: '/api/auth/me', headers: crew })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'crew1', password: 'demo' } })).statusCode).toBe(401);
    await loginAs(app, 'crew1', password);

    const given = await app.inject({ method: 'POST', url: `/api/users/${id}/password`, headers: admin, payload: { password: 'a long enough passphrase 42' } });
    expect(given.json()).toEqual({ password: null, sessions_ended: 1 });
    await loginAs(app, 'crew1', 'a long enough passphrase 42');
    const weak = await app.inject({ method: 'POST', url: `/api/users/${id}/password`, headers: admin, payload: { password: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/users/99999999/password', headers: admin, payload: {} })).statusCode).toBe(404);

    const entries = await auditOf(db, 'user_password_reset');
    expect(entries.map((e) => e.detail)).toEqual([
      { username: 'crew1', generated: true, sessions_ended },
      { username: 'crew1', generated: false, sessions_ended: 1 },
    ]);
    expect(JSON.stringify(entries)).not.toContain(password);
  }));

  test('user changes are audited with before/after', () => withTestApp(backend, async ({ app, db }) => {
    const admin = await loginAs(app, 'admin');
    const id = await userId(db, 'operator1');
    const res = await app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers: admin, payload: { display_name: 'Op One', roles: ['operator', 'dispatcher'] } });
    expect(res.statusCode).toBe(200);
    const [e] = await auditOf(db, 'user_updated');
    expect(e.detail).toMatchObject({ before: { roles: ['operator'] }, after: { display_name: 'Op One', roles: ['operator', 'dispatcher'] } });
  }));

  test('an inspector\'s grids are set, added to and removed from, moving grids between inspectors; bad codes 400/422', () => withTestApp(backend, async ({ app, db }) => {
    const admin = await loginAs(app, 'admin');
    const i1 = await userId(db, 'inspector1');
    const i2 = await userId(db, 'inspector2');
    const all = (await app.inject({ url: '/api/admin/responsibility-grids', headers: admin })).json().items as { code: string; inspector_id: number | null }[];
    expect(all.length).toBeGreaterThanOrEqual(2);
    const mine = all.filter((g) => g.inspector_id === i1).map((g) => g.code);
    const theirs = all.find((g) => g.inspector_id === i2)?.code ?? all.find((g) => g.inspector_id !== i1)!.code;
    const holder = all.find((g) => g.code === theirs)!.inspector_id;

    const added = await app.inject({ method: 'POST', url: `/api/users/${i1}/grids`, headers: admin, payload: { codes: [theirs] } });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().added).toEqual([theirs]);
    expect(added.json().grids.map((g: { code: string }) => g.code)).toEqual([...mine, theirs].sort());
    expect(added.json().taken_from).toEqual(holder === null ? [] : [{ code: theirs, inspector_id: holder }]);

    const removed = await app.inject({ method: 'DELETE', url: `/api/users/${i1}/grids/${theirs}`, headers: admin });
    expect(removed.json().removed).toEqual([theirs]);
    const set = await app.inject({ method: 'PUT', url: `/api/users/${i1}/grids`, headers: admin, payload: { codes: [] } });
    expect(set.json()).toMatchObject({ grids: [], removed: mine });
    const retry = await app.inject({ method: 'PUT', url: `/api/users/${i1}/grids`, headers: admin, payload: { codes: [] } });
    expect(retry.json()).toMatchObject({ added: [], removed: [] });
    const mineNow = await app.inject({ url: '/api/grids/mine', headers: await loginAs(app, 'inspector1') });
    expect(mineNow.json().features).toEqual([]);

    const entries = await auditOf(db, 'inspector_grids.changed');
    expect(entries).toHaveLength(3);
    expect(entries[2].detail).toMatchObject({ mode: 'set', before: mine, after: [], removed: mine });

    expect((await app.inject({ method: 'PUT', url: `/api/users/${i1}/grids`, headers: admin, payload: { codes: ['nonsense'] } })).statusCode).toBe(400);
    const unknown = await app.inject({ method: 'PUT', url: `/api/users/${i1}/grids`, headers: admin, payload: { codes: ['999999999999R99'] } });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().error.details).toEqual({ codes: ['999999999999R99'] });
    const notInspector = await app.inject({ method: 'POST', url: `/api/users/${await userId(db, 'crew1')}/grids`, headers: admin, payload: { codes: [theirs] } });
    expect(notInspector.statusCode).toBe(422);
    expect((await app.inject({ method: 'POST', url: '/api/users/99999999/grids', headers: admin, payload: { codes: [] } })).statusCode).toBe(404);

    const outlines = await app.inject({ url: '/api/admin/responsibility-grids/outlines', headers: admin });
    expect(outlines.headers['content-type']).toMatch(/geo\+json/);
    expect(outlines.json().features.length).toBe(all.length);
  }));

  test('an import job reports progress, keeps its rejected rows for the CSV and is audited; a retry with the same key imports nothing', () => withTestApp(backend, async ({ app, db }) => {
    const admin = await loginAs(app, 'admin');
    const p = await insidePoint(db);
    const csv = `ID,lon,lat\nJ1,${p.lon},${p.lat}\nJ2,${p.lon},${p.lat}\nJ3,200,${p.lat}\n`;
    const url = '/api/admin/imports/components?class_code=01013&id_field=ID&source=test:admin-job&file_name=hydrants.csv';
    const headers = { ...admin, 'content-type': 'text/csv', 'idempotency-key': 'job-1' };
    const started = await app.inject({ method: 'POST', url, headers, payload: csv });
    expect(started.statusCode, started.body).toBe(202);
    const job = started.json();
    expect(job).toMatchObject({ kind: 'components', file_name: 'hydrants.csv', created_by: 'admin', bytes: Buffer.byteLength(csv) });
    const done = await waitForJob(app, admin, job.id);
    expect(done).toMatchObject({ status: 'done', result: { rows: 3, imported: 2, rejected: 1 }, error: null });
    expect(done.rejected_preview).toEqual([{ row: 3, code: 'invalid_coordinates', reason: expect.any(String), reason_code: 'invalid_coordinates', params: expect.any(Object) }]);

    const replay = await app.inject({ method: 'POST', url, headers, payload: csv });
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(job.id);

    const report = await app.inject({ url: `/api/admin/imports/${job.id}/rejected.csv`, headers: admin });
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toMatch(/^text\/csv/);
    expect(report.headers['content-disposition']).toMatch(/attachment; filename="rejected-/);
    const lines = report.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('row,code,reason,detail');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^3,invalid_coordinates,Invalid coordinates/);
    // The reasons in Chinese: asked for (lang=zh) or the browser's language; the English detail kept beside them.
    for (const ask of [{ url: `/api/admin/imports/${job.id}/rejected.csv?lang=zh`, headers: admin },
      { url: `/api/admin/imports/${job.id}/rejected.csv`, headers: { ...admin, 'accept-language': 'zh-CN,zh;q=0.9' } }]) {
      const zh = (await app.inject(ask)).body.replace(/^\uFEFF/, '').trim().split('\r\n');
      expect(zh[0]).toBe('行号,代码,原因,详情 (English)');
      expect(zh[1]).toMatch(/^3,invalid_coordinates,坐标无效/);
      expect(zh[1].split(',').slice(3).join(',')).toContain(done.rejected_preview[0].reason.split(' ')[0]);
    }
    expect((await app.inject({ url: `/api/admin/imports/${job.id}/rejected.csv?lang=fr`, headers: admin })).statusCode).toBe(400);

    const list = await app.inject({ url: '/api/admin/imports', headers: admin });
    expect(list.json().items.map((j: { id: string }) => j.id)).toEqual([job.id]);
    expect((await auditOf(db, 'import.components.started')).map((e) => e.target)).toEqual([`import:${job.id}`]);
    expect((await auditOf(db, 'import.components.finished'))[0].detail).toMatchObject({ rows: 3, imported: 2, rejected: 1 });
  }));

  test('an import job that fails says why; bad options and media types are refused before a job starts', () => withTestApp(backend, async ({ app }) => {
    const admin = await loginAs(app, 'admin');
    const started = await app.inject({ method: 'POST', url: '/api/admin/imports/components?class_code=01013&id_field=ID', headers: { ...admin, 'content-type': 'text/csv' }, payload: 'NAME,x,y\na,1,2\n' });
    expect(started.statusCode).toBe(202);
    const done = await waitForJob(app, admin, started.json().id);
    expect(done.status).toBe('failed');
    expect(done.error.code).toBe('bad_request');
    const csv = await app.inject({ url: `/api/admin/imports/${done.id}/rejected.csv`, headers: admin });
    expect(csv.statusCode).toBe(422);

    const xml = await app.inject({ method: 'POST', url: '/api/admin/imports/components?class_code=01013&id_field=ID', headers: { ...admin, 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
    const badClass = await app.inject({ method: 'POST', url: '/api/admin/imports/components?class_code=1&id_field=ID', headers: { ...admin, 'content-type': 'text/csv' }, payload: 'ID,lon,lat\n' });
    expect(badClass.statusCode).toBe(400);
    const badMap = await app.inject({ method: 'POST', url: '/api/admin/imports/cases?source_system=x&map=nonsense&type_map=A%3D01010', headers: { ...admin, 'content-type': 'text/csv' }, payload: 'a\n' });
    expect(badMap.statusCode).toBe(400);
    expect((await app.inject({ url: '/api/admin/imports/not-a-uuid', headers: admin })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/admin/imports/00000000-0000-4000-8000-000000000000', headers: admin })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/admin/imports', headers: admin })).json().items).toHaveLength(1);
  }));

  test('the audit log lists admin changes newest first, filtered by action prefix and user', () => withTestApp(backend, async ({ app }) => {
    const admin = await loginAs(app, 'admin');
    await app.inject({ method: 'POST', url: '/api/departments', headers: admin, payload: { name: 'Audit test A' } });
    await app.inject({ method: 'POST', url: '/api/departments', headers: admin, payload: { name: 'Audit test B' } });
    const res = await app.inject({ url: '/api/admin/audit?action_prefix=department.&username=admin&limit=10', headers: admin });
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items.map((e: { detail: { after: { name: string } } }) => e.detail.after.name)).toEqual(['Audit test B', 'Audit test A']);
    const page = await app.inject({ url: `/api/admin/audit?action_prefix=department.&before_id=${items[0].id}`, headers: admin });
    expect(page.json().items.map((e: { id: number }) => e.id)).toEqual([items[1].id]);
    expect((await app.inject({ url: '/api/admin/audit?action=DROP', headers: admin })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/admin/audit?limit=0', headers: admin })).statusCode).toBe(400);
  }));
});
