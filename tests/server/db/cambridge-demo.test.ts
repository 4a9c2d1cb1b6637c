// The default demo: the real City of Cambridge, grids drawn by the tool, real assets imported (issue 3).
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { CAMBRIDGE_ASSETS, loadDemo } from '../../../server/services/demo.js';
import { importComponents } from '../../../server/services/import-components.js';
import * as places from '../../../server/db/places.js';
import * as grids from '../../../server/db/grids.js';
import { readRuleData } from '../../../server/services/district-rules.js';
import * as districtRules from '../../../server/db/district-rules.js';
import { calendarOf } from '../../../server/domain/district-rules.js';
import { isWorkingDay } from '../../../server/domain/calendar.js';

describe.each(testBackends())('the Cambridge demo on %s', (backend) => {
  test('loads regions, drawn grids and the real street lights, hydrants and litter barrels; a re-import adds none', () => withTestDb(backend, async (db) => {
    const summary = await loadDemo(db, { demo: 'cambridge', demo_grids: 0, demo_components: 0 });
    expect(summary).toMatch(/1752 unit grids/);
    const count = async () => Object.fromEntries((await db.query<{ class_code: string; n: number }>(
      `select class_code, count(*)::int as n from components where district_code = '900001' group by 1 order by 1`)).rows.map((r) => [r.class_code, r.n]));
    const before = await count();
    // the real inventories: 6,117 lights (8 off every grid), 1,960 hydrant rows (1,900 with a usable, unique id), 990 barrels
    expect(before).toEqual({ '01013': 1900, '01037': 6109, '03005': 990 });
    const hydrants = CAMBRIDGE_ASSETS.find((a) => a.opts.class_code === '01013')!;
    const again = await importComponents(db, readFileSync(join('data/cambridge', hydrants.file)), { ...hydrants.opts, format: 'geojson', atomic: true });
    expect(again).toMatchObject({ imported: 0, updated: 1900 });
    expect(await count()).toEqual(before);
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from components where district_code = '900001' and (grid_code is null or supervising_department_id is null)`);
    expect(rows[0].n).toBe(0);
    // its working calendar (issue 10): New York time, US federal holidays, as the district's first calendar version
    const [cal, ...more] = await districtRules.calendars(db, '900001');
    expect(more).toEqual([]);
    expect(cal).toMatchObject({ version: 1, body: { time_zone: 'America/New_York', holiday_set: 'us' } });
    expect(isWorkingDay(calendarOf('900001', cal.body, readRuleData().years), '2026-07-03')).toBe(false); // 4 July observed
  }));

  test('a point in Cambridge resolves to its grid and the nearest street name', () => withTestDb(backend, async (db) => {
    await loadDemo(db, { demo: 'cambridge', demo_grids: 0, demo_components: 0 });
    const g = await grids.locate(db, -71.1097, 42.3736); // Harvard Square
    expect(g?.code).toMatch(/^900001\d{9}$/);
    const road = await places.nearestRoad(db, -71.1097, 42.3736);
    expect(road?.name).toMatch(/[A-Z]/);
    expect(road!.distance_m).toBeLessThan(100);
  }));
});
