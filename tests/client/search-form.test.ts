// The search form's pure rules: checks before sending, the query a form asks for, the address bar round trip, and
// the fields a server error names.
import { describe, expect, test } from 'vitest';
import { checkForm, EMPTY_FORM, fieldsOf, filterCount, fromLocationSearch, queryOf, toLocationSearch, type SearchForm } from '../../client/src/screens/search/search-form.js';
import { searchParams } from '../../client/src/api/search.js';
import { fill } from '../../client/src/components/case/CaseList.js';

const form = (patch: Partial<SearchForm>): SearchForm => ({ ...EMPTY_FORM, ...patch });

describe('checkForm', () => {
  test('an empty form may be sent', () => expect(checkForm(EMPTY_FORM)).toEqual({}));
  test('from after to names from; more than five years names to; a five-year range passes', () => {
    expect(checkForm(form({ from: '2026-03-02', to: '2026-03-01' }))).toEqual({ from: 'sr_err_from_after_to' });
    expect(checkForm(form({ from: '2020-01-01', to: '2025-01-06' }))).toEqual({ to: 'sr_err_range_long' });
    expect(checkForm(form({ from: '2021-01-01', to: '2025-12-31' }))).toEqual({});
    expect(checkForm(form({ from: '2026-03-01', to: '2026-03-01' }))).toEqual({});
  });
  test('an impossible date, a short grid code and a long text are caught', () => {
    expect(checkForm(form({ from: '2026-02-30' }))).toEqual({ from: 'sr_err_date' });
    expect(checkForm(form({ grid: '11010100' }))).toEqual({ grid: 'sr_err_grid' });
    expect(checkForm(form({ q: 'x'.repeat(101) }))).toEqual({ q: 'sr_err_q_long' });
  });
});

describe('queryOf', () => {
  test('chips become their statuses; the narrower of class/major and community/street wins', () => {
    const q = queryOf(form({ chips: ['handling', 'closed'], major: '06', class: '06010', street: '110101001', community: '110101001001', department: '7', q: '  井盖 ' }));
    expect(q).toMatchObject({ status: ['handling', 'suspended', 'closed'], class: '06010', major: undefined, community: '110101001001', street: undefined, department: 7, q: '井盖' });
  });
  test('empty fields are left out of the query string; lists are comma-separated', () => {
    const p = searchParams(queryOf(form({ chips: ['void'], source: 'hotline', origin: 'imported' })));
    expect(Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined))).toEqual({ status: 'void', source: 'hotline', origin: 'imported', sort: 'newest' });
  });
});

describe('the address bar', () => {
  test('a form survives the round trip', () => {
    const f = form({ q: '垃圾 100%', chips: ['closed', 'void'], major: '06', street: '110101001', grid: '110101001001007', department: '3', source: 'public', origin: 'simulated', from: '2026-01-01', to: '2026-01-31', sort: 'oldest' });
    expect(fromLocationSearch(toLocationSearch(f))).toEqual(f);
    expect(toLocationSearch(EMPTY_FORM)).toBe('');
  });
  test('unknown or malformed values are dropped; statuses from a link become chips', () => {
    expect(fromLocationSearch('?origin=legacy&sort=random&grid=12&from=2026-02-30&status=closed,handling')).toEqual(
      form({ chips: ['handling', 'closed'] }));
  });
});

describe('fieldsOf', () => {
  test('the server\'s details name the fields, in the form\'s order', () => {
    expect(fieldsOf({ to: 'at most five years after from', class: 'no such class' })).toEqual(['class', 'to']);
    expect(fieldsOf([{ instancePath: '/limit' }, { instancePath: '/department' }])).toEqual(['department']);
    expect(fieldsOf(undefined)).toEqual([]);
  });
});

test('filterCount counts the filters set besides the text', () => {
  expect(filterCount(form({ q: 'x' }))).toBe(0);
  expect(filterCount(form({ major: '06', class: '06010', chips: ['closed'], from: '2026-01-01' }))).toBe(3);
});

test('fill puts values into a text\'s slots and leaves unknown slots visible', () => {
  expect(fill('第 {p} / {pages} 页', { p: 2, pages: 9 })).toBe('第 2 / 9 页');
  expect(fill('{n} cases {x}', { n: 3 })).toBe('3 cases {x}');
});
