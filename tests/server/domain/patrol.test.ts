// Patrol's pure rules (issue 9): batch checks, duty membership, haversine distance with the jump rule, time on duty
// in a local day, fresh/stale.
import { describe, expect, test } from 'vitest';
import {
  MAX_BATCH, MIN_CLOCK_CORRECTION_MS, checkBatch, checkDate, clockOffset_ms, dutyOf, dutySecondsIn, freshness, haversine_m, nextDate, retentionCutoff, trackDistance_m,
} from '../../../server/domain/patrol.js';
import { errorOf } from '../../helpers/errors.js';

const NOW = new Date('2026-03-02T06:00:00Z');
const at = (iso: string) => new Date(iso);

describe('checkBatch', () => {
  test('good fixes pass with their key: the client id, else the instant', () => {
    const r = checkBatch([
      { id: 'a1', at: '2026-03-02T05:59:00Z', lon: 116.4, lat: 39.9, accuracy_m: 8 },
      { at: '2026-03-02T13:59:30+08:00', lon: 116.41, lat: 39.91 },
    ], NOW, 90);
    expect(r.rejected).toEqual([]);
    expect(r.ok.map((f) => f.key)).toEqual(['a1', '2026-03-02T05:59:30.000Z']);
    expect(r.ok[1].accuracy_m).toBeNull();
  });

  test('each bad fix is rejected with its reason; the others pass', () => {
    const r = checkBatch([
      { id: 'ok', at: '2026-03-02T05:00:00Z', lon: 116.4, lat: 39.9 },
      { id: 'future', at: '2026-03-02T06:05:00Z', lon: 116.4, lat: 39.9 },
      { id: 'skew', at: '2026-03-02T06:01:00Z', lon: 116.4, lat: 39.9 },
      { id: 'old', at: '2025-11-01T00:00:00Z', lon: 116.4, lat: 39.9 },
      { id: 'fuzzy', at: '2026-03-02T05:01:00Z', lon: 116.4, lat: 39.9, accuracy_m: 1500 },
      { id: 'nan', at: '2026-03-02T05:02:00Z', lon: Number.NaN, lat: 39.9 },
      { id: 'time', at: 'yesterday', lon: 116.4, lat: 39.9 },
      { id: 'ok', at: '2026-03-02T05:03:00Z', lon: 116.4, lat: 39.9 },
    ], NOW, 90);
    expect(r.ok.map((f) => f.key)).toEqual(['ok', 'skew']);
    expect(r.rejected.map((x) => [x.id, x.reason])).toEqual([
      ['future', 'in_future'], ['old', 'too_old'], ['fuzzy', 'inaccurate'], ['nan', 'invalid_coordinates'],
      ['time', 'invalid_time'], ['ok', 'duplicate_in_batch'],
    ]);
  });

  test(`a batch over ${MAX_BATCH} fixes is refused as a whole`, () => {
    const fixes = Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({ at: new Date(NOW.getTime() - i * 1000).toISOString(), lon: 116.4, lat: 39.9 }));
    expect(errorOf(() => checkBatch(fixes, NOW, 90))).toMatchObject({ code: 'bad_request' });
    expect(checkBatch(fixes.slice(0, MAX_BATCH), NOW, 90).ok).toHaveLength(MAX_BATCH);
  });
});

describe('clock offset', () => {
  test('the phone clock behind or ahead by 10 s or more is corrected; less is latency; no or bad sent_at is none', () => {
    const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
    expect(clockOffset_ms(ago(600_000), NOW)).toBe(600_000);          // the phone 10 min behind
    expect(clockOffset_ms(ago(-3_600_000), NOW)).toBe(-3_600_000);    // an hour ahead
    expect(clockOffset_ms(ago(MIN_CLOCK_CORRECTION_MS - 1), NOW)).toBe(0);
    expect(clockOffset_ms(ago(MIN_CLOCK_CORRECTION_MS), NOW)).toBe(MIN_CLOCK_CORRECTION_MS);
    expect(clockOffset_ms(undefined, NOW)).toBe(0);
    expect(clockOffset_ms('yesterday', NOW)).toBe(0);
  });

  test('checkBatch moves each fix by the offset but keys it by the phone\'s instant, so a re-sent batch dedupes', () => {
    const taken = new Date(NOW.getTime() + 3_600_000).toISOString(); // an hour ahead: "in the future" on its own
    expect(checkBatch([{ at: taken, lon: 116.4, lat: 39.9 }], NOW, 90).rejected[0].reason).toBe('in_future');
    const r = checkBatch([{ at: taken, lon: 116.4, lat: 39.9 }], NOW, 90, -3_600_000);
    expect(r.rejected).toEqual([]);
    expect(r.ok[0].at.toISOString()).toBe(NOW.toISOString());
    expect(r.ok[0].key).toBe(new Date(taken).toISOString());
  });
});

