// Writes the outbox rows of a case change in the case's own transaction (issue 11 §Notifications): if the change
// rolls back, so do its notifications; if it commits, they are there for the worker even if the process dies next.
import type { Queryable } from '../../db/types.js';
import type { CaseRow } from '../../db/cases.js';
import * as notify from '../../db/notify.js';
import { planCaseNotifications, type Language, type NotifyChannel } from '../../domain/notify.js';

/** Channels rows are written for when CaseDeps says nothing (webhooks exist only if the admin subscribed one). */
export const DEFAULT_NOTIFY_CHANNELS: readonly NotifyChannel[] = ['webhook'];

/**
 * The notifications of one committed-with-it case change: webhooks of every change, the department's crews of a
 * dispatch, opted-in reporters of a public step. `channels`: the ones configured (no SMS rows without a gateway).
 */
export async function notifyCaseChange(tx: Queryable, c: CaseRow, change: { action: string; from: string | null; at: Date },
  channels: readonly NotifyChannel[] = DEFAULT_NOTIFY_CHANNELS): Promise<number> {
  const r = await notify.recipientsOf(tx, { case_id: c.id, district_code: c.district_code, department_id: c.department_id, class_code: c.class_code });
  const rows = planCaseNotifications({
    case_id: c.id, case_no: c.case_no, version: c.version, action: change.action, from: change.from, to: c.status,
    department_id: c.department_id, class_code: c.class_code, class_name_zh: r.class_name_zh, class_name_en: r.class_name_en,
    grid_code: c.grid_code, address: c.address, lon: c.lon, lat: c.lat, urgent: c.urgent, at: change.at,
  }, r).filter((row) => channels.includes(row.channel)).map((row) => ({ ...row, district_code: c.district_code }));
  return notify.enqueue(tx, rows, change.at);
}

/** A reporter asks to hear of its case's progress (a hotline caller's phone; a public reporter's contact). */
export async function optIn(tx: Queryable, o: { case_id: string; district_code: string; channel: 'sms' | 'email'; target: string; language?: Language | null; at: Date }): Promise<void> {
  await notify.addOptin(tx, { ...o, language: o.language ?? null });
}
