// Components (管理部件): by bbox, by id. docs/domain.md §3.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import * as components from '../../services/components.js';
import * as classes from '../../services/classes.js';
import { parseBbox, toWgs84 } from '../../domain/coords.js';
import { DomainError } from '../../domain/errors.js';
import { BboxParam, ClassCode, ComponentId, Crs, Lat, Lon, errorResponses } from '../schemas/common.js';
import { ComponentCollectionSchema, ComponentDetailSchema, NearComponentsSchema } from '../schemas/components.js';
import { geojsonResponse } from '../schemas/geojson.js';
import { featureCollectionText } from '../geojson.js';

const componentRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/api/components', {
    schema: {
      tags: ['components'], summary: 'Components in a bbox (optionally of one class), as GeoJSON',
      description: 'Paged with limit/offset; numberMatched gives the total.',
      querystring: Type.Object({
        bbox: BboxParam,
        class_code: Type.Optional(ClassCode),
        limit: Type.Integer({ minimum: 1, maximum: 10000, default: 1000 }),
        offset: Type.Integer({ minimum: 0, default: 0 }),
      }, { additionalProperties: false }),
      response: { 200: geojsonResponse('GeoJSON FeatureCollection of components', ComponentCollectionSchema), ...errorResponses },
    },
  }, async (req, reply) => {
    const bbox = parseBbox(req.query.bbox, deps.config.max_bbox_area);
    const { class_code, limit, offset } = req.query;
    if (class_code && !(await classes.get(deps.db, 'component', class_code))) {
      throw new DomainError('unknown_class', `${class_code} is not a component class of GB/T 47678.5-2026`);
    }
    const { items, total } = await components.inBbox(deps.db, { bbox, class_code, limit, offset });
    return reply.type('application/geo+json').send(
      featureCollectionText(items, 'id', { numberMatched: total, numberReturned: items.length }),
    );
  });

  app.get('/api/components/near', {
    schema: {
      tags: ['components'], summary: 'Components within a radius of a point (default 30 m, at most 100 m), nearest first',
      description: 'At most 50. For the inspector\'s report: choosing one sets the case\'s component_id; the matter class of its anomaly has the component\'s class code.',
      querystring: Type.Object({
        lon: Lon, lat: Lat, crs: Type.Optional(Crs),
        radius: Type.Number({ minimum: 1, maximum: 100, default: 30, description: 'metres' }),
      }, { additionalProperties: false }),
      response: { 200: NearComponentsSchema, ...errorResponses },
    },
  }, async (req) => {
    const [lon, lat] = toWgs84(req.query.lon, req.query.lat, req.query.crs);
    const radius_m = req.query.radius;
    return { lon, lat, radius_m, items: await components.near(deps.db, { lon, lat, radius_m, limit: 50 }) };
  });

  app.get('/api/components/:id', {
    schema: {
      tags: ['components'], summary: 'One component with its class, departments, grid and names',
      params: Type.Object({ id: ComponentId }),
      response: { 200: ComponentDetailSchema, ...errorResponses },
    },
  }, async (req) => {
    const c = await components.get(deps.db, req.params.id);
    if (!c) throw new DomainError('not_found', `No component with identifier ${req.params.id}`);
    const { geometry, ...rest } = c;
    return { ...rest, geometry: geometry === null ? null : JSON.parse(geometry) };
  });
};

export default componentRoutes;
