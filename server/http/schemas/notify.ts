// Notifications (issue 11): webhook subscriptions, the outbox and department contacts of the admin API.
import { Type } from '@fastify/type-provider-typebox';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);
const Channel = Type.Union([Type.Literal('webhook'), Type.Literal('email'), Type.Literal('sms')]);
export const OutboxStateSchema = Type.Union([Type.Literal('pending'), Type.Literal('failed'), Type.Literal('dead'), Type.Literal('delivered')]);

export const WebhookSchema = Type.Object({
  id: Type.Integer(), name: Type.String(), url: Type.String(), created_at: Type.String({ format: 'date-time' }), created_by: Nullable(Type.Integer()),
});
export const CreatedWebhookSchema = Type.Intersect([WebhookSchema, Type.Object({
  secret: Type.String({ description: 'the HMAC-SHA256 key of X-Gridline-Signature: shown in this answer only' }),
})]);
export const WebhookBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, description: 'the system that receives the events' }),
  url: Type.String({ minLength: 8, maxLength: 2000, description: 'http(s) address the events are POSTed to' }),
}, { additionalProperties: false });
export const WebhookTestSchema = Type.Object({
  ok: Type.Boolean(), error: Nullable(Type.String()), delivery_id: Type.String(),
});

export const OutboxItemSchema = Type.Object({
  id: Type.Integer(), channel: Channel, target: Type.String(), template: Type.String(), event: Type.String(),
  case_id: Nullable(Type.String()), case_no: Nullable(Type.String()), dedupe_key: Type.String(), state: OutboxStateSchema,
  created_at: Type.String({ format: 'date-time' }), attempts: Type.Integer(), next_attempt_at: Nullable(Type.String({ format: 'date-time' })),
  delivered_at: Nullable(Type.String({ format: 'date-time' })), dead_at: Nullable(Type.String({ format: 'date-time' })), last_error: Nullable(Type.String()),
});
export const OutboxListSchema = Type.Object({
  counts: Type.Object({ pending: Type.Integer(), failed: Type.Integer(), dead: Type.Integer(), delivered: Type.Integer() }),
  channels: Type.Array(Channel, { description: 'the channels this server has set up (webhook always; email with GRIDLINE_SMTP_URL; sms with GRIDLINE_SMS_URL)' }),
  items: Type.Array(OutboxItemSchema),
});
export const OutboxQuery = Type.Object({
  state: Type.Optional(OutboxStateSchema),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
}, { additionalProperties: false });

export const ContactSchema = Type.Object({
  department_id: Type.Integer(), department_name: Type.String(), email: Nullable(Type.String()),
  crew_phones: Type.Integer({ description: 'crews of the department with a phone: each gets an SMS of a new task' }),
});
export const ContactBody = Type.Object({
  email: Type.Union([Type.String({ maxLength: 254 }), Type.Null()], { description: 'where the department is told of new tasks; null or "" clears it' }),
}, { additionalProperties: false });
