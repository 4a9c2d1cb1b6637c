// A hotline caller's phone number (issue 10): Chinese mobile and landline numbers and US numbers (the demo district
// is Cambridge, MA). Pure: checks the shape and writes it one way, so masking (domain/privacy.ts) and search see one form.

export type PhoneKind = 'cn_mobile' | 'cn_landline' | 'us';

/**
 * The number in its stored form, or null when it is neither a Chinese mobile or landline number nor a US number.
 * Chinese mobile: 11 digits from 13–19 (an optional +86 in front) → 13812345678. Landline: area code 0 + 2–3 digits,
 * then 7–8 digits, an optional extension → 010-12345678 / 0571-8765432-123. US: 10 digits, area and exchange not
 * starting with 0 or 1, an optional +1 or 1 in front → (617) 555-0123.
 * @example normalizePhone('+86 138 1234 5678') // { kind: 'cn_mobile', phone: '13812345678' }
 * @example normalizePhone('617.555.0123') // { kind: 'us', phone: '(617) 555-0123' }
 */
export function normalizePhone(raw: string): { kind: PhoneKind; phone: string } | null {
  const s = raw.trim();
  if (!/^[0-9+ ().-]+$/.test(s) || (s.match(/\+/g) ?? []).length > 1 || (s.includes('+') && !s.startsWith('+'))) return null;
  const digits = s.replace(/\D/g, '');
  // "1-617-…", "1 (617) …": a US trunk prefix, never the first digit of a Chinese mobile number (written 138 1234 5678).
  const usTrunk = /^1[ .(-]/.test(s);
  const cn = usTrunk ? null : digits.startsWith('86') && s.startsWith('+') ? digits.slice(2) : s.startsWith('+') ? null : digits;
  if (cn !== null && /^1[3-9]\d{9}$/.test(cn)) return { kind: 'cn_mobile', phone: cn };
  if (!s.startsWith('+')) {
    // Landline: 010 and 02x are three-digit area codes with 8-digit numbers, the other area codes four digits.
    const m = /^\(?(0(?:10|2\d)|0[3-9]\d{2})\)?[ -]?(\d{7,8})(?:[ -](\d{1,6}))?$/.exec(s);
    if (m && (m[1].length === 3 ? m[2].length === 8 : true)) return { kind: 'cn_landline', phone: `${m[1]}-${m[2]}${m[3] ? `-${m[3]}` : ''}` };
  }
  const us = s.startsWith('+') ? (digits.startsWith('1') ? digits.slice(1) : null) : digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  if (us !== null && /^[2-9]\d{2}[2-9]\d{6}$/.test(us)) return { kind: 'us', phone: `(${us.slice(0, 3)}) ${us.slice(3, 6)}-${us.slice(6)}` };
  return null;
}
