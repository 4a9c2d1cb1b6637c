// The hotline intake form's rules (pure): what is still missing, whether the phone is one we know, the request body,
// and when a new Idempotency-Key is needed (a changed call is a new request; a retry of the same call is not).
import { normalizePhone } from '../../../../server/domain/phone.js';
import type { HotlineBody } from '../../api/intake.js';
import type { MessageKey } from '../../i18n/index.js';
import type { MatterClass } from '../../api/types.js';

/** `checked`: the server said which grid the point is in (`grid_code` null: outside every grid); unchecked when it
 * could not be asked (the server checks again on filing). */
export type IntakePlace = { lon: number; lat: number; address: string | null; grid_code: string | null; checked: boolean };

export type IntakeDraft = {
  name: string; phone: string; place: IntakePlace | null;
  cls: Pick<MatterClass, 'code' | 'name_zh' | 'name_en' | 'matter_kind'> | null;
  description: string; urgent: boolean; photo_ids: string[];
};

export const EMPTY_DRAFT: IntakeDraft = { name: '', phone: '', place: null, cls: null, description: '', urgent: false, photo_ids: [] };

/** What the operator still has to give before filing (in the form's order), and whether the phone is refused. */
export function checkDraft(d: IntakeDraft): { missing: MessageKey[]; phone_error: boolean; outside: boolean } {
  const missing: MessageKey[] = [];
  if (!d.place) missing.push('in_need_place');
  if (!d.cls) missing.push('in_need_class');
  if (!d.description.trim()) missing.push('in_need_description');
  return { missing, phone_error: !!d.phone.trim() && !normalizePhone(d.phone), outside: !!d.place && d.place.checked && !d.place.grid_code };
}

/** The POST /api/cases body of a complete draft (checkDraft clean). */
export function bodyOf(d: IntakeDraft): HotlineBody {
  if (!d.place || !d.cls) throw new Error('bodyOf: the draft has no place or class');
  return {
    kind: d.cls.matter_kind ?? 'event', class_code: d.cls.code, lon: d.place.lon, lat: d.place.lat, source: 'hotline',
    description: d.description.trim(),
    ...(d.place.address ? { address: d.place.address } : {}),
    ...(d.name.trim() ? { reporter_name: d.name.trim() } : {}),
    ...(d.phone.trim() ? { reporter_phone: normalizePhone(d.phone)?.phone ?? d.phone.trim() } : {}),
    ...(d.urgent ? { urgent: true } : {}),
    ...(d.photo_ids.length ? { photo_ids: d.photo_ids } : {}),
  };
}

/** The key to send: the same while the body is the same (a retry), a new one when the call changed. */
export function keyFor(last: { key: string; body: string } | null, body: HotlineBody, fresh: () => string): { key: string; body: string } {
  const text = JSON.stringify(body);
  return last && last.body === text ? last : { key: fresh(), body: text };
}
