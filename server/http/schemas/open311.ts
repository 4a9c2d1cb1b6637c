// Schemas of Open311 GeoReport v2 (/open311/v2/…, issue 11) and of the admin's API keys (/api/admin/open311-keys).
// The JSON answers are exact; each XML answer carries the same fields (domain/open311.ts toXml).
import { Type } from '@fastify/type-provider-typebox';
import { DateTime, Exact, Nullable, StringEnum } from './shapes.js';
import { CASE_STATUSES } from '../../domain/workflow.js';

const Str = (description: string) => Type.String({ description });

export const Open311ErrorsSchema = Type.Array(Exact({
  code: Str('the HTTP status, as a string'),
  description: Str('what is wrong and what to send instead'),
}), { minItems: 1, description: 'GeoReport v2 errors' });

export const XmlBody = Type.String({ description: 'the same fields as the JSON answer, as the GeoReport v2 XML (UTF-8)' });

export const DiscoverySchema = Exact({
  changeset: DateTime('when this interface last changed'),
  contact: Type.String(),
  key_service: Type.String(),
  endpoints: Type.Array(Exact({
    specification: Type.String(), url: Type.String(), changeset: DateTime(), type: StringEnum(['production'] as const),
    formats: Type.Array(Type.String()),
  })),
});

export const ServiceSchema = Exact({
  service_code: Str('the 5-digit matter class code (GB/T 47678.5-2026)'),
  service_name: Type.String(),
  description: Type.String(),
  metadata: Type.Boolean({ description: 'true: GET services/{code} lists attributes to send (the component id)' }),
  type: StringEnum(['realtime'] as const),
  keywords: Type.String(),
  group: Str('the major class'),
});

export const ServiceDefinitionSchema = Exact({
  service_code: Type.String(),
  attributes: Type.Array(Exact({
    variable: Type.Boolean(), code: Type.String(),
    datatype: StringEnum(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const),
    required: Type.Boolean(), datatype_description: Type.String(), order: Type.Integer(), description: Type.String(),
    values: Type.Array(Exact({ key: Type.String(), name: Type.String() })),
  })),
});

export const RequestSchema = Exact({
  service_request_id: Str('the case number'),
  status: StringEnum(['open', 'closed'] as const),
  status_notes: Str('the case\'s state in words'),
  detailed_status: StringEnum(CASE_STATUSES, 'extension: the case\'s state (docs/workflow.md)'),
  service_name: Nullable(Type.String()),
  service_code: Type.String(),
  description: Nullable(Type.String()),
  agency_responsible: Nullable(Type.String()),
  service_notice: Nullable(Type.String()),
  requested_datetime: DateTime(),
  updated_datetime: DateTime(),
  expected_datetime: Nullable(DateTime()),
  address: Nullable(Type.String()),
  address_id: Nullable(Type.String()),
  zipcode: Nullable(Type.String()),
  lat: Type.Number(),
  long: Type.Number(),
  media_url: Nullable(Type.String()),
  jurisdiction_id: Str('the district code'),
});

export const UpdateSchema = Exact({
  update_id: Type.String(),
  service_request_id: Type.String(),
  status: StringEnum(['OPEN', 'INVESTIGATING', 'ACTION_SCHEDULED', 'IN_PROGRESS', 'FIXED', 'CLOSED', 'DUPLICATE', 'NO_FURTHER_ACTION'] as const),
  updated_datetime: DateTime(),
  description: Type.String(),
  media_url: Nullable(Type.String()),
  external_status_code: StringEnum(CASE_STATUSES),
});

export const PostAnswerSchema = Type.Array(Type.Union([
  Exact({ service_request_id: Type.String(), service_notice: Type.String(), account_id: Nullable(Type.String()) }),
  Exact({ token: Type.String(), service_notice: Type.String(), account_id: Nullable(Type.String()) }),
]), { minItems: 1, maxItems: 1 });

export const TokenAnswerSchema = Type.Array(Exact({ service_request_id: Type.String(), token: Type.String() }), { minItems: 1, maxItems: 1 });

