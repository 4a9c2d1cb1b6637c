// OGC API – Features, Part 1 Core (OGC 17-069r4) resource schemas: landing page, conformance, collections, query parameters.
import { Type } from '@fastify/type-provider-typebox';
import { Offset } from './common.js';

export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
] as const;

/** Page size of /items: the default and the maximum. The document's maximum is enforced: a larger limit is a 400
 * (issue 8: a server that answers outside its own document cannot be checked against it). */
export const ITEMS_LIMIT = { default: 100, maximum: 10_000 } as const;

export const Link = Type.Object({
  href: Type.String({ description: 'absolute URL' }),
  rel: Type.String(),
  type: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
});

export const LandingPage = Type.Object({
  title: Type.String(),
  description: Type.String(),
  links: Type.Array(Link),
});

export const ConfClasses = Type.Object({ conformsTo: Type.Array(Type.String()) });

export const Extent = Type.Object({
  spatial: Type.Object({
    bbox: Type.Array(Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }), { minItems: 1 }),
    crs: Type.String(),
  }),
});

export const Collection = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  links: Type.Array(Link),
  extent: Type.Optional(Extent),
  itemType: Type.Literal('feature'),
});

export const Collections = Type.Object({ links: Type.Array(Link), collections: Type.Array(Collection) });

/** Output format; JSON is the only one. The Accept header works as well (f wins when both are given). */
export const FormatParam = Type.Optional(Type.String({ description: 'output format; only `json` is served', examples: ['json'] }));

export const CollectionParams = Type.Object({
  collectionId: Type.String({ description: 'streets, communities, grids, components or cases' }),
});

export const FeatureParams = Type.Object({
  collectionId: Type.String({ description: 'streets, communities, grids, components or cases' }),
  featureId: Type.String({ description: 'street or community code, 15-digit grid code, 17-digit component identifier or case id (UUID)' }),
});

export const ItemsQuery = Type.Object({
  bbox: Type.Optional(Type.String({
    description: 'minLon,minLat,maxLon,maxLat in CRS84 (six numbers with heights are accepted, heights ignored); '
      + 'only features whose geometry intersects it',
    examples: ['116.40,39.90,116.42,39.92'],
  })),
  limit: Type.Integer({
    minimum: 1, maximum: ITEMS_LIMIT.maximum, default: ITEMS_LIMIT.default,
    description: `page size, at most ${ITEMS_LIMIT.maximum} (a larger value is a 400 that says so: the document's maximum is the server's)`,
  }),
  offset: Offset('features to skip (the next and prev links set it)'),
  datetime: Type.Optional(Type.String({
    description: 'RFC 3339 instant or interval (`..` for an open end; a date alone means its whole UTC day). The cases '
      + 'collection keeps the cases reported in it; the other collections hold the current state and have no temporal '
      + 'geometry, so for them it is checked but does not filter.',
    examples: ['2026-01-01T00:00:00Z/..'],
  })),
  f: FormatParam,
}, { additionalProperties: false });

export const FormatQuery = Type.Object({ f: FormatParam }, { additionalProperties: false });
