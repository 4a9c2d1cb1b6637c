// Notifications (issue 11): the only SQL for `notification_outbox`, `webhook_subscriptions`, `notification_contacts`
// and `notification_optins` (migrations/0037_notifications.sql); it reads `case_contacts` (0035, the public pages) for
// public reporters who asked to be told. The worker claims due rows with
// `for update skip locked` and a lease (next_attempt_at pushed ahead), so several server processes never deliver one
// row at the same time and a process that dies mid-delivery leaves the row to be retried when the lease ends.
import type { Queryable } from './types.js';
import type { Language, NotifyChannel, OutboxRow, Recipients, Template } from '../domain/notify.js';

/**
 * Everything one case change may notify, in one round trip; the class's names for the texts. The case's opt-ins and
 * contacts are read by (case_id, district_code), their key to the case (0065).
 */
export async function recipientsOf(db: Queryable, p: { case_id: string; district_code: string; department_id: number | null; class_code: string }):
  Promise<Recipients & { class_name_zh: string | null; class_name_en: string | null }> {
  const { rows } = await db.query<Recipients & { class_name_zh: string | null; class_name_en: string | null }>(
    `select
       (select coalesce(json_agg(json_build_object('id', id::float8, 'url', url) order by id), '[]'::json)
          from webhook_subscriptions where deleted_at is null) as webhooks,
       (select coalesce(json_agg(distinct phone), '[]'::json) from users
         where $2::bigint is not null and department_id = $2::bigint and 'department' = any (roles) and not disabled and phone is not null) as crew_phones,
       (select email from notification_contacts where department_id = $2::bigint) as department_email,
       (select coalesce(json_agg(o order by o.channel, o.target), '[]'::json) from (
          select channel, target, language from notification_optins where case_id = $1::uuid and district_code = $4
          union all  -- a public reporter's contact with its wish to be told (migrations/0035, the public pages)
          select 'sms', phone, lang from case_contacts where case_id = $1::uuid and district_code = $4 and notify and phone is not null
          union all
          select 'email', email, lang from case_contacts where case_id = $1::uuid and district_code = $4 and notify and email is not null) o) as optins,
       (select name_zh from classes where kind = 'matter' and code = $3) as class_name_zh,
       (select name_en from classes where kind = 'matter' and code = $3) as class_name_en`,
    [p.case_id, p.department_id, p.class_code, p.district_code]);
  return rows[0];
}

/**
 * Writes outbox rows; a row whose dedupe key is there already is skipped. Returns how many were added. A row of a
 * case carries the case's `district_code` (0065: held to the case by the foreign key).
 */
export async function enqueue(db: Queryable, rows: readonly (OutboxRow & { district_code: string | null })[], at: Date): Promise<number> {
  if (!rows.length) return 0;
  const { rows: out } = await db.query<{ n: number }>(
    `with added as (
       insert into notification_outbox (channel, target, subscription_id, language, template, params, case_id, district_code, event, dedupe_key, created_at, next_attempt_at)
       select r.channel, r.target, r.subscription_id, r.language, r.template, r.params, r.case_id, r.district_code, r.event, r.dedupe_key, $2, $2
         from jsonb_to_recordset($1::jsonb) as r(channel text, target text, subscription_id bigint, language text, template text,
                                                 params jsonb, case_id uuid, district_code text, event text, dedupe_key text)
       on conflict (dedupe_key) do nothing
       returning 1)
     select count(*)::int as n from added`,
    [JSON.stringify(rows), at]);
  return out[0].n;
}

/** `district_code`: the case's (0065). */
export async function addOptin(db: Queryable, o: { case_id: string; district_code: string; channel: 'sms' | 'email'; target: string; language: Language | null; at: Date }): Promise<void> {
  await db.query(
    `insert into notification_optins (case_id, district_code, channel, target, language, created_at) values ($1, $2, $3, $4, $5, $6)
     on conflict (case_id, channel, district_code) do update set target = excluded.target, language = excluded.language`,
    [o.case_id, o.district_code, o.channel, o.target, o.language, o.at]);
}

export type ClaimedRow = {
  id: number; channel: NotifyChannel; target: string; subscription_id: number | null; language: Language | null;
  template: Template; params: Record<string, unknown>; case_id: string | null; event: string; dedupe_key: string;
  created_at: Date; attempts: number; secret: string | null; subscription_deleted: boolean;
};

