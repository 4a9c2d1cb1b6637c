// The case search's query rules (domain/case-search.ts): LIKE escaping, local dates of the district, lists, bounds.
import { describe, expect, test } from 'vitest';
import { escapeLike, parseCaseSearch } from '../../../server/domain/case-search.js';
import { buildCalendar } from '../../../server/domain/calendar.js';
import { errorOf } from '../../helpers/errors.js';

const cal = buildCalendar([], { id: 'cn' }); // Asia/Shanghai, UTC+8
const londonCal = buildCalendar([], { id: 'uk', time_zone: 'Europe/London' });

describe('parseCaseSearch', () => {
  test('q becomes a literal prefix and a literal contains pattern', () => {
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
    expect(parseCaseSearch({ q: '  100%  done ' }, cal).text).toEqual({ q: '100% done', prefix: '100\\% done%', contains: '%100\\% done%' });
    expect(parseCaseSearch({ q: '   ' }, cal).text).toBeUndefined();
  });

  test('from and to are local midnights of the district\'s zone; to is inclusive', () => {
    const s = parseCaseSearch({ from: '2026-03-01', to: '2026-03-01' }, cal);
    expect(s.created_from?.toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(s.created_before?.toISOString()).toBe('2026-03-01T16:00:00.000Z');
    // another district, another zone (summer time in London)
    expect(parseCaseSearch({ from: '2026-07-01' }, londonCal).created_from?.toISOString()).toBe('2026-06-30T23:00:00.000Z');
  });

  test('lists are comma-separated and de-duplicated; the default order is red first', () => {
    const s = parseCaseSearch({ status: 'closed, void,closed', origin: 'imported', source: 'other,hotline' }, cal);
    expect(s).toMatchObject({ status: ['closed', 'void'], origin: ['imported'], source: ['other', 'hotline'], sort: 'light' });
  });

  test.each([
    [{ from: '2026-13-01' }, 'from'], [{ to: '20260101' }, 'to'], [{ from: '2026-03-02', to: '2026-03-01' }, 'from'],
    [{ from: '2020-01-01', to: '2025-01-06' }, 'to'], [{ status: 'open' }, 'status'], [{ major: '6' }, 'major'],
    [{ community: '1101010010' }, 'community'], [{ sort: 'light,newest,x' }, 'sort'],
  ])('%o is refused naming %s', (query, field) => {
    const e = errorOf(() => parseCaseSearch(query, cal)) as { code: string; details: Record<string, string> };
    expect(e.code).toBe('bad_request');
    expect(Object.keys(e.details)).toEqual([field]);
  });
});
