// Two districts in one database (issue 12): the rows of the public pages, Open311, ratings, notifications and
// idempotency keys carry their case's district (migration 0065), held to it by their foreign key to cases
// (case_id, district_code); the writers fill it from the case, for a case of the second district too. On Citus the
// tables kept on the coordinator (idempotency_keys, public_tickets, notification_outbox) lose that key (db/distribute.ts
// COORDINATOR_TABLES_CITING_CASES): their writers alone hold them to the case's district.
import { describe, expect, test } from 'vitest';
import { testBackends } from '../../helpers/backends.js';
import { A, B, report, withTwoDistricts, type Ctx } from '../../helpers/two-districts.js';
import { findCaseByTracking } from '../../../server/db/public.js';
import { solveChallenge } from '../../../server/domain/public.js';
import { encodePng } from '../../helpers/png.js';
import { COORDINATOR_TABLES_CITING_CASES, isDistributed } from '../../../server/db/distribute.js';
import { jpeg } from '../../fixtures/images/build.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (f: Record<string, string | number>) => new URLSearchParams(Object.entries(f).map(([k, v]) => [k, String(v)])).toString();
const HASH = 'a'.repeat(64);

/** The district_code of the rows of `table` whose case is `case_id` (sorted; one per row). */
async function districtsOf(ctx: Ctx, table: string, case_id: string): Promise<string[]> {
  const { rows } = await ctx.db.query<{ d: string }>(`select district_code as d from ${table} where case_id = $1 order by 1`, [case_id]);
  return rows.map((r) => r.d);
}

/** Whether `table` lost its foreign key to cases: a coordinator table on a Citus database where cases is distributed. */
async function keptOnCoordinator(ctx: Ctx, table: string): Promise<boolean> {
  return (COORDINATOR_TABLES_CITING_CASES as readonly string[]).includes(table) && await isDistributed(ctx.db, 'cases');
}

/** The definitions of `table`'s foreign keys to cases. */
async function keysToCases(ctx: Ctx, table: string): Promise<string[]> {
  const { rows } = await ctx.db.query<{ def: string }>(
    `select pg_get_constraintdef(c.oid) as def from pg_constraint c
      where c.contype = 'f' and c.conrelid = $1::regclass and c.confrelid = 'cases'::regclass order by 1`, [table]);
  return rows.map((r) => r.def);
}

/** An inserted row pointing at the second district's case: each table's SQL with $1 the case id and $2 the district. */
const INSERTS: [string, string][] = [
  ['open311_requests', `insert into open311_requests (case_id, district_code, key_id, token, created_at) values ($1, $2, $3, '${'c'.repeat(32)}', now())`],
  ['case_tracking', `insert into case_tracking (case_id, district_code, code_hash, created_at) values ($1, $2, '${HASH}', now())`],
  ['case_contacts', `insert into case_contacts (case_id, district_code, name, created_at) values ($1, $2, 'Li Lei', now())`],
  ['public_tickets', `insert into public_tickets (ticket_hash, challenge_hash, created_at, expires_at, case_id, district_code) values ('${HASH}', '${HASH}', now(), now(), $1, $2)`],
  ['case_public_replies', `insert into case_public_replies (case_id, district_code, reply, replied_at) values ($1, $2, 'Fixed', now())`],
  ['public_photo_approvals', `insert into public_photo_approvals (case_id, district_code, photo_id, approved_at) values ($1, $2, $3, now())`],
  ['case_ratings', `insert into case_ratings (case_id, district_code, rating, score, channel, rated_at) values ($1, $2, 'satisfied', 100, 'public', now())`],
  ['notification_outbox', `insert into notification_outbox (channel, target, template, params, case_id, district_code, event, dedupe_key, created_at, next_attempt_at)
     values ('email', 'a@b.org', 'case_progress', '{}', $1, $2, 'case.report', 'test:dedupe', now(), now())`],
  ['notification_optins', `insert into notification_optins (case_id, district_code, channel, target, created_at) values ($1, $2, 'sms', '13912345678', now())`],
  ['idempotency_keys', `insert into idempotency_keys (scope, key, request_hash, case_id, district_code, created_at) values ('test', 'test-key', '${HASH}', $1, $2, now())`],
];

