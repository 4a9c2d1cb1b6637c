// Mapbox Vector Tiles of grids, components, the offline basemap and cases (server/db/tiles.ts is the engine seam).
// grids, components and basemap are public; `cases` needs a login with a role that sees every case: the web client
// sends its bearer token with maplibre's transformRequest (Authorization header) on /api/tiles/cases/… URLs.
// Several districts in one database (issue 12): a user kept to a district gets only its district's cases. The
// public sets are the same for everyone, every district's streets, grids and parts: they are served to the anonymous
// too (no secret to keep), a map at a district's edge needs its neighbour's outlines, and one shared cached copy
// per tile keeps the no-I/O hit path.
// Tiles come through the tile cache (services/tile-cache.ts): strong ETags, 304 on If-None-Match, `no-cache` so
// browsers keep tiles but revalidate each use (a change shows at once), X-Cache: hit|miss. A cached tile of a public
// set is answered by the route's onRequest hook, before normalisation, validation and the handler (no I/O, issue 10).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import type { CaseDeps } from '../../services/cases.js';
import { cachedTile, serveTile, TileCache, DistrictExtents, TILE_SETS, type ServedTile, type TileGenerations, type TileSet } from '../../services/tiles.js';
import { DomainError } from '../../domain/errors.js';
import { visibilityRule } from '../../domain/visibility.js';
import { caseTileFilter } from '../../services/stats.js';
import { userDistrict } from '../../services/visibility.js';
import { loadWorkRules, type WorkRules } from '../../services/work-rules.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';
import { Binary, Content } from '../schemas/shapes.js';
import { STATS_ROLES } from './stats.js';

export const MAX_ZOOM = 22;

const tileRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases?: CaseDeps; tile_generations?: TileGenerations; district_extents?: DistrictExtents } }> = async (app, { deps }) => {
  // The cases layer's dates are local dates of the city's calendar (app.ts hands the case deps in; without them,
  // as in a bare tile server, the default rules are read once, when first needed).
  let work: WorkRules | null = deps.cases?.work ?? null;
  const clock = deps.cases?.clock ?? { now: () => new Date() };
  const casesGuard = app.requireRole(...STATS_ROLES);
  const cache = new TileCache(Math.floor(deps.config.tile_cache_mb * 1024 * 1024));
  // The districts' extents, per generation of the grids: a grids tile reads only the districts it meets (issue 12);
  // app.ts's instance, shared with the locates, else the route's own.
  const districts = deps.district_extents ?? new DistrictExtents(deps.tile_generations);

  app.get('/api/tiles/:set/:z/:x/:tile', {
    onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
      const p = req.params as { set?: string; z?: string; x?: string; tile?: string };
      if (p.set === 'cases') return casesGuard(req, reply);
      // A cached tile of a public set is answered here, before text normalisation, validation and the handler: a
      // hit does no I/O and next to no work (issue 10). Only a URL in its one canonical form (no query, decimal
      // numbers without leading zeros) whose tile is in the cache qualifies, and such a URL has passed the route's
      // validation when its tile was drawn; every other request takes the whole way, as before.
      if (!PUBLIC_SETS.has(p.set!) || req.url.includes('?') || !CANONICAL_Z.test(p.z!) || !CANONICAL_N.test(p.x!) || !CANONICAL_TILE.test(p.tile!)) return;
      const tile = cachedTile({ cache, gens: deps.tile_generations }, { set: p.set as PublicSet, z: Number(p.z), x: Number(p.x), y: Number(p.tile!.slice(0, -4)) });
      if (tile) return answer(req, reply, p.set as TileSet, tile);
    },
    schema: {
      tags: ['tiles'], summary: 'A Mapbox Vector Tile: /api/tiles/{grids|components|basemap|cases}/{z}/{x}/{y}.mvt',
      description: 'grids: one polygon per unit grid from z13, communities with grid_count below. components: one feature per component from z17, one cluster per unit grid at z13–16, per community below. basemap: streets, communities, roads. '
        + 'cases (bearer token of leader, operator, shift_leader, dispatcher or admin; a user kept to a district sees only that district\'s cases): one point per case from z16 with id, case_no, status, class_code, light, origin, created_at (no personal data); '
        + 'one cluster per unit grid at z13–15 and per community below, with count, open and red. Optional from/to (local dates, both or neither), class, major, channel filter the cases layer. '
        + 'Every tile has a strong ETag and Cache-Control no-cache: send If-None-Match to get 304 while the tile is unchanged. '
        + 'X-Cache tells whether the server\'s tile cache (GRIDLINE_TILE_CACHE_MB) answered (hit) or the tile was drawn (miss); a change to a tile\'s data shows in the next answer.',
      params: Type.Object({
        set: Type.Union(TILE_SETS.map((s) => Type.Literal(s))),
        z: Type.Integer({ minimum: 0, maximum: MAX_ZOOM }),
        x: Type.Integer({ minimum: 0 }),
        tile: Type.String({ pattern: '^[0-9]+\\.mvt$', description: '{y}.mvt' }),
      }),
      querystring: Type.Object({
        from: Type.Optional(Type.String({ description: 'cases only: first local date reported (YYYY-MM-DD)' })),
        to: Type.Optional(Type.String({ description: 'cases only: last local date reported (YYYY-MM-DD)' })),
        class: Type.Optional(Type.String({ description: 'cases only: 5-digit matter class' })),
        major: Type.Optional(Type.String({ description: 'cases only: 2-digit major class' })),
        channel: Type.Optional(Type.String({ description: 'cases only: inspector, public, hotline, media, video, leader or other' })),
      }, { additionalProperties: false }),
      response: {
        200: Content('A Mapbox Vector Tile', { 'application/vnd.mapbox-vector-tile': Binary('MVT (protobuf)') }), 204: Type.Null({ description: 'empty tile' }),
        304: Type.Null({ description: 'not modified: If-None-Match names the tile\'s current ETag' }), ...errorResponses,
        401: ErrorBody, 403: ErrorBody,
      },
    },
  }, async (req, reply) => {
    const { set, z, x } = req.params;
    const y = Number(req.params.tile.slice(0, -4));
    const n = 2 ** z;
    if (x >= n || y >= n) throw new DomainError('bad_request', `Tile ${z}/${x}/${y} does not exist: x and y must be below ${n} at zoom ${z}`);
    let filter, scope;
    if (set === 'cases') {
      work ??= loadWorkRules();
      // A user kept to a district (issue 12) sees that district's cases only; the district is a filter, so it is in
      // the cache key (services/tiles.ts tileKey) and no one is served a tile drawn for another district.
      filter = await caseTileFilter({ db: deps.db, work, clock }, req.query, await userDistrict(deps.db, req.user)); // its dates too
      // The guard admits only roles that see every case (rule null → 'all'); should it ever admit others, their
      // rule is part of the cache key, so no one is served a tile drawn for a wider view.
      const rule = visibilityRule(req.user);
      scope = rule === null ? 'all' : JSON.stringify(rule);
    }
    const tile = await serveTile({ db: deps.db, cache, gens: deps.tile_generations, districts }, { set: set as TileSet, z, x, y, cases: filter, scope });
    return answer(req, reply, set as TileSet, tile);
  });
};

type PublicSet = Exclude<TileSet, 'cases'>;
const PUBLIC_SETS: ReadonlySet<string> = new Set(TILE_SETS.filter((s) => s !== 'cases'));
const CANONICAL_Z = /^(?:0|[1-9]\d?)$/;
const CANONICAL_N = /^(?:0|[1-9]\d{0,6})$/;
const CANONICAL_TILE = /^(?:0|[1-9]\d{0,6})\.mvt$/;

/** The answer for a served tile: 200 with its bytes, 204 when empty, 304 when If-None-Match names its ETag. */
function answer(req: FastifyRequest, reply: FastifyReply, set: TileSet, tile: ServedTile): FastifyReply {
  // Cases are per user: never in a shared cache. no-cache: kept, but revalidated (ETag) at each use, so a tile
  // that changed is never shown from a browser's cache either.
  reply.header('cache-control', set === 'cases' ? 'private, no-cache' : 'public, no-cache').header('x-cache', tile.cache);
  if (set === 'cases') reply.header('vary', 'Authorization');
  if (!tile.etag) return reply.status(204).send(null);
  reply.header('etag', tile.etag);
  if (etagMatches(req.headers['if-none-match'], tile.etag)) return reply.status(304).send(null);
  return reply.type('application/vnd.mapbox-vector-tile').send(tile.mvt);
}

/** If-None-Match (a list of tags, weak or strong, or *) against the current strong ETag; weak comparison, RFC 9110 §13.1.2. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => { const v = t.trim(); return v === '*' || v.replace(/^W\//, '') === etag; });
}

export default tileRoutes;
