// The fixture district as loaded by COPY: the generator's invariants hold in PostGIS, not only in turf.
import { describe, expect, test } from 'vitest';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { FIXTURE } from '../../helpers/fixture.js';

describe.each(testBackends())('the loaded demo district on %s', (backend) => {
  test('every component lies in the grid, community and street it was assigned', () => withTestDb(backend, async (db) => {
    const { rows } = await db.query<{ n: number; inside: number; consistent: number }>(`
      select count(*)::int as n,
             count(*) filter (where st_covers(g.geom, c.geom))::int as inside,
             count(*) filter (where c.community_code = g.community_code and c.street_code = g.street_code)::int as consistent
        from components c join grids g on g.district_code = c.district_code and g.code = c.grid_code and g.valid_to is null`);
    expect(rows[0].n).toBe(FIXTURE.demo_components);
    expect(rows[0].inside).toBe(rows[0].n);
    expect(rows[0].consistent).toBe(rows[0].n);
  }));

  test('the grids tile the district: valid, no overlaps, union equals the district', () => withTestDb(backend, async (db) => {
    const { rows } = await db.query<{ valid: boolean; gap: number; overlap: number }>(`
      select bool_and(st_isvalid(g.geom)) as valid,
             st_area(st_symdifference(st_union(g.geom), (select geom from regions where code = '110101'))::geography) as gap,
             (sum(st_area(g.geom::geography)) - st_area(st_union(g.geom)::geography)) as overlap
        from (select geom from grids where code like '110101%' offset 0) g`); // read first: Citus pushes no subquery of the target list down
    expect(rows[0].valid).toBe(true);
    expect(rows[0].gap).toBeLessThan(1);      // m²
    expect(Math.abs(rows[0].overlap)).toBeLessThan(1);
  }));

  test('component ids carry district, class and a sequence below the recorded last one', () => withTestDb(backend, async (db) => {
    const { rows } = await db.query<{ bad: number }>(`
      select count(*)::int as bad from components c
        left join component_sequences s on s.district_code = c.district_code and s.class_code = c.class_code
       where s.last_seq is null or right(c.id, 6)::int > s.last_seq`);
    expect(rows[0].bad).toBe(0);
  }));

  test('road centre-lines are loaded as places', () => withTestDb(backend, async (db) => {
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from places where kind = 'road'`);
    expect(rows[0].n).toBeGreaterThan(10);
  }));
});