/**
 * Claims up to `limit` due rows: counts the attempt and leases them until `lease_until` (when they are due again
 * should this process die before it says how the delivery went). Rows other processes hold are skipped.
 */
export async function claimDue(db: Queryable, now: Date, lease_until: Date, limit: number): Promise<ClaimedRow[]> {
  const { rows } = await db.query<ClaimedRow>(
    `with due as (
       select id from notification_outbox
        where delivered_at is null and dead_at is null and next_attempt_at <= $1
        order by next_attempt_at, id
        limit $3
        for update skip locked),
     claimed as (
       update notification_outbox o set attempts = o.attempts + 1, next_attempt_at = $2
         from due where o.id = due.id
       returning o.*)
     select c.id::float8 as id, c.channel, c.target, c.subscription_id::float8 as subscription_id, c.language, c.template, c.params,
            c.case_id, c.event, c.dedupe_key, c.created_at, c.attempts, s.secret, (s.deleted_at is not null) as subscription_deleted
       from claimed c left join webhook_subscriptions s on s.id = c.subscription_id
      order by c.next_attempt_at, c.id`,
    [now, lease_until, limit]);
  return rows;
}

export async function markDelivered(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query('update notification_outbox set delivered_at = $2, last_error = null where id = $1', [id, at]);
}

/** A failed attempt: the error, and the next attempt's time or (dead) none. */
export async function markFailed(db: Queryable, id: number, p: { error: string; next_at: Date | null; dead_at: Date | null }): Promise<void> {
  await db.query(
    'update notification_outbox set last_error = $2, next_attempt_at = coalesce($3, next_attempt_at), dead_at = $4 where id = $1',
    [id, p.error.slice(0, 1000), p.next_at, p.dead_at]);
}

/** Deletes delivered messages older than `before` (dead ones stay for the admin until retried or the case goes). */
export async function purgeDelivered(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'with gone as (delete from notification_outbox where delivered_at < $1 returning 1) select count(*)::int as n from gone', [before]);
  return rows[0].n;
}

export type OutboxState = 'pending' | 'failed' | 'dead' | 'delivered';

export type OutboxView = {
  id: number; channel: NotifyChannel; target: string; template: Template; event: string; case_id: string | null; case_no: string | null;
  dedupe_key: string; created_at: Date; attempts: number; next_attempt_at: Date; delivered_at: Date | null; dead_at: Date | null; last_error: string | null;
};

const STATE_WHERE: Record<OutboxState, string> = {
  pending: 'o.delivered_at is null and o.dead_at is null and o.last_error is null',
  failed: 'o.delivered_at is null and o.dead_at is null and o.last_error is not null',
  dead: 'o.dead_at is not null',
  delivered: 'o.delivered_at is not null',
};

/**
 * The outbox for the admin, newest first; `state` picks one kind (STATE_WHERE: a closed list). The page first, then
 * its cases' numbers by (id, district_code) in a second statement: on Citus the outbox stays on the coordinator and
 * cases is distributed, and one statement joining them would copy every case to the coordinator (or be refused).
 */
export async function listOutbox(db: Queryable, p: { state: OutboxState | null; limit: number; offset: number }): Promise<{ items: OutboxView[]; counts: Record<OutboxState, number> }> {
  const where = p.state ? STATE_WHERE[p.state] : 'true';
  const { rows: page } = await db.query<Omit<OutboxView, 'case_no'> & { district_code: string | null }>(
    `select o.id::float8 as id, o.channel, o.target, o.template, o.event, o.case_id, o.district_code, o.dedupe_key, o.created_at, o.attempts,
            o.next_attempt_at, o.delivered_at, o.dead_at, o.last_error
       from notification_outbox o
      where ${where}
      order by o.id desc limit $1 offset $2`, [p.limit, p.offset]);
  const keyOf = (id: string, district_code: string) => `${id} ${district_code}`;
  const cited = page.filter((r) => r.case_id !== null && r.district_code !== null);
  const numbers = new Map<string, string>();
  if (cited.length) {
    // each district's shard alone, the cases picked by id there (pairs matched below)
    const { rows } = await db.query<{ id: string; district_code: string; case_no: string }>(
      `select id::text as id, district_code, case_no from cases where district_code = any($1::text[]) and id = any($2::uuid[])`,
      [[...new Set(cited.map((r) => r.district_code))], [...new Set(cited.map((r) => r.case_id))]]);
    for (const r of rows) numbers.set(keyOf(r.id, r.district_code), r.case_no);
  }
  const rows: OutboxView[] = page.map(({ district_code, ...r }) => ({
    ...r, case_no: r.case_id !== null && district_code !== null ? numbers.get(keyOf(r.case_id, district_code)) ?? null : null,
  }));
  const { rows: [counts] } = await db.query<Record<OutboxState, number>>(
    `select count(*) filter (where ${STATE_WHERE.pending})::int as pending, count(*) filter (where ${STATE_WHERE.failed})::int as failed,
            count(*) filter (where ${STATE_WHERE.dead})::int as dead, count(*) filter (where ${STATE_WHERE.delivered})::int as delivered
       from notification_outbox o`);
  return { items: rows, counts };
}

