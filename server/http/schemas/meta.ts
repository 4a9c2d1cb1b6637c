// Response schemas of health and the client's configuration (GET /api/health, GET /api/config).
import { Type, type Static } from '@fastify/type-provider-typebox';
import { Bbox } from './common.js';
import { Exact, Nullable, StringEnum } from './shapes.js';

export const HealthSchema = Exact({
  status: Type.Literal('ok'),
  db: Exact({ engine: StringEnum(['pglite', 'postgres'] as const), postgis: Type.String() }),
});

/** The demo's simulated history while the server loads it in the background. */
export const HistoryLoadSchema = Exact({
  state: StringEnum(['none', 'loading', 'done'] as const, 'the demo\'s simulated history, loaded in the background after the first start'),
  days: Type.Integer(), loaded_days: Type.Integer(), cases: Type.Integer(), loaded_until: Nullable(Type.String()),
});
export type HistoryLoad = Static<typeof HistoryLoadSchema>;

export const DistrictRefSchema = Exact({ code: Type.String(), name: Type.String(), bbox: Nullable(Bbox) });
export type DistrictRef = Static<typeof DistrictRefSchema>;

export const ClientConfigSchema = Exact({
  basemap_url: Nullable(Type.String()),
  district: Nullable(DistrictRefSchema),
  /** The district's IANA time zone: every time on screen is shown in it (issue 10). */
  time_zone: Type.Optional(Type.String({ description: "the district's IANA time zone, e.g. America/New_York; clients show every time in it" })),
  history: Type.Optional(HistoryLoadSchema),
});
export type ClientConfig = Static<typeof ClientConfigSchema>;
