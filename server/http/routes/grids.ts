// Unit grids: by bbox (GeoJSON), locate a point, one grid. docs/domain.md §1, docs/api.md.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as grids from '../../services/grids.js';
import type { DistrictExtents } from '../../services/district-extents.js';
import { parseBbox, toWgs84 } from '../../domain/coords.js';
import { DomainError } from '../../domain/errors.js';
import { BboxParam, Crs, GridCode, Lat, Lon, errorResponses } from '../schemas/common.js';
import { GridCollectionSchema, GridDetailSchema, GridLocationSchema, PatrolCollectionSchema } from '../schemas/grids.js';
import { currentUser } from '../plugins/auth.js';
import { geojsonResponse } from '../schemas/geojson.js';
import { featureCollectionText, featureText } from '../geojson.js';

/** `district_extents`: app.ts's districts' extents, by which a locate asks the districts holding the point alone (issue 12). */
const gridRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { district_extents?: DistrictExtents } }> = async (app, { deps }) => {
  app.get('/api/grids', {
    schema: {
      tags: ['grids'], summary: 'Current unit grids in a bbox, as a GeoJSON FeatureCollection (properties.code)',
      description: `At most GRIDLINE_MAX_FEATURES grids; a larger answer is refused with 400 (use the tiles or /ogc paging).`,
      querystring: Type.Object({ bbox: BboxParam }, { additionalProperties: false }),
      response: { 200: geojsonResponse('GeoJSON FeatureCollection of unit grids', GridCollectionSchema), ...errorResponses },
    },
  }, async (req, reply) => {
    const bbox = parseBbox(req.query.bbox, deps.config.max_bbox_area);
    const limit = deps.config.max_features;
    const { items, total } = await grids.inBbox(deps.db, { bbox, limit, offset: 0 });
    if (total > limit) {
      throw new DomainError('bbox_too_large', `The bbox holds ${total} grids; the limit is ${limit}. Use a smaller bbox, the tiles or /ogc paging.`);
    }
    return reply.type('application/geo+json').send(featureCollectionText(items, 'code'));
  });

  app.get('/api/grids/locate', {
    schema: {
      tags: ['grids'], summary: 'The unit grid of a point (WGS84 or GCJ-02 input)',
      querystring: Type.Object({ lon: Lon, lat: Lat, crs: Type.Optional(Crs) }, { additionalProperties: false }),
      response: { 200: GridLocationSchema, ...errorResponses },
    },
  }, async (req) => {
    const [lon, lat] = toWgs84(req.query.lon, req.query.lat, req.query.crs);
    const grid = await grids.locate(deps.db, lon, lat, deps.district_extents);
    if (!grid) throw new DomainError('outside_district', `No unit grid covers lon=${lon.toFixed(6)}, lat=${lat.toFixed(6)} (WGS84)`);
    return { grid, lon, lat };
  });

  app.get('/api/grids/mine', {
    onRequest: app.requireRole('inspector'),
    schema: {
      tags: ['grids'], summary: 'The caller\'s responsibility grids (kind responsibility: the outline) and their unit grids (kind unit), as GeoJSON',
      response: { 200: geojsonResponse('GeoJSON FeatureCollection of responsibility and unit grids', PatrolCollectionSchema), ...errorResponses },
    },
  }, async (req, reply) => {
    const rows = await grids.patrolFeatures(deps.db, currentUser(req).id);
    return reply.type('application/geo+json').send(featureCollectionText(rows.map((r) => ({ ...r, geometry: r.geometry ?? 'null' })), 'code'));
  });

  app.get('/api/grids/:code', {
    schema: {
      tags: ['grids'], summary: 'One unit grid (its current version, else its latest) with names and component count',
      params: Type.Object({ code: GridCode }),
      response: { 200: GridDetailSchema, ...errorResponses },
    },
  }, async (req) => {
    const g = await grids.get(deps.db, req.params.code);
    if (!g) throw new DomainError('not_found', `No unit grid with code ${req.params.code}`);
    const { geometry, ...rest } = g;
    return { ...rest, geometry: geometry === null ? null : JSON.parse(geometry) };
  });
};

export default gridRoutes;
