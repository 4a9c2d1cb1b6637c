// A hotline caller's phone (domain/phone.ts): Chinese mobile and landline numbers and US numbers, written one way.
import { describe, expect, test } from 'vitest';
import { normalizePhone } from '../../../server/domain/phone.js';
import { maskPhone } from '../../../server/domain/privacy.js';

describe('normalizePhone', () => {
  test.each([
    ['13812345678', 'cn_mobile', '13812345678'], ['138 1234 5678', 'cn_mobile', '13812345678'], ['+86 138-1234-5678', 'cn_mobile', '13812345678'],
    ['+8619912345678', 'cn_mobile', '19912345678'],
    ['010-12345678', 'cn_landline', '010-12345678'], ['01012345678', 'cn_landline', '010-12345678'], ['(021) 87654321', 'cn_landline', '021-87654321'],
    ['0571-8765432', 'cn_landline', '0571-8765432'], ['0571 87654321-123', 'cn_landline', '0571-87654321-123'],
    ['(617) 555-0123', 'us', '(617) 555-0123'], ['617.555.0123', 'us', '(617) 555-0123'], ['6175550123', 'us', '(617) 555-0123'],
    ['+1 617 555 0123', 'us', '(617) 555-0123'], ['1-617-555-0123', 'us', '(617) 555-0123'], ['1 (857) 555-0199', 'us', '(857) 555-0199'],
  ])('%s is a %s number, stored as %s', (raw, kind, phone) => {
    expect(normalizePhone(raw)).toEqual({ kind, phone });
  });

  test.each(['', '12345', '555-0123', '0123456789', '010-1234567', '+44 20 7946 0958', '138-1234-567', '(117) 555-0123', '617-055-0123', '13812345678+', '++8613812345678', '138123456789'])(
    '"%s" is refused', (raw) => expect(normalizePhone(raw)).toBeNull());

  test('a stored number masks as before: the last four of a mobile, the last two of others', () => {
    expect(maskPhone(normalizePhone('+86 138 1234 5678')!.phone)).toBe('138****5678');
    expect(maskPhone(normalizePhone('617.555.0123')!.phone)).toBe('********23');
  });
});
