// OGC API – Features, Part 1 Core with GeoJSON and OpenAPI 3.0 (OGC 17-069r4), so QGIS, ArcGIS and GDAL
// (`ogrinfo OAPIF:http://host:port/ogc`) open the streets, communities, unit grids and components directly.
// Links are absolute (GDAL follows `next` as given), built from GRIDLINE_PUBLIC_URL when set, else from the request.
// The `cases` collection is listed and served only to a bearer token of a role that sees every case (leader,
// operator, shift_leader, dispatcher, admin): GDAL sends it with GDAL_HTTP_HEADERS="Authorization: Bearer <token>",
// QGIS with an authentication configuration of type "API header". Anonymous callers get 401, other roles 403.
// Several districts in one database (issue 12): a token of a user kept to a district gets that district's cases
// only (another district's case is a 404). Streets, communities, grids and components are open to the anonymous
// and the same for every caller: a filter a caller could drop by sending no token would keep nothing apart, and a
// GIS project at a district's edge needs the neighbour's outlines (narrow them with bbox).
import type { FastifyRequest } from 'fastify';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import type { Queryable } from '../../db/types.js';
import * as regions from '../../services/regions.js';
import * as grids from '../../services/grids.js';
import * as components from '../../services/components.js';
import * as caseFeatures from '../../services/case-features.js';
import { userDistrict } from '../../services/visibility.js';
import type { AuthUser } from '../../services/auth.js';
import { STATS_ROLES } from './stats.js';
import { parseBbox, type Bbox } from '../../domain/coords.js';
import { DomainError } from '../../domain/errors.js';
import { ErrorBody, errorResponses } from '../schemas/common.js';
import {
  CONFORMANCE, CRS84, CollectionParams, Collection, Collections, ConfClasses, FeatureParams, FormatQuery, ITEMS_LIMIT,
  ItemsQuery, LandingPage, Link,
} from '../schemas/ogc.js';
import { featureCollectionText, featureText, type FeatureRow } from '../geojson.js';
import { FeatureCollectionSchema, FeatureSchema, geojsonResponse } from '../schemas/geojson.js';

/** A feature's properties: the collection's columns (streets, communities, grids, components, cases differ). */
const OgcProperties = Type.Record(Type.String(), Type.Unknown(), { description: 'the columns of the collection' });
const OgcItemsSchema = FeatureCollectionSchema(OgcProperties, {
  numberMatched: Type.Integer(), numberReturned: Type.Integer(), timeStamp: Type.String({ format: 'date-time' }), links: Type.Array(Link),
});
const OgcFeatureSchema = FeatureSchema(OgcProperties, { links: Type.Array(Link) });

const JSON_TYPE = 'application/json';
const GEOJSON = 'application/geo+json';
const OPENAPI = 'application/vnd.oai.openapi+json;version=3.0';

/** `district`: the district the caller is kept to (issue 12), or null; only the `cases` collection reads it. */
type Page = { bbox?: Bbox; limit: number; offset: number; datetime?: [Date | null, Date | null]; district: string | null };

/** What a collection needs: its metadata and three reads. Adding `cases` later is one more entry. */
type CollectionDef = {
  title: string;
  description: string;
  /** Column that becomes the feature id. */
  idKey: string;
  /** Who may read it: everyone, or only roles that see every case. */
  access?: 'cases';
  items(db: Queryable, p: Page): Promise<{ items: FeatureRow[]; total: number }>;
  item(db: Queryable, id: string, district: string | null): Promise<FeatureRow | null>;
  extent(db: Queryable): Promise<Bbox | null>;
};

const regionCollection = (level: 'street' | 'community', title: string, description: string): CollectionDef => ({
  title,
  description,
  idKey: 'code',
  items: (db, p) => regions.features(db, { level, ...p }),
  item: async (db, code) => (await regions.features(db, { level, code, limit: 1, offset: 0 })).items[0] ?? null,
  extent: (db) => regions.extent(db, level),
});

