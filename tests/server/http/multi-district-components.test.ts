// Components keyed by district (issue 12, migration 0062): a case cites a component of its own district only — the
// database refuses another district's (cases_component_fkey on (component_id, district_code)), and every writer that
// sets cases.component_id (intake, Open311 through it) answers that with a 4xx naming the problem instead of a 500;
// a source id is unique within a district, so two districts' inventories may both use it (the import matches in the
// district the row's point lies in). On the fixture's Dongcheng (110101) and the second district of
// tests/helpers/two-districts.ts (110102, two street lights 11010201037000001/2).
import { describe, expect, test } from 'vitest';
import { testBackends } from '../../helpers/backends.js';
import { A, B, withTwoDistricts, type Ctx } from '../../helpers/two-districts.js';
import { importComponents } from '../../../server/services/import-components.js';
import { deleteBySource, reserveSequence } from '../../../server/db/components.js';
import type { Queryable } from '../../../server/db/types.js';

const B_LIGHT = `${B}01037000001`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A Dongcheng street light (class 01037) of the fixture. */
async function lightOfA(db: Queryable): Promise<string> {
  const { rows: [k] } = await db.query<{ id: string }>(`select id from components where district_code = $1 and class_code = '01037' order by id limit 1`, [A]);
  return k.id;
}

const reportAnomaly = (ctx: Ctx, who: string, at: { lon: number; lat: number }, component_id: string) => ctx.app.inject({
  method: 'POST', url: '/api/cases', headers: ctx.h[who],
  payload: { kind: 'component_anomaly', class_code: '01037', lon: at.lon, lat: at.lat, component_id } });

const count = async (db: Queryable, sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0].n;

