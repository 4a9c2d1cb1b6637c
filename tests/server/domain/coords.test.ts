import { describe, expect, test } from 'vitest';
import { assertLonLat, gcj02ToWgs84, parseBbox, toWgs84, wgs84ToGcj02 } from '../../../server/domain/coords.js';
import { errorOf } from '../../helpers/errors.js';

describe('coordinates', () => {
  test.each([[0, 91], [0, -90.5], [181, 0], [NaN, 0], [0, Infinity]])('lon=%s lat=%s is refused', (lon, lat) => {
    expect(errorOf(() => assertLonLat(lon, lat))).toMatchObject({ code: 'invalid_coordinates' });
  });

  test('GCJ-02 shifts Beijing by hundreds of metres and the inverse returns within a centimetre', () => {
    const [glon, glat] = wgs84ToGcj02(116.397, 39.909);
    const shift = Math.hypot((glon - 116.397) * 85_000, (glat - 39.909) * 111_000);
    expect(shift).toBeGreaterThan(300);
    expect(shift).toBeLessThan(800);
    const [lon, lat] = gcj02ToWgs84(glon, glat);
    expect(Math.abs(lon - 116.397) * 85_000).toBeLessThan(0.01);
    expect(Math.abs(lat - 39.909) * 111_000).toBeLessThan(0.01);
  });

  test('outside China GCJ-02 equals WGS84', () => {
    expect(toWgs84(-71.1, 42.37, 'gcj02')).toEqual([-71.1, 42.37]);
  });
});

describe('bbox', () => {
  test('parses four numbers', () => expect(parseBbox('116.39, 39.9,116.41,39.92')).toEqual([116.39, 39.9, 116.41, 39.92]));
  test.each(['1,2,3', 'a,b,c,d', '1,2,3,4,5', '', '116.4,39.9,116.3,39.95'])('"%s" is refused', (text) => {
    expect(errorOf(() => parseBbox(text))).toMatchObject({ code: 'bad_request' });
  });
  test('a latitude of 91 in a bbox is refused', () => {
    expect(errorOf(() => parseBbox('116,39,117,91'))).toMatchObject({ code: 'invalid_coordinates' });
  });
  test('a bbox larger than the limit is refused with its size in the message', () => {
    const e = errorOf(() => parseBbox('110,30,120,40', 0.05));
    expect(e).toMatchObject({ code: 'bbox_too_large' });
    expect(e.message).toContain('100.0000');
  });
});