const COLLECTIONS = new Map<string, CollectionDef>([
  ['streets', regionCollection('street', '街道 Streets',
    '街道办事处辖区，9 位区划代码。Streets (subdistricts); the id is the 9-digit division code.')],
  ['communities', regionCollection('community', '社区 Communities',
    '社区（居委会）辖区，12 位区划代码。Communities; the id is the 12-digit division code.')],
  ['grids', {
    title: '单元网格 Unit grids',
    description: '现行单元网格，15 位网格代码（社区 12 位 + 顺序码 3 位）。Current unit grids; the id is the 15-digit grid code '
      + '(community code + 3-digit sequence).',
    idKey: 'code',
    items: (db, p) => grids.inBbox(db, { ...p, predicate: 'intersects' }),
    item: (db, code) => grids.currentFeature(db, code),
    extent: (db) => grids.currentExtent(db),
  }],
  ['components', {
    title: '管理部件 Components',
    description: '城市管理部件，17 位部件标识码（区 6 位 + 小类 5 位 + 顺序码 6 位）。Components (street furniture and other managed '
      + 'objects); the id is the 17-digit identifier (district + class + sequence).',
    idKey: 'id',
    items: (db, p) => components.inBbox(db, { ...p, predicate: 'intersects' }),
    item: (db, id) => components.feature(db, id),
    extent: (db) => components.extent(db),
  }],
  ['cases', {
    title: '案件 Cases',
    description: '城市管理案件（点位），无个人信息；datetime 按上报时间筛选。仅限可查看全部案件的角色（持令牌）。Cases as points with '
      + 'case number, status, class, light, origin (live, imported, simulated) and report time; no personal data. datetime '
      + 'filters by report time. Needs a bearer token of a role that sees every case.',
    idKey: 'id',
    access: 'cases',
    // A user kept to a district (issue 12): that district's cases only; another district's case is a 404.
    items: (db, p) => caseFeatures.features(db, { now: new Date(), bbox: p.bbox, start: p.datetime?.[0], end: p.datetime?.[1], limit: p.limit, offset: p.offset, district: p.district }),
    item: (db, id, district) => caseFeatures.feature(db, id, new Date(), district),
    // The district's extent (cases lie in its grids): no scan of every case for a bounding box.
    extent: (db) => grids.currentExtent(db),
  }],
]);

/** Whether a caller may read a collection. */
function mayRead(c: CollectionDef, user: AuthUser | null): boolean {
  return c.access !== 'cases' || (user !== null && user.roles.some((r) => (STATS_ROLES as readonly string[]).includes(r)));
}

function collectionDef(id: string, user: AuthUser | null): CollectionDef {
  const c = COLLECTIONS.get(id);
  const listed = [...COLLECTIONS].filter(([, d]) => mayRead(d, user)).map(([k]) => k);
  if (!c) throw new DomainError('not_found', `No collection "${id}"; the collections are ${listed.join(', ')}`);
  if (!mayRead(c, user)) {
    if (!user) throw new DomainError('unauthorized', `Collection ${id} needs a login: send "Authorization: Bearer <token>" from POST /api/auth/login`);
    throw new DomainError('forbidden', `Collection ${id} is for roles that see every case (${STATS_ROLES.join(', ')}); yours are ${user.roles.join(', ')}`);
  }
  return c;
}

/** `bbox` of 17-069r4 §7.15.3: four numbers, or six with heights (ignored); minLon > maxLon would cross the antimeridian. */
function ogcBbox(text: string): Bbox {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length !== 4 && parts.length !== 6) {
    throw new DomainError('bad_request', `bbox must be four numbers "minLon,minLat,maxLon,maxLat" (or six with heights); got "${text}"`);
  }
  if (parts.some((p) => p === '' || !Number.isFinite(Number(p)))) {
    throw new DomainError('bad_request', `bbox must hold only numbers; got "${text}"`);
  }
  const n = parts.map(Number);
  const b: Bbox = n.length === 6 ? [n[0], n[1], n[3], n[4]] : [n[0], n[1], n[2], n[3]];
  if (b[0] > b[2]) {
    throw new DomainError('bad_request',
      `bbox minLon ${b[0]} exceeds maxLon ${b[2]}, which would cross the antimeridian; that is not supported (every collection lies in one district): send minLon ≤ maxLon`);
  }
  return parseBbox(b.join(','));
}

const INSTANT = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?$/;

/** Checks `datetime` (17-069r4 §7.15.4): an RFC 3339 instant, or "start/end" with ".." (or nothing) for an open end. */
function checkDatetime(text: string): void {
  const instant = (s: string) => INSTANT.test(s) && Number.isFinite(Date.parse(s.replace(' ', 'T')));
  const open = (s: string) => s === '..' || s === '';
  const parts = text.split('/');
  const ok = parts.length === 1
    ? instant(parts[0])
    : parts.length === 2 && parts.every((p) => open(p) || instant(p)) && !parts.every(open)
      && (open(parts[0]) || open(parts[1]) || Date.parse(parts[0]) <= Date.parse(parts[1]));
  if (!ok) {
    throw new DomainError('bad_request',
      `datetime must be an RFC 3339 date-time (2026-01-01T00:00:00Z) or an interval "start/end" with ".." for an open end; got "${text}"`);
  }
}

