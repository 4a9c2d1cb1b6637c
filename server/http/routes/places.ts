// Places (地名地址): the nearest street address and the unit grid of a point, shown before a report is sent. docs/domain.md §5.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as places from '../../services/places.js';
import { toWgs84 } from '../../domain/coords.js';
import { Crs, Lat, Lon, errorResponses } from '../schemas/common.js';
import { NearestPlaceSchema, PlaceMatchesSchema } from '../schemas/places.js';

const placeRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/api/places/nearest', {
    schema: {
      tags: ['places'], summary: 'The nearest street address of a point and the unit grid it lies in (grid null: outside the district)',
      querystring: Type.Object({ lon: Lon, lat: Lat, crs: Type.Optional(Crs) }, { additionalProperties: false }),
      response: { 200: NearestPlaceSchema, ...errorResponses },
    },
  }, async (req) => {
    const [lon, lat] = toWgs84(req.query.lon, req.query.lat, req.query.crs);
    return { lon, lat, ...(await places.nearest(deps.db, lon, lat)) };
  });

  app.get('/api/places/search', {
    schema: {
      tags: ['places'], summary: 'Named places (roads, doorplates, points of interest) whose name contains q: an address said on the phone, found on the map',
      querystring: Type.Object({
        q: Type.String({ minLength: 2, maxLength: 100, pattern: '\\S', description: 'part of a name' }),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 8 })),
      }, { additionalProperties: false }),
      response: { 200: PlaceMatchesSchema, ...errorResponses },
    },
  }, async (req) => places.search(deps.db, req.query.q, req.query.limit));
};

export default placeRoutes;
