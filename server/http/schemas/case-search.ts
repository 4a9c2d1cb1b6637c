// The query of a case search (docs/leader-api.md §Case search): GET /api/cases and the case exports take it alike.
// Types only here; values are checked by domain/case-search.ts, whose messages name the field and what to send.
import { Type } from '@fastify/type-provider-typebox';
import { CASE_STATUSES } from '../../domain/workflow.js';
import { CASE_CHANNELS, CASE_ORIGINS, CASE_SORTS, MAX_Q_LENGTH } from '../../domain/case-search.js';

const list = (values: readonly string[], what: string) => Type.Optional(Type.String({ description: `${what}: one or several of ${values.join(', ')}, comma-separated` }));
const date = (what: string) => Type.Optional(Type.String({ description: `${what} (local date of the district, inclusive), YYYY-MM-DD`, examples: ['2026-01-31'] }));

/** Search fields without paging (the exports page on their own). */
export const CaseSearchFields = {
  q: Type.Optional(Type.String({ description: `case number prefix, or text in the description or address (at most ${MAX_Q_LENGTH} characters)` })),
  class: Type.Optional(Type.String({ description: '5-digit class code', examples: ['06010'] })),
  major: Type.Optional(Type.String({ description: '2-digit major class code', examples: ['06'] })),
  grid: Type.Optional(Type.String({ description: '15-digit unit-grid code' })),
  community: Type.Optional(Type.String({ description: '12-digit community code' })),
  street: Type.Optional(Type.String({ description: '9-digit street code' })),
  department: Type.Optional(Type.Integer({ minimum: 1, description: 'department id (the one handling the case)' })),
  status: list(CASE_STATUSES, 'status'),
  source: list(CASE_CHANNELS, 'report channel'),
  origin: list(CASE_ORIGINS, 'origin'),
  light: Type.Optional(Type.String({ description: 'light of the current step: green, yellow or red' })),
  from: date('reported on or after'),
  to: date('reported on or before'),
  sort: Type.Optional(Type.String({ description: `${CASE_SORTS.join(', ')} (default light: red first)` })),
};

export const CaseSearchQuerystring = Type.Object({
  ...CaseSearchFields,
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
}, { additionalProperties: false });