describe.each(testBackends())('two districts in one database, case rows of the public pages, Open311, ratings, notifications, idempotency, on %s', (backend) => {
  test.each(INSERTS)('a %s row naming another district than its case\'s is refused by the foreign key (a table kept on the Citus coordinator has none); with the case\'s district it is stored', (table, sql) => withTwoDistricts(backend, async (ctx) => {
    const res = await report(ctx, 'inspector_b', ctx.b);
    expect(res.statusCode, res.body).toBe(201);
    const case_id = res.json().id as string;
    const { rows: [key] } = await ctx.db.query<{ id: number }>(
      `insert into open311_keys (name, key_hash, key_prefix, created_at) values ('test', '${'b'.repeat(64)}', 'bbbb', now()) returning id::float8 as id`);
    const png = await ctx.app.inject({ method: 'POST', url: '/api/photos', headers: { ...ctx.h.inspector_b, 'content-type': 'image/png' }, payload: encodePng(4, 4, () => [1, 2, 3]) });
    expect(png.statusCode, png.body).toBe(201);
    const extra = table === 'open311_requests' ? [key.id] : table === 'public_photo_approvals' ? [png.json().id] : [];
    const insert = (district: string) => ctx.db.transaction((tx) => tx.query(sql, [case_id, district, ...extra]));
    if (await keptOnCoordinator(ctx, table)) {
      // On Citus (cases distributed) the step dropped this table's key to cases: a table left on the coordinator cannot
      // reference a distributed one (db/distribute.ts). Its writers name the case's district (the test below); the
      // checks still hold here.
      expect(await keysToCases(ctx, table)).toEqual([]);
    } else {
      expect(await keysToCases(ctx, table)).toEqual([expect.stringMatching(/^FOREIGN KEY \(case_id, district_code\) REFERENCES cases\(id, district_code\)/)]);
      await expect(insert(A)).rejects.toMatchObject({ code: '23503' }); // foreign_key_violation: (case_id, 110101) is no case
    }
    await expect(insert('1101')).rejects.toMatchObject({ code: '23514' }); // check_violation: six digits
    if (table === 'public_tickets' || table === 'notification_outbox') { // the district comes with the case: both or neither
      await expect(ctx.db.transaction((tx) => tx.query(sql, [null, B, ...extra]))).rejects.toMatchObject({ code: '23514' });
    }
    await insert(B);
    expect(await districtsOf(ctx, table, case_id)).toEqual([B]);
  }));

  test('a public report, its reply, photo approval, contact and ticket, an inspector\'s idempotent report and its outbox rows, a hotline opt-in and an Open311 request of the second district carry its district', () => withTwoDistricts(backend, async (ctx) => {
    await ctx.db.query(`insert into webhook_subscriptions (name, url, secret, created_at) values ('test', 'http://127.0.0.1:9/hook', $1, now())`, ['s'.repeat(32)]);

    // an inspector's report with an Idempotency-Key: the key and the webhook's outbox row
    const idem = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: { ...ctx.h.inspector_b, 'idempotency-key': 'md-public-1' },
      payload: { kind: 'event', class_code: '06010', lon: ctx.b.lon, lat: ctx.b.lat } });
    expect(idem.statusCode, idem.body).toBe(201);
    expect(idem.json().district_code).toBe(B);
    expect(await districtsOf(ctx, 'idempotency_keys', idem.json().id)).toEqual([B]);
    expect(await districtsOf(ctx, 'notification_outbox', idem.json().id)).toEqual([B]);
    const again = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: { ...ctx.h.inspector_b, 'idempotency-key': 'md-public-1' },
      payload: { kind: 'event', class_code: '06010', lon: ctx.b.lon, lat: ctx.b.lat } });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().id).toBe(idem.json().id); // the replay: the same case, no second key
    expect(await districtsOf(ctx, 'idempotency_keys', idem.json().id)).toEqual([B]);
    // the admin's outbox list still names the case (its join to cases names the district)
    const outbox = await ctx.app.inject({ url: '/api/admin/notifications?limit=100', headers: ctx.h.admin });
    expect(outbox.statusCode, outbox.body).toBe(200);
    expect(outbox.json().items.filter((i: { case_id: string }) => i.case_id === idem.json().id).map((i: { case_no: string }) => i.case_no))
      .toEqual([(await ctx.db.query<{ case_no: string }>('select case_no from cases where id = $1', [idem.json().id])).rows[0].case_no]);

    // a public report with a photo and a contact that asks to be told
    const remoteAddress = '203.0.113.61';
    const ch = (await ctx.app.inject({ method: 'GET', url: '/api/public/challenge', remoteAddress })).json();
    const t = await ctx.app.inject({ method: 'POST', url: '/api/public/tickets', remoteAddress, payload: { challenge: ch.challenge, nonce: solveChallenge(ch.challenge, ch.bits) } });
    expect(t.statusCode, t.body).toBe(201);
    const ph = await ctx.app.inject({ method: 'POST', url: '/api/public/photos', remoteAddress, headers: { 'content-type': 'image/jpeg', 'x-upload-ticket': t.json().ticket }, payload: jpeg(24, 8) });
    expect(ph.statusCode, ph.body).toBe(201);
    const pub = await ctx.app.inject({ method: 'POST', url: '/api/public/reports', remoteAddress, headers: { 'idempotency-key': 'md-public-2' },
      payload: { ticket: t.json().ticket, class_code: '06010', lon: ctx.b.lon, lat: ctx.b.lat, photo_ids: [ph.json().id], contact: { name: 'Li Lei', email: 'li@example.org', notify: true } } });
    expect(pub.statusCode, pub.body).toBe(201);
    const found = await findCaseByTracking(ctx.db, pub.json().case_no, pub.json().tracking_code);
    expect(found).not.toBeNull();
    const id = found!.case_id;
    for (const table of ['case_tracking', 'case_contacts', 'public_tickets', 'idempotency_keys']) expect(await districtsOf(ctx, table, id), table).toEqual([B]);
    // staff of every district reply and approve the photo for the public
    const reply = await ctx.app.inject({ method: 'PUT', url: `/api/cases/${id}/public-reply`, headers: ctx.h.operator1, payload: { reply: 'Cleared on Tuesday' } });
    expect(reply.statusCode, reply.body).toBe(200);
    const approve = await ctx.app.inject({ method: 'PUT', url: `/api/cases/${id}/public-photos/${ph.json().id}`, headers: ctx.h.operator1 });
    expect(approve.statusCode, approve.body).toBe(200);
    expect(approve.json().approved_photo_ids).toEqual([ph.json().id]);
    expect(await districtsOf(ctx, 'case_public_replies', id)).toEqual([B]);
    expect(await districtsOf(ctx, 'public_photo_approvals', id)).toEqual([B]);
    const track = await ctx.app.inject({ method: 'POST', url: '/api/public/track', remoteAddress, payload: { case_no: pub.json().case_no, code: pub.json().tracking_code } });
    expect(track.statusCode, track.body).toBe(200);
    expect(track.json().reply).toMatchObject({ text: 'Cleared on Tuesday' });

    // a hotline caller who asks to hear of progress
    const hot = await ctx.app.inject({ method: 'POST', url: '/api/cases', headers: ctx.h.operator1,
      payload: { kind: 'event', class_code: '06010', lon: ctx.b.lon, lat: ctx.b.lat, source: 'hotline', reporter_phone: '13912345678', notify_reporter: true } });
    expect(hot.statusCode, hot.body).toBe(201);
    expect(await districtsOf(ctx, 'notification_optins', hot.json().id)).toEqual([B]);

    // an Open311 request by a key of the second district that answers with a token; the token finds the case
    const key = await ctx.app.inject({ method: 'POST', url: '/api/admin/open311-keys', headers: ctx.h.admin, payload: { name: '西城 app', district_code: B, answer: 'token' } });
    expect(key.statusCode, key.body).toBe(201);
    const post = await ctx.app.inject({ method: 'POST', url: '/open311/v2/requests.json', headers: FORM,
      payload: form({ api_key: key.json().api_key, service_code: '06010', lat: ctx.b.lat, long: ctx.b.lon }) });
    expect(post.statusCode, post.body).toBe(201);
    const token = post.json()[0].token as string;
    const { rows: [req] } = await ctx.db.query<{ case_id: string; district_code: string }>('select case_id::text as case_id, district_code from open311_requests where token = $1', [token]);
    expect(req.district_code).toBe(B);
    const byToken = await ctx.app.inject({ url: `/open311/v2/tokens/${token}.json` });
    expect(byToken.statusCode, byToken.body).toBe(200);
    expect(byToken.json()[0].service_request_id).toMatch(/^110102/);
  }));
});
