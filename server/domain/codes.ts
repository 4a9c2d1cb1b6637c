// Administrative, unit-grid, class and component codes: docs/domain.md §1–2. Pure.
import { DomainError } from './errors.js';

export type RegionLevel = 'district' | 'street' | 'community';
export type ClassKind = 'component' | 'matter';

/** Digits of each level's code (docs/domain.md §1). */
export const CODE_LENGTH = { district: 6, street: 9, community: 12, grid: 15 } as const;

const DIGITS = /^[0-9]+$/;

/** The level a code of this length names, or null.
 * @example levelOfCode('110101001') // 'street' */
export function levelOfCode(code: string): RegionLevel | 'grid' | null {
  if (!DIGITS.test(code)) return null;
  for (const [level, n] of Object.entries(CODE_LENGTH)) if (code.length === n) return level as RegionLevel | 'grid';
  return null;
}

/** The parent region code of a street, community or grid code; null for a district.
 * @example parentCode('110101001001007') // '110101001001' */
/** The district (first six digits) of a district, street, community or grid code; null when it does not start with six digits. */
export function districtOfCode(code: string | null | undefined): string | null {
  return code && /^[0-9]{6}/.test(code) ? code.slice(0, 6) : null;
}

export function parentCode(code: string): string | null {
  const level = levelOfCode(code);
  if (level === null) throw new DomainError('invalid_code', `"${code}" is not a 6-, 9-, 12- or 15-digit code`);
  if (level === 'district') return null;
  return code.slice(0, code.length - 3);
}

/**
 * Checks a 15-digit unit-grid code against its community: the first 12 digits must be the community code,
 * and the 3-digit sequence must not be 000.
 * @example assertGridCode('110101001001007', '110101001001')
 */
export function assertGridCode(code: string, communityCode?: string): void {
  if (!/^[0-9]{15}$/.test(code)) throw new DomainError('invalid_code', `A unit-grid code has 15 digits; got "${code}"`);
  if (code.endsWith('000')) throw new DomainError('invalid_code', `Grid sequence 000 is not allowed in "${code}"`);
  if (communityCode !== undefined && code.slice(0, 12) !== communityCode) {
    throw new DomainError('invalid_code', `Grid code ${code} does not start with its community code ${communityCode}`);
  }
}

/** A grid code from a community code and a 1-based sequence.
 * @example gridCode('110101001001', 7) // '110101001001007' */
export function gridCode(communityCode: string, seq: number): string {
  if (!/^[0-9]{12}$/.test(communityCode)) throw new DomainError('invalid_code', `A community code has 12 digits; got "${communityCode}"`);
  if (!Number.isInteger(seq) || seq < 1 || seq > 999) throw new DomainError('invalid_code', `Grid sequence must be 1..999; got ${seq}`);
  return communityCode + String(seq).padStart(3, '0');
}

/** Street code rules (GB/T 10114): 001–099 街道, 100–199 镇, 200–399 乡. */
export function streetKind(streetCode: string): 'subdistrict' | 'town' | 'township' | null {
  const n = Number(streetCode.slice(6, 9));
  if (n >= 1 && n <= 99) return 'subdistrict';
  if (n >= 100 && n <= 199) return 'town';
  if (n >= 200 && n <= 399) return 'township';
  return null;
}

export const CLASS_CODE = /^[0-9]{5}$/;

/** 17-digit component identifier: 6 district + 5 class + 6 sequence (docs/domain.md §2).
 * @example componentId('110101', '01001', 42) // '110101010010000042' */
export function componentId(districtCode: string, classCode: string, seq: number): string {
  if (!/^[0-9]{6}$/.test(districtCode)) throw new DomainError('invalid_code', `A district code has 6 digits; got "${districtCode}"`);
  if (!CLASS_CODE.test(classCode)) throw new DomainError('invalid_code', `A class code has 5 digits; got "${classCode}"`);
  if (!Number.isInteger(seq) || seq < 1 || seq > 999_999) throw new DomainError('invalid_code', `Component sequence must be 1..999999; got ${seq}`);
  return districtCode + classCode + String(seq).padStart(6, '0');
}

/** Splits and checks a 17-digit component identifier. */
export function parseComponentId(id: string): { district_code: string; class_code: string; seq: number } {
  if (!/^[0-9]{17}$/.test(id)) throw new DomainError('invalid_code', `A component identifier has 17 digits; got "${id}"`);
  const seq = Number(id.slice(11));
  if (seq === 0) throw new DomainError('invalid_code', `Component sequence 000000 is not allowed in "${id}"`);
  return { district_code: id.slice(0, 6), class_code: id.slice(6, 11), seq };
}

/**
 * Maps a legacy GB/T 30428.2-2013 event code (4 digits, 2 major + 2 minor) to its 2026 matter code,
 * by the rule of docs/domain.md §2: 2013 major = 2026 major − 5, 2013 minor = last two digits of the 2026 minor.
 * Returns null when the code has no 2026 counterpart among `known` (the caller reports it as unmapped).
 * @example legacyEventCode('0406', new Set(['09006'])) // '09006'
 */
export function legacyEventCode(legacy: string, known: ReadonlySet<string>): string | null {
  if (!/^[0-9]{4}$/.test(legacy)) return null;
  const major = Number(legacy.slice(0, 2)) + 5;
  if (major < 6 || major > 10) return null;
  const code = String(major).padStart(2, '0') + '0' + legacy.slice(2);
  return known.has(code) ? code : null;
}

/** The 4-digit 2013 code of a 2026 event class, or null when the rule gives none (minor ≥ 100). */
export function eventCodeToLegacy(code: string): string | null {
  if (!CLASS_CODE.test(code)) return null;
  const major = Number(code.slice(0, 2));
  if (major < 6 || major > 10 || code[2] !== '0') return null;
  return String(major - 5).padStart(2, '0') + code.slice(3);
}

/** Unified social credit code (统一社会信用代码): 18 chars, digits and capitals except I, O, Z, S, V, with the GB 32100 check character. */
export function isCreditCode(code: string): boolean {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += alphabet.indexOf(code[i]) * weights[i];
  const check = (31 - (sum % 31)) % 31;
  return alphabet[check] === code[17];
}

/**
 * A case number (案卷号): the case's district (6 digits), its local report date (YYYYMMDD, the district's calendar)
 * and a serial counted per district and day from 1 (db/cases.ts caseNumbers, migrations/0063). The serial has 6
 * digits, more only past 999,999 cases of one district on one day: such a day's later numbers are one digit longer,
 * still unique and in order, instead of refusing a report (docs/domain.md asks only that every case have a number).
 * @example caseNo('110101', '2026-11-23', 42) // '11010120261123000042'
 */
export function caseNo(districtCode: string, localDate: string, serial: number): string {
  if (!/^[0-9]{6}$/.test(districtCode)) throw new DomainError('invalid_code', `A district code has 6 digits; got "${districtCode}"`);
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(localDate)) throw new DomainError('invalid_code', `A local date is YYYY-MM-DD; got "${localDate}"`);
  if (!Number.isSafeInteger(serial) || serial < 1) throw new DomainError('invalid_code', `A case serial is 1 or more; got ${serial}`);
  return districtCode + localDate.replace(/-/g, '') + String(serial).padStart(6, '0');
}