/** Puts a failed or dead row back in line for now, with its attempts counted afresh; null if it was delivered or is unknown. */
export async function retry(db: Queryable, id: number, now: Date): Promise<{ id: number } | null> {
  const { rows } = await db.query<{ id: number }>(
    `update notification_outbox set dead_at = null, attempts = 0, next_attempt_at = $2 where id = $1 and delivered_at is null returning id::float8 as id`,
    [id, now]);
  return rows[0] ?? null;
}

export async function outboxExists(db: Queryable, id: number): Promise<boolean> {
  return (await db.query('select 1 from notification_outbox where id = $1', [id])).rows.length > 0;
}

// ── webhook subscriptions ──

export type WebhookRow = { id: number; name: string; url: string; created_at: Date; created_by: number | null };
const WEBHOOK_COLUMNS = 'id::float8 as id, name, url, created_at, created_by::float8 as created_by';

export async function insertWebhook(db: Queryable, w: { name: string; url: string; secret: string; at: Date; by: number | null }): Promise<WebhookRow> {
  const { rows } = await db.query<WebhookRow>(
    `insert into webhook_subscriptions (name, url, secret, created_at, created_by) values ($1, $2, $3, $4, $5) returning ${WEBHOOK_COLUMNS}`,
    [w.name, w.url, w.secret, w.at, w.by]);
  return rows[0];
}

export async function listWebhooks(db: Queryable): Promise<WebhookRow[]> {
  return (await db.query<WebhookRow>(`select ${WEBHOOK_COLUMNS} from webhook_subscriptions where deleted_at is null order by id`)).rows;
}

export async function getWebhook(db: Queryable, id: number): Promise<(WebhookRow & { secret: string }) | null> {
  return (await db.query<WebhookRow & { secret: string }>(`select ${WEBHOOK_COLUMNS}, secret from webhook_subscriptions where id = $1 and deleted_at is null`, [id])).rows[0] ?? null;
}

/** Ends a subscription; its messages not yet delivered are dead-lettered (nobody is listening any more). */
export async function deleteWebhook(db: Queryable, id: number, at: Date): Promise<WebhookRow | null> {
  const { rows } = await db.query<WebhookRow>(
    `update webhook_subscriptions set deleted_at = $2 where id = $1 and deleted_at is null returning ${WEBHOOK_COLUMNS}`, [id, at]);
  if (rows[0]) {
    await db.query(`update notification_outbox set dead_at = $2, last_error = coalesce(last_error, 'subscription deleted')
                     where subscription_id = $1 and delivered_at is null and dead_at is null`, [id, at]);
  }
  return rows[0] ?? null;
}

// ── department contacts ──

export type ContactRow = { department_id: number; department_name: string; email: string | null; crew_phones: number };

/** Every active department with its notification e-mail and how many of its crews have a phone for SMS. */
export async function listContacts(db: Queryable): Promise<ContactRow[]> {
  return (await db.query<ContactRow>(
    `select d.id::float8 as department_id, d.name as department_name, c.email,
            (select count(*)::int from users u where u.department_id = d.id and 'department' = any (u.roles) and not u.disabled and u.phone is not null) as crew_phones
       from departments d left join notification_contacts c on c.department_id = d.id
      where d.active order by d.id`)).rows;
}

export async function setContact(db: Queryable, department_id: number, email: string | null, at: Date): Promise<void> {
  await db.query(
    `insert into notification_contacts (department_id, email, updated_at) values ($1, $2, $3)
     on conflict (department_id) do update set email = excluded.email, updated_at = excluded.updated_at`,
    [department_id, email, at]);
}
