// GET /api/cases/wall's answer (routes/wall-feed.ts): one keyset page of the wall's open cases as columns.
import { Type, type TSchema } from '@fastify/type-provider-typebox';
import { WALL_STATUSES } from '../../domain/wall-feed.js';

/** A column: an array of `item`, or of `item` or null (one JSON type list: fast to write for 100,000 rows). */
const col = (type: 'string' | 'number' | 'integer' | 'boolean', description: string, nullable = false) =>
  Type.Unsafe<never>({ type: 'array', description, items: { type: nullable ? [type, 'null'] : type } }) as TSchema;

export const WallFeedSchema = Type.Object({
  at: Type.String({ format: 'date-time', description: 'the server clock the lights were computed at' }),
  count: Type.Integer({ description: 'rows in this page' }),
  next_after: Type.Union([Type.String(), Type.Null()], { description: 'pass as `after` for the next page; null: this was the last' }),
  columns: Type.Object({
    id: col('string', 'case id (uuid), ascending'),
    case_no: col('string', 'case number'),
    status: col('string', WALL_STATUSES.join(', ')),
    light: col('string', 'green, yellow, red or null', true),
    lon: col('number', 'WGS84 longitude'),
    lat: col('number', 'WGS84 latitude'),
    version: col('integer', 'the version an action must name'),
    class_code: col('string', 'matter class code'),
    grid_code: col('string', 'unit-grid code'),
    department_id: col('integer', 'department handling it', true),
    step: col('string', 'the current step', true),
    yellow_at: col('string', 'when the step turns yellow (ISO 8601)', true),
    red_at: col('string', 'when the step turns red (ISO 8601)', true),
    updated_at: col('string', 'last change (ISO 8601)'),
    urged: col('boolean', 'urged by a leader or shift leader'),
    urgent: col('boolean', 'reported as urgent'),
    pending_application: col('string', 'return, extension or suspension asked for', true),
    rework_count: col('integer', 'times sent back to rework'),
    address: col('string', 'address', true),
    origin: col('string', 'live, imported or simulated'),
  }, { additionalProperties: false, description: 'one array per field; row i is the i-th element of every array' }),
}, { additionalProperties: false });