describe.each(testBackends())('components keyed by district on %s', (backend) => {
  test('intake citing another district\'s component is a 422 naming both districts, nothing written; its own district\'s is taken, with the component\'s department suggested', () => withTwoDistricts(backend, async (ctx) => {
    const aLight = await lightOfA(ctx.db);
    const before = await count(ctx.db, 'select count(*)::int as n from cases');
    for (const who of ['inspector_b', 'operator1']) { // a scoped user, and a user of every district
      const refused = await reportAnomaly(ctx, who, ctx.b, aLight);
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json().error).toMatchObject({ code: 'unprocessable', details: { reason: 'component_of_another_district', component_id: aLight, district_code: A } });
      expect(refused.json().error.message).toMatch(new RegExp(`Component ${aLight} is of district ${A}, but the point .* lies in grid ${ctx.b.grid} of district ${B}`));
    }
    expect(await count(ctx.db, 'select count(*)::int as n from cases')).toBe(before);

    const dept = (await ctx.db.query<{ id: number }>('select min(id)::int as id from departments where active')).rows[0].id;
    await ctx.db.query('update components set maintainer_department_id = $1 where id = $2 and district_code = $3', [dept, B_LIGHT, B]);
    const ok = await reportAnomaly(ctx, 'inspector_b', ctx.b, B_LIGHT);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ district_code: B, component_id: B_LIGHT, suggested_department_id: dept });
    // An unknown component is still the 422 it was.
    const unknown = await reportAnomaly(ctx, 'inspector_b', ctx.b, `${B}01037000099`);
    expect(unknown.statusCode, unknown.body).toBe(422);
    expect(unknown.json().error.message).toBe(`No component with identifier ${B}01037000099`);
  }));

  test('Open311: attribute[component_id] of another district is a 400 naming it (the spec\'s error shape), nothing written', () => withTwoDistricts(backend, async (ctx) => {
    const key = await ctx.app.inject({ method: 'POST', url: '/api/admin/open311-keys', headers: ctx.h.admin, payload: { name: 'city app' } });
    expect(key.statusCode, key.body).toBe(201);
    const post = (component_id: string) => ctx.app.inject({
      method: 'POST', url: '/open311/v2/requests.json', headers: FORM,
      payload: new URLSearchParams({ api_key: key.json().api_key, service_code: '01037', lat: String(ctx.b.lat), long: String(ctx.b.lon), 'attribute[component_id]': component_id }).toString() });
    const before = await count(ctx.db, 'select count(*)::int as n from cases');
    const aLight = await lightOfA(ctx.db);
    const refused = await post(aLight);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json()[0].description).toMatch(new RegExp(`Component ${aLight} is of district ${A}, .* of district ${B}: a case cites a component of its own district`));
    expect(await count(ctx.db, 'select count(*)::int as n from cases')).toBe(before);
    const ok = await post(B_LIGHT);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(await count(ctx.db, 'select count(*)::int as n from cases where component_id = $1 and district_code = $2', [B_LIGHT, B])).toBe(1);
  }));

  test('the database holds the key: a case citing another district\'s component is refused (23503); the component deleter clears the citation and keeps the case\'s district', () => withTwoDistricts(backend, async (ctx) => {
    const ok = await reportAnomaly(ctx, 'inspector_b', ctx.b, B_LIGHT);
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json().id as string;
    const aLight = await lightOfA(ctx.db);
    const refused = async (sql: string, params: unknown[]) => {
      await ctx.db.exec('savepoint refused');
      await expect(ctx.db.query(sql, params)).rejects.toMatchObject({ code: '23503' });
      await ctx.db.exec('rollback to savepoint refused');
    };
    await refused('update cases set component_id = $1 where id = $2', [aLight, id]);
    // No `on delete set null` since 0062 (Citus refuses it on a key with the distribution column): a plain delete of
    // a cited component is refused; db/components.ts deleteBySource clears the citation first.
    await refused('delete from components where id = $1 and district_code = $2', [B_LIGHT, B]);
    await ctx.db.query(`update components set source_id = 'test:b:1' where id = $1 and district_code = $2`, [B_LIGHT, B]);
    expect(await deleteBySource(ctx.db, 'test:b:%')).toBe(1);
    const { rows: [c] } = await ctx.db.query<{ component_id: string | null; district_code: string }>('select component_id, district_code from cases where id = $1', [id]);
    expect(c).toEqual({ component_id: null, district_code: B });
  }));

  test('a source id is unique within a district: the same source id in two districts is two components, and a re-import updates the one of the district its point lies in', () => withTwoDistricts(backend, async (ctx) => {
    const fc = (...pts: { lon: number; lat: number }[]) => JSON.stringify({ type: 'FeatureCollection', features: pts.map((p) => (
      { type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { ID: 'SL-1' } })) });
    const opts = { class_code: '01037', id_field: 'ID', now: () => new Date('2027-06-16T02:00:00Z') };
    await reserveSequence(ctx.db, B, '01037', 2); // the helper COPYed district B's two lights without reserving their numbers
    const inA = await importComponents(ctx.db, fc(ctx.a), opts);
    const inB = await importComponents(ctx.db, fc(ctx.b), opts);
    expect([inA.imported, inB.imported, inB.rejected]).toEqual([1, 1, []]);
    const rows = async () => (await ctx.db.query<{ id: string; district_code: string; lon: number }>(
      `select id, district_code, round(st_x(geom)::numeric, 5)::float8 as lon from components where source_id = 'SL-1' order by district_code`)).rows;
    const two = await rows();
    expect(two.map((r) => r.district_code)).toEqual([A, B]);
    expect(two.every((r) => r.id.startsWith(r.district_code))).toBe(true);
    // Moved within district B: B's component is updated, A's left as it was.
    const moved = { lon: ctx.b.lon + 0.0005, lat: ctx.b.lat };
    const again = await importComponents(ctx.db, fc(moved), opts);
    expect([again.imported, again.updated, again.rejected]).toEqual([0, 1, []]);
    expect(await rows()).toEqual([two[0], { ...two[1], lon: Number(moved.lon.toFixed(5)) }]);
    // The database holds it too: a second SL-1 in district B is refused.
    await ctx.db.exec('savepoint twice');
    await expect(ctx.db.query(
      `insert into components (id, class_code, district_code, survey_date, source_id, geom)
       values ($1, '01037', $2, '2027-01-01', 'SL-1', st_setsrid(st_makepoint($3, $4), 4326))`, [`${B}01037000777`, B, ctx.b.lon, ctx.b.lat])).rejects.toMatchObject({ code: '23505' });
    await ctx.db.exec('rollback to savepoint twice');
  }));
});