/** The interval of a checked `datetime` as instants (closed; null = open end). A date alone means its whole UTC day. */
function datetimeRange(text: string): [Date | null, Date | null] {
  const at = (s: string, end: boolean): Date | null => {
    if (s === '..' || s === '') return null;
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return new Date(Date.parse(s) + (end ? 86_400_000 - 1 : 0));
    return new Date(Date.parse(s.replace(' ', 'T')));
  };
  const parts = text.split('/');
  return parts.length === 1 ? [at(parts[0], false), at(parts[0], true)] : [at(parts[0], false), at(parts[1], true)];
}

/** True when an Accept header admits JSON (any application/…json type, application/* or *\/*) with q > 0. */
function acceptsJson(accept: string): boolean {
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q && !(Number(q.slice(2)) > 0)) return false;
    return type === '*/*' || type === 'application/*' || /^application\/([a-z0-9.!#$&^_-]+\+)?json$/.test(type);
  });
}

/** Query text with readable commas (they are legal in a query; GDAL and browsers send them as is). */
function queryText(q: Record<string, string | number | undefined>): string {
  const pairs = Object.entries(q).filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v)).replace(/%2C/gi, ',')}`);
  return pairs.length ? `?${pairs.join('&')}` : '';
}

const ogcRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  /** Absolute URL of the API root, /ogc. */
  const root = (req: FastifyRequest) => {
    if (deps.config.public_url) return `${deps.config.public_url.replace(/\/+$/, '')}/ogc`;
    return `${req.protocol}://${req.host || `${deps.config.host}:${deps.config.port}`}/ogc`;
  };
  /** `f=json` carries over into the links so a client that asked for it keeps getting it. */
  const fOf = (req: FastifyRequest) => (req.query as { f?: string } | undefined)?.f;
  const fq = (req: FastifyRequest) => queryText({ f: fOf(req) });

  // Who is asking (a token is optional; a token that is sent must be valid): decides whether `cases` is served.
  app.addHook('onRequest', app.authenticateOptional);

  // Content negotiation for every route of this plugin (it is encapsulated): JSON only.
  app.addHook('preHandler', async (req) => {
    const f = fOf(req);
    if (f !== undefined) {
      if (f !== 'json') throw new DomainError('bad_request', `f=${f} is not served; this API answers in JSON only (f=json)`);
      return;
    }
    const accept = req.headers.accept;
    if (accept && !acceptsJson(accept)) {
      throw new DomainError('not_acceptable', `Accept: ${accept} cannot be served; this API answers in JSON only (application/json, application/geo+json)`);
    }
  });

  const notAcceptable = { 401: ErrorBody, 406: ErrorBody }; // 401: a token that is sent must be valid (the hook below)

  const landing = async (req: FastifyRequest) => {
    const r = root(req);
    const apiDoc = r.replace(/\/ogc$/, '/api/openapi.json');
    return {
      title: 'Gridline — OGC API – Features',
      description: '网格化城市管理：街道、社区、单元网格与管理部件。Grid-based urban management: streets, communities, unit grids and '
        + 'components as OGC API – Features (Part 1 Core, GeoJSON).',
      links: [
        { href: `${r}${fq(req)}`, rel: 'self', type: JSON_TYPE, title: 'This document' },
        { href: apiDoc, rel: 'service-desc', type: OPENAPI, title: 'The API definition (OpenAPI 3.0)' },
        { href: `${r}/conformance${fq(req)}`, rel: 'conformance', type: JSON_TYPE, title: 'Conformance classes' },
        { href: `${r}/collections${fq(req)}`, rel: 'data', type: JSON_TYPE, title: 'Collections' },
      ],
    };
  };
  const landingSchema = {
    tags: ['ogc'], summary: 'OGC API – Features landing page',
    querystring: FormatQuery,
    response: { 200: LandingPage, ...errorResponses, ...notAcceptable },
  };
  app.get('/ogc', { schema: landingSchema }, landing);
  app.get('/ogc/', { schema: { ...landingSchema, hide: true } }, landing);

  app.get('/ogc/conformance', {
    schema: {
      tags: ['ogc'], summary: 'Conformance classes: Features Part 1 core, GeoJSON, OpenAPI 3.0',
      querystring: FormatQuery,
      response: { 200: ConfClasses, ...errorResponses, ...notAcceptable },
    },
  }, async () => ({ conformsTo: [...CONFORMANCE] }));

  const collectionDoc = async (req: FastifyRequest, id: string, c: CollectionDef) => {
    const href = `${root(req)}/collections/${id}`;
    const bbox = await c.extent(deps.db);
    return {
      id,
      title: c.title,
      description: c.description,
      links: [
        { href: `${href}${fq(req)}`, rel: 'self', type: JSON_TYPE, title: c.title },
        { href: `${href}/items${fq(req)}`, rel: 'items', type: GEOJSON, title: `${c.title} (GeoJSON)` },
      ],
      ...(bbox ? { extent: { spatial: { bbox: [bbox], crs: CRS84 } } } : {}),
      itemType: 'feature' as const,
    };
  };

  app.get('/ogc/collections', {
    schema: {
      tags: ['ogc'], summary: 'The feature collections: streets, communities, grids, components (and cases, with a token of a role that sees every case)',
      querystring: FormatQuery,
      response: { 200: Collections, ...errorResponses, ...notAcceptable },
    },
  }, async (req) => {
    const collections = [];
    for (const [id, c] of COLLECTIONS) if (mayRead(c, req.user)) collections.push(await collectionDoc(req, id, c));
    return { links: [{ href: `${root(req)}/collections${fq(req)}`, rel: 'self', type: JSON_TYPE, title: 'Collections' }], collections };
  });

  app.get('/ogc/collections/:collectionId', {
    schema: {
      tags: ['ogc'], summary: 'One feature collection: title, spatial extent (CRS84), links',
      params: CollectionParams,
      querystring: FormatQuery,
      response: { 200: Collection, ...errorResponses, ...notAcceptable },
    },
  }, async (req) => collectionDoc(req, req.params.collectionId, collectionDef(req.params.collectionId, req.user)));

  app.get('/ogc/collections/:collectionId/items', {
    schema: {
      tags: ['ogc'], summary: 'Features of a collection, paged (GeoJSON FeatureCollection)',
      description: 'numberMatched counts every feature that matches; a `next` link is present while more remain. '
        + `limit defaults to ${ITEMS_LIMIT.default}; a limit above ${ITEMS_LIMIT.maximum} is a 400.`,
      params: CollectionParams,
      querystring: ItemsQuery,
      response: {
        200: geojsonResponse('GeoJSON FeatureCollection with numberMatched, numberReturned, timeStamp and links', OgcItemsSchema),
        ...errorResponses, ...notAcceptable,
      },
    },
  }, async (req, reply) => {
    const id = req.params.collectionId;
    const c = collectionDef(id, req.user);
    const { limit, offset, datetime, f } = req.query;
    const bbox = req.query.bbox === undefined ? undefined : ogcBbox(req.query.bbox);
    if (datetime !== undefined) checkDatetime(datetime);
    const district = await userDistrict(deps.db, req.user);
    const { items, total } = await c.items(deps.db, { bbox, limit, offset, datetime: datetime === undefined ? undefined : datetimeRange(datetime), district });

    const href = `${root(req)}/collections/${id}`;
    const page = (at: number) => `${href}/items${queryText({ bbox: req.query.bbox, datetime, limit, offset: at || undefined, f })}`;
    const links = [
      { href: page(offset), rel: 'self', type: GEOJSON, title: 'This page' },
      { href: `${href}${fq(req)}`, rel: 'collection', type: JSON_TYPE, title: c.title },
    ];
    if (offset + items.length < total) links.push({ href: page(offset + items.length), rel: 'next', type: GEOJSON, title: 'Next page' });
    if (offset > 0) links.push({ href: page(Math.max(0, offset - limit)), rel: 'prev', type: GEOJSON, title: 'Previous page' });

    return reply.type(GEOJSON).send(featureCollectionText(items, c.idKey, {
      numberMatched: total,
      numberReturned: items.length,
      timeStamp: new Date().toISOString(),
      links,
    }));
  });

  app.get('/ogc/collections/:collectionId/items/:featureId', {
    schema: {
      tags: ['ogc'], summary: 'One feature (GeoJSON Feature with self and collection links)',
      params: FeatureParams,
      querystring: FormatQuery,
      response: {
        200: geojsonResponse('GeoJSON Feature', OgcFeatureSchema),
        ...errorResponses, ...notAcceptable,
      },
    },
  }, async (req, reply) => {
    const { collectionId: id, featureId } = req.params;
    const c = collectionDef(id, req.user);
    const row = await c.item(deps.db, featureId, await userDistrict(deps.db, req.user));
    if (!row) throw new DomainError('not_found', `No feature "${featureId}" in collection ${id}`);
    const href = `${root(req)}/collections/${id}`;
    const links = [
      { href: `${href}/items/${encodeURIComponent(featureId)}${fq(req)}`, rel: 'self', type: GEOJSON, title: 'This feature' },
      { href: `${href}${fq(req)}`, rel: 'collection', type: JSON_TYPE, title: c.title },
    ];
    return reply.type(GEOJSON).send(`${featureText(row, c.idKey).slice(0, -1)},"links":${JSON.stringify(links)}}`);
  });
};

export default ogcRoutes;
