// buildApp(config, deps): registers plugins and routes; used by main.ts and by tests (app.inject).
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import staticFiles from '@fastify/static';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import type { Queryable } from './db/types.js';
import { registerErrorHandler, sendFrameworkError } from './http/errors.js';
import { serverTimeouts } from './http/body.js';
import { buildValidator } from './http/validation.js';
import { registerTextNormalisation } from './http/text.js';
import { completeRoute, recogniseAuthHooks, toOpenApi30 } from './http/openapi.js';
import metaRoutes from './http/routes/meta.js';
import classRoutes from './http/routes/classes.js';
import regionRoutes from './http/routes/regions.js';
import gridRoutes from './http/routes/grids.js';
import componentRoutes from './http/routes/components.js';
import placeRoutes from './http/routes/places.js';
import tileRoutes from './http/routes/tiles.js';
import { TileGenerations } from './services/tile-generations.js';
import { DistrictExtents } from './services/district-extents.js';
import ogcRoutes from './http/routes/ogc.js';
import authPlugin, { trustProxyOption } from './http/plugins/auth.js';
import authRoutes from './http/routes/auth.js';
import userRoutes from './http/routes/users.js';
import caseRoutes from './http/routes/cases.js';
import publicRoutes from './http/routes/public.js';
import wallFeedRoutes from './http/routes/wall-feed.js';
import liveRoutes from './http/routes/live.js';
import departmentRoutes from './http/routes/departments.js';
import photoRoutes from './http/routes/photos.js';
import importRoutes from './http/routes/import.js';
import importCasesRoutes from './http/routes/import-cases.js';
import evaluationRoutes from './http/routes/evaluation.js';
import statsRoutes from './http/routes/stats.js';
import exportRoutes from './http/routes/exports.js';
import patrolRoutes from './http/routes/patrol.js';
import open311Routes, { OPEN311_PREFIX, open311KeyRoutes } from './http/routes/open311.js';
import supervisionRoutes from './http/routes/supervision.js';
import ratingRoutes from './http/routes/ratings.js';
import transparencyRoutes from './http/routes/transparency.js';
import notifyRoutes from './http/routes/notify.js';
import { channelsOf } from './services/notify/channels.js';
import { LiveHub } from './live/hub.js';
import type { WorkRules } from './services/work-rules.js';
import { loadDistrictRules, type RuleBook } from './services/district-rules.js';
import adminRulesRoutes from './http/routes/admin-rules.js';
import adminRoutes from './http/routes/admin.js';
import adminImportRoutes from './http/routes/admin-imports.js';
import type { Db } from './db/types.js';
import type { HistoryProgress } from './services/history.js';

export type AppDeps = {
  db: Queryable & Partial<Pick<Db, 'listen'>>;
  logger?: boolean;
  clock?: { now(): Date };
  /** The city's calendar and limits; loaded from data/ when not given. */
  work?: WorkRules;
  /** Progress of the demo history's background load (GET /api/config reports it). */
  history?: HistoryProgress;
  /** The district's versioned calendar and limits (services/district-rules.ts); loaded from the database when not given. */
  rules?: RuleBook;
};