describe('dutyOf', () => {
  const periods = [
    { id: 1, started_at: at('2026-03-02T01:00:00Z'), ended_at: at('2026-03-02T02:00:00Z') },
    { id: 2, started_at: at('2026-03-02T03:00:00Z'), ended_at: null },
  ];
  test('a fix belongs to the period it falls in, ends included', () => {
    expect(dutyOf(periods, at('2026-03-02T01:00:00Z'))?.id).toBe(1);
    expect(dutyOf(periods, at('2026-03-02T02:00:00Z'))?.id).toBe(1);
    expect(dutyOf(periods, at('2026-03-02T05:00:00Z'))?.id).toBe(2);
  });
  test('between periods and before the first there is no duty', () => {
    expect(dutyOf(periods, at('2026-03-02T02:30:00Z'))).toBeNull();
    expect(dutyOf(periods, at('2026-03-02T00:59:59Z'))).toBeNull();
  });
});

describe('distance', () => {
  test('haversine: 0.01° of latitude is 1111.95 m; 0.01° of longitude at 39.9° N is 852.6 m', () => {
    expect(haversine_m(116.4, 39.9, 116.4, 39.91)).toBeCloseTo(1111.95, 1);
    expect(haversine_m(116.4, 39.9, 116.41, 39.9)).toBeCloseTo(852.6, 0);
  });

  test('a track adds its segments in time order, whatever order the fixes come in', () => {
    const pts = [
      { at: at('2026-03-02T01:02:00Z'), lon: 116.4, lat: 39.902 },
      { at: at('2026-03-02T01:00:00Z'), lon: 116.4, lat: 39.9 },
      { at: at('2026-03-02T01:01:00Z'), lon: 116.4, lat: 39.901 },
    ];
    expect(trackDistance_m(pts)).toBeCloseTo(2 * 111.195, 1);
  });

  test('a lone spike (faster than 30 m/s out and back) adds nothing', () => {
    const pts = [
      { at: at('2026-03-02T01:00:00Z'), lon: 116.4, lat: 39.9 },
      { at: at('2026-03-02T01:00:10Z'), lon: 116.45, lat: 39.9 }, // 4.3 km in 10 s
      { at: at('2026-03-02T01:01:00Z'), lon: 116.4, lat: 39.901 },
    ];
    // the spike's two segments are both impossible; the walk from the first to the last fix is not counted either,
    // because segments join consecutive fixes only: 0 m
    expect(trackDistance_m(pts)).toBe(0);
    expect(trackDistance_m([...pts, { at: at('2026-03-02T01:02:00Z'), lon: 116.4, lat: 39.902 }])).toBeCloseTo(111.195, 1);
  });

  test('segments across two duty periods, or between fixes of one instant, are not walked', () => {
    expect(trackDistance_m([
      { at: at('2026-03-02T01:00:00Z'), lon: 116.4, lat: 39.9, duty_id: 1 },
      { at: at('2026-03-02T03:00:00Z'), lon: 116.4, lat: 39.91, duty_id: 2 },
      { at: at('2026-03-02T03:00:00Z'), lon: 116.4, lat: 39.911, duty_id: 2 },
    ])).toBe(0);
  });
});

describe('dutySecondsIn', () => {
  const dayStart = at('2026-03-01T16:00:00Z'); // 2026-03-02 00:00 in Beijing
  const dayEnd = at('2026-03-02T16:00:00Z');
  test('periods are clipped to the local day, an open one at now', () => {
    expect(dutySecondsIn([
      { started_at: at('2026-03-01T15:00:00Z'), ended_at: at('2026-03-01T17:00:00Z') }, // 1 h after local midnight
      { started_at: at('2026-03-02T01:00:00Z'), ended_at: at('2026-03-02T02:30:00Z') }, // 1.5 h
      { started_at: at('2026-03-02T05:00:00Z'), ended_at: null },                        // 1 h until now (06:00Z)
    ], dayStart, dayEnd, NOW)).toBe(3.5 * 3600);
  });
  test('a day without duty has none', () => {
    expect(dutySecondsIn([{ started_at: at('2026-02-01T01:00:00Z'), ended_at: at('2026-02-01T02:00:00Z') }], dayStart, dayEnd, NOW)).toBe(0);
  });
});

describe('freshness and dates', () => {
  test('fresh for three intervals, then stale; no fix is stale', () => {
    expect(freshness(at('2026-03-02T05:57:00Z'), NOW, 60)).toBe('fresh');
    expect(freshness(at('2026-03-02T05:56:59Z'), NOW, 60)).toBe('stale');
    expect(freshness(null, NOW, 60)).toBe('stale');
  });
  test('retention cut-off, date checks', () => {
    expect(retentionCutoff(NOW, 90).toISOString()).toBe('2025-12-02T06:00:00.000Z');
    expect(checkDate('2026-02-28')).toBe('2026-02-28');
    expect(errorOf(() => checkDate('2026-02-30'))).toMatchObject({ code: 'bad_request' });
    expect(errorOf(() => checkDate('today'))).toMatchObject({ code: 'bad_request' });
    expect(nextDate('2026-02-28')).toBe('2026-03-01');
    expect(nextDate('2026-12-31')).toBe('2027-01-01');
  });
});
