// The admin console's client rules: the admin's home is /admin with the wall still in reach; files by type; what a
// failed request tells the person (never the server's text).
import { describe, expect, test } from 'vitest';
import { homeOf, screenFor, screensOf } from '../../client/src/state/route-store.js';
import type { SessionUser } from '../../client/src/api/types.js';
import { importContentType } from '../../client/src/screens/admin/ImportsPanel.js';
import { adminErrorKey } from '../../client/src/screens/admin/admin-errors.js';
import { ApiError } from '../../client/src/api/http.js';
import { DICTIONARY } from '../../client/src/i18n/dictionary.js';
import { WORDS_ADMIN } from '../../client/src/i18n/words-admin.js';

const u = (...roles: SessionUser['roles']) => ({ id: 1, username: 'x', roles, department_id: null }) as SessionUser;
const err = (status: number, message = '') => new ApiError(`http_${status}`, message, status, '/api/x');

describe('admin routing', () => {
  test('the admin lands on /admin; the wall and the map stay reachable; others cannot open it', () => {
    expect(homeOf(u('admin'))).toBe('admin');
    expect(screenFor('/', u('admin'))).toBe('admin');
    expect(screensOf(u('admin'))).toEqual(expect.arrayContaining(['admin', 'wall', 'district']));
    expect(screenFor('/wall', u('admin'))).toBe('wall');
    expect(screenFor('/admin', u('dispatcher'))).toBe('wall');
    expect(screenFor('/admin', null)).toBe('login');
  });
});

describe('imports', () => {
  test.each([['a.csv', 'text/csv'], ['A.GEOJSON', 'application/geo+json'], ['b.json', 'application/geo+json'], ['c.xlsx', null]])('%s → %s', (name, type) => {
    expect(importContentType(name)).toBe(type);
  });
});

describe('adminErrorKey', () => {
  test.each([
    [new ApiError('network', 'x', 0, '/'), 'other', 'adm_err_network'],
    [err(403), 'other', 'adm_err_forbidden'],
    [err(409), 'user', 'adm_err_username_taken'],
    [err(409), 'department', 'adm_err_conflict'],
    [err(400, 'The password is not acceptable: too short'), 'password', 'adm_err_password'],
    [err(400, 'anything'), 'import', 'adm_imp_file_refused'],
    [err(413), 'import', 'adm_imp_too_large'],
    [err(422, 'ann is not an inspector; give them the inspector role first'), 'grids', 'adm_err_not_inspector'],
    [err(422, 'The department "x" is deactivated; reactivate it'), 'class_default', 'adm_err_inactive_department'],
    [err(500), 'other', 'adm_err_other'],
    [new Error('boom'), 'other', 'adm_err_other'],
  ] as const)('%o in %s → %s', (e, ctx, key) => expect(adminErrorKey(e, ctx)).toBe(key));

  test('every admin word is in the dictionary in both languages', () => {
    for (const k of Object.keys(WORDS_ADMIN)) {
      const w = (DICTIONARY as Record<string, { zh: string; en: string }>)[k];
      expect(w?.zh, k).toBeTruthy();
      expect(w?.en, k).toBeTruthy();
    }
  });
});
