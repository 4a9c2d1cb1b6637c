// Mapbox Vector Tiles of grids, components and the offline basemap (server/db/tiles.ts is the engine seam).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import { renderTile, TILE_SETS, type TileSet } from '../../db/tiles.js';
import { DomainError } from '../../domain/errors.js';
import { errorResponses, rawOk } from '../schemas/common.js';

export const MAX_ZOOM = 22;

const tileRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/api/tiles/:set/:z/:x/:tile', {
    schema: {
      tags: ['tiles'], summary: 'A Mapbox Vector Tile: /api/tiles/{grids|components|basemap}/{z}/{x}/{y}.mvt',
      description: 'grids: one polygon per unit grid from z13, communities with grid_count below. components: one feature per component from z17, one cluster per unit grid at z13–16, per community below. basemap: streets, communities, roads.',
      params: Type.Object({
        set: Type.Union(TILE_SETS.map((s) => Type.Literal(s))),
        z: Type.Integer({ minimum: 0, maximum: MAX_ZOOM }),
        x: Type.Integer({ minimum: 0 }),
        tile: Type.String({ pattern: '^[0-9]+\\.mvt$', description: '{y}.mvt' }),
      }),
      response: { ...rawOk('application/vnd.mapbox-vector-tile'), 204: Type.Null({ description: 'empty tile' }), ...errorResponses },
    },
  }, async (req, reply) => {
    const { set, z, x } = req.params;
    const y = Number(req.params.tile.slice(0, -4));
    const n = 2 ** z;
    if (x >= n || y >= n) throw new DomainError('bad_request', `Tile ${z}/${x}/${y} does not exist: x and y must be below ${n} at zoom ${z}`);
    const mvt = await renderTile(deps.db, set as TileSet, z, x, y);
    reply.header('cache-control', 'public, max-age=30');
    if (!mvt.length) return reply.status(204).send(null);
    return reply.type('application/vnd.mapbox-vector-tile').send(mvt);
  });
};

export default tileRoutes;