const Opt = (description: string, maxLength = 200) => Type.Optional(Type.String({ maxLength, description }));

/** The POST requests form (application/x-www-form-urlencoded or multipart/form-data); attribute[code] fields too. */
export const PostForm = Type.Object({
  api_key: Type.String({ maxLength: 200, description: 'the key of the client system (403 without a valid one)' }),
  service_code: Type.String({ maxLength: 10, description: 'from services.json' }),
  lat: Type.String({ maxLength: 40, description: 'WGS84 latitude' }),
  long: Type.String({ maxLength: 40, description: 'WGS84 longitude' }),
  jurisdiction_id: Opt('the district code; optional', 40),
  address_string: Opt('where, in words', 256),
  address_id: Opt('an address id of the client'),
  description: Opt('what is wrong, at most 4,000 characters', 4000),
  media_url: Opt('a link to a photo (stored, not fetched)', 2000),
  email: Opt('the reporter\'s e-mail (never shown by a GET)', 254),
  first_name: Opt('never shown by a GET', 50),
  last_name: Opt('never shown by a GET', 50),
  phone: Opt('never shown by a GET', 30),
  device_id: Opt('the client device'),
  account_id: Opt('the reporter\'s account at the client'),
  media: Type.Optional(Type.String({ format: 'binary', description: 'a photo (multipart only): JPEG, PNG or WebP' })),
}, { additionalProperties: Type.String({ maxLength: 1000 }), description: 'attribute[component_id], attribute[client_request_id] … are accepted as well' });

const Filter = (description: string, maxLength = 4000) => Type.Optional(Type.String({ maxLength, description }));

export const RequestsQuery = Type.Object({
  service_request_id: Filter('comma list of ids; with it, no date window applies unless given'),
  service_code: Filter('comma list of service codes'),
  start_date: Filter('ISO 8601 with a time zone', 40),
  end_date: Filter('ISO 8601 with a time zone; at most 90 days after start_date', 40),
  status: Filter('open, closed, or both', 20),
  jurisdiction_id: Filter('the district code: only that district\'s requests', 40),
  api_key: Filter('optional: GETs are public; a key bound to a district answers that district\'s requests only (an unknown key is ignored)', 200),
}, { additionalProperties: false });

export const UpdatesQuery = Type.Object({
  start_date: Filter('ISO 8601 with a time zone', 40),
  end_date: Filter('ISO 8601 with a time zone; at most 90 days after start_date', 40),
  jurisdiction_id: Filter('the district code: only that district\'s updates', 40),
  api_key: Filter('optional: the updates are public; a key bound to a district answers that district\'s only', 200),
}, { additionalProperties: false });

export const JurisdictionQuery = Type.Object({
  jurisdiction_id: Filter('the district code', 40),
  api_key: Filter('optional: GETs are public; a key bound to a district finds that district\'s requests only', 200),
}, { additionalProperties: false });

// ---- admin ----

export const KeySchema = Exact({
  id: Type.Integer(), name: Type.String(), source: StringEnum(['public', 'hotline', 'media'] as const),
  answer: StringEnum(['service_request_id', 'token'] as const), key_prefix: Str('the first characters of the key, to tell keys apart'),
  district_code: Nullable(Str('the district its client system reports in and reads; null: every district')),
  created_at: DateTime(), created_by: Nullable(Type.Integer()), revoked_at: Nullable(DateTime()), revoked_by: Nullable(Type.Integer()),
});

export const IssuedKeySchema = Exact({ ...KeySchema.properties, api_key: Str('the key: shown this once, stored only as its sha256') });

export const IssueKeyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, description: 'the client system' }),
  source: Type.Optional(StringEnum(['public', 'hotline', 'media'] as const, 'the source its reports carry (default public)')),
  answer: Type.Optional(StringEnum(['service_request_id', 'token'] as const, 'what POST requests answers (default service_request_id)')),
  district_code: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: 'bind the key to one district: its POSTs must lie there, its GETs answer that district only (default: every district)' })),
}, { additionalProperties: false });
