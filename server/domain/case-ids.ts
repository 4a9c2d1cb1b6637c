// Case ids that name their district (issue 12). Pure.
//
// On Citus, cases and every case_* table are distributed by district_code: a statement that names the district goes
// to one shard, one by case id alone to all 32. A user of every district (a province command centre) reads and acts
// on cases by id, so the id carries the district: an RFC 9562 UUIDv8 whose first six hex digits (of custom_a) are
// the district's six decimal digits, version 8, variant 10, the other 98 bits random. A v4 id (every case made
// before migrations/0068, and any made elsewhere) has version 4, a v7 one 7: neither is ever read as naming a
// district, and reads by such an id keep the path by id alone. migrations/0068 holds the stored row to its id (a v8
// case id starts with the case's district_code), so the district read from an id is the case's.

const DISTRICT = /^[0-9]{6}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** 16 random bytes from the platform's CSPRNG (Node 20 and browsers: globalThis.crypto). */
export const randomBytes16 = (): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(16));

/**
 * A new case id of `district` (6 digits): the district as the first six hex digits, version 8, variant 10, the
 * rest from `random` (16 bytes; the bytes under the district, version and variant are dropped). Lower case, as
 * PostgreSQL writes a uuid.
 * @example newCaseId('110101') // '110101e3-5b0c-8f21-a7d4-0c9e1b2f3a44'
 * @throws Error when the district is not six digits or `random` is not 16 bytes
 */
export function newCaseId(district: string, random: Uint8Array = randomBytes16()): string {
  if (!DISTRICT.test(district)) throw new Error(`A case id names a six-digit district, not "${district}"`);
  if (random.length !== 16) throw new Error(`A case id takes 16 random bytes, not ${random.length}`);
  const hex = Array.from(random, (b) => b.toString(16).padStart(2, '0')).join('').split('');
  for (let i = 0; i < 6; i++) hex[i] = district[i];
  hex[12] = '8'; // version 8 (custom)
  hex[16] = (8 | (parseInt(hex[16], 16) & 3)).toString(16); // variant 10 (RFC 9562)
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * The district a case id names (newCaseId), or null: for any other id (a v4 or v7 uuid, a v8 one of another variant
 * or whose first six hex digits are not all decimal, text that is no uuid): exactly the ids migrations/0068 holds
 * to their row's district. Upper case is read as PostgreSQL reads a uuid.
 * @example districtOfCaseId('110101e3-5b0c-8f21-a7d4-0c9e1b2f3a44') // '110101'
 * @example districtOfCaseId('3f0c9a8e-1b2d-4c5e-9f00-112233445566') // null (version 4)
 */
export function districtOfCaseId(id: string): string | null {
  const s = id.toLowerCase();
  if (!UUID.test(s) || s[14] !== '8' || !'89ab'.includes(s[19])) return null; // version 8, variant 10
  const district = s.slice(0, 6);
  return DISTRICT.test(district) ? district : null;
}