export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator } }, // bodies are not coerced; the rest is (http/validation.ts)
    // the router's own refusals (a path parameter over 100 characters, a malformed URL) in the error body of api.md
    frameworkErrors: (err, req, reply) => sendFrameworkError(err, reply as unknown as FastifyReply, req.url),
    trustProxy: trustProxyOption(config.trust_proxy), // GRIDLINE_TRUST_PROXY: req.ip is the client's address behind trusted proxies
    ...serverTimeouts(config), // request and body timeouts of every route (http/body.ts); /api/live's answer is not cut
  }).withTypeProvider<TypeBoxTypeProvider>();
  registerErrorHandler(app);
  registerTextNormalisation(app); // well-formed NFC text, no NUL, in every body, query, params and header (http/text.ts)

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Gridline API',
        version: '0.1.0',
        description: 'Grid-based urban management (网格化城市管理): unit grids, standard classes, components, tiles, OGC API – Features.',
      },
      tags: [
        { name: 'meta' }, { name: 'classes' }, { name: 'regions' }, { name: 'grids' },
        { name: 'components' }, { name: 'tiles' }, { name: 'ogc' }, { name: 'auth' }, { name: 'users' },
        { name: 'cases' }, { name: 'departments' }, { name: 'photos' }, { name: 'import' },
        { name: 'evaluation' }, { name: 'stats' }, { name: 'exports' }, { name: 'patrol' }, { name: 'places' }, { name: 'open311' }, { name: 'public' }, { name: 'supervision' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transformObject: (o) => toOpenApi30('openapiObject' in o ? o.openapiObject : o.swaggerObject), // OpenAPI 3.0.3 schemas
  });

  const clock = deps.clock ?? { now: () => new Date() };
  const rules = deps.rules ?? await loadDistrictRules(deps.db, { clock: () => clock.now() });
  const d = { db: deps.db, config, history: deps.history };
  // The live hub first: sessions that end close their streams at once (onSessionsEnded); cases poke it after commit.
  const live = new LiveHub(deps.db, { clock, session_idle_minutes: config.session_idle_minutes });
  await live.start();
  app.addHook('onClose', () => live.stop());
  // The tile cache's generations, heard on LISTEN (services/tile-generations.ts): before the routes, so every write
  // answered here (any method but GET/HEAD/OPTIONS, committed by then) makes the next tile request read them.
  const tileGenerations = new TileGenerations(deps.db);
  if (config.tile_cache_mb > 0) await tileGenerations.start();
  app.addHook('onClose', () => tileGenerations.stop());
  app.addHook('onSend', (req, _reply, payload, done) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') tileGenerations.noteWrite();
    done(null, payload);
  });
  // The districts' extents, read once per grids generation for the grids tiles and the locates without a district
  // alike (issue 12: each asks the districts it concerns alone).
  const districtExtents = new DistrictExtents(tileGenerations);
  const onSessionsEnded = () => live.recheckSessions();
  await app.register(authPlugin, { db: deps.db, config, clock, onSessionsEnded }); // before the routes: app.authenticate, app.requireRole, req.user
  const authHooks = recogniseAuthHooks(app);
  app.addHook('onRoute', (route) => completeRoute(route, authHooks)); // bounded integers, the edge's statuses (http/openapi.ts)
  await app.register(metaRoutes, { deps: { ...d, rules } }); // /api/config: each district's time zone from the rule book
  await app.register(classRoutes, { deps: d });
  await app.register(regionRoutes, { deps: d });
  await app.register(gridRoutes, { deps: { ...d, district_extents: districtExtents } });
  await app.register(componentRoutes, { deps: d });
  await app.register(placeRoutes, { deps: d });
  await app.register(ogcRoutes, { deps: d });
  await app.register(authRoutes, { deps: { ...d, clock, onSessionsEnded } });
  await app.register(userRoutes, { deps: { ...d, clock, onSessionsEnded } });
  await app.register(departmentRoutes, { deps: { ...d, clock } });
  await app.register(adminRoutes, { deps: { ...d, clock } }); // admin console: class defaults, inspectors' grids, audit log
  await app.register(photoRoutes, { deps: { ...d, clock } });
  await app.register(importRoutes, { deps: d }); // not fastify-plugin: its JSON parser stays in its own scope

  // Cases and the live stream: the hub hears committed changes (NOTIFY, or the poke after a local commit).
  const caseDeps = { db: deps.db, clock, work: deps.work ?? rules.work, onCommitted: (id: number, district_code: string) => live.poke([{ id, district_code }]),
    fault_response_delay_ms: config.fault_response_delay_ms, notify_channels: [...channelsOf(config).keys()], district_extents: districtExtents };
  await app.register(tileRoutes, { deps: { ...d, cases: caseDeps, tile_generations: tileGenerations, district_extents: districtExtents } });
  await app.register(caseRoutes, { deps: { ...d, cases: caseDeps } });
  await app.register(publicRoutes, { deps: { ...d, cases: caseDeps } }); // the public report and tracking pages (issue 11)
  await app.register(wallFeedRoutes, { deps: { ...d, cases: caseDeps } }); // the wall's bulk feed (issue 10)
  await app.register(importCasesRoutes, { deps: { ...d, work: caseDeps.work } }); // not fastify-plugin: its stream parsers stay in its own scope
  await app.register(liveRoutes, { deps: { ...d, live } });
  await app.register(adminRulesRoutes, { deps: { ...d, rules } }); // admin: the district's calendar and time limits
  await app.register(adminImportRoutes, { deps: { ...d, clock, work: caseDeps.work } }); // admin console: import jobs with progress
  await app.register(evaluationRoutes, { deps: { ...d, cases: caseDeps } });
  await app.register(statsRoutes, { deps: { ...d, cases: caseDeps } });
  await app.register(exportRoutes, { deps: { ...d, cases: caseDeps } });
  await app.register(patrolRoutes, { deps: { ...d, patrol: { db: deps.db, clock, work: caseDeps.work, retention_days: config.track_retention_days, interval_seconds: config.patrol_interval_seconds } } });
  await app.register(open311Routes, { prefix: OPEN311_PREFIX, deps: { ...d, cases: caseDeps } }); // GeoReport v2 (issue 11)
  await app.register(open311KeyRoutes, { deps: { ...d, cases: caseDeps } });
  // notifications (issue 11): webhook subscriptions, the outbox, departments' e-mail; the worker runs from main.ts
  await app.register(notifyRoutes, { deps: { ...d, notify: { db: deps.db, clock, webhook_timeout_ms: config.webhook_timeout_ms, channels: caseDeps.notify_channels } } });

  await app.register(supervisionRoutes, { deps: { ...d, supervision: { db: deps.db, clock, work: caseDeps.work } } });
  await app.register(ratingRoutes, { deps: { ...d, cases: caseDeps } }); // satisfaction call-backs (回访, issue 11)
  await app.register(transparencyRoutes, { deps: { ...d, cases: caseDeps } }); // the transparency page (政务公开, issue 11)

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const clientDir = resolve(config.client_dir);
  if (existsSync(resolve(clientDir, 'index.html'))) {
    // The PWA (issue 9): the service worker is re-checked at every visit (no-cache) and its scope is the whole app; the
    // manifest has its own media type; built /assets/ files are content-hashed, so they may be cached for good.
    await app.register(staticFiles, {
      root: clientDir, prefix: '/', wildcard: false,
      setHeaders: (reply, path) => {
        if (path.endsWith('/sw.js')) { reply.header('cache-control', 'no-cache'); reply.header('service-worker-allowed', '/'); }
        else if (path.endsWith('.webmanifest')) reply.header('content-type', 'application/manifest+json; charset=utf-8');
        else if (path.endsWith('index.html')) reply.header('cache-control', 'no-cache');
        else if (/[\\/]assets[\\/]/.test(path)) reply.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
    app.get('/*', { schema: { hide: true } }, (req, reply) => {
      if (req.url.startsWith('/api/') || req.url.startsWith('/ogc') || req.url.startsWith('/open311')) {
        return reply.status(404).send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}` } });
      }
      return reply.sendFile('index.html');
    });
  }
  return app;
}
