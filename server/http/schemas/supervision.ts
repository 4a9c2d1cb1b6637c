// Electronic supervision (电子监察, issue 10): request and response schemas of /api/supervision/….
import { Type, type Static } from '@fastify/type-provider-typebox';
import { SUPERVISION_CATEGORIES, THRESHOLD_BOUNDS } from '../../domain/supervision.js';
import { STEPS } from '../../domain/workflow.js';
import { DateTime, Exact, Nullable, StringEnum } from './shapes.js';

const Days = Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30,
  description: 'urges, late returns and extensions: the window, days back from now (default 30)' }));

export const SummaryQuery = Type.Object({ days: Days }, { additionalProperties: false });

export const ListParams = Type.Object({ category: StringEnum(SUPERVISION_CATEGORIES, 'which list') });

export const ListQuery = Type.Object({
  days: Days,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  department: Type.Optional(Type.String({ maxLength: 12, pattern: '^([1-9][0-9]{0,9}|centre)$',
    description: 'overdue only: a department id, or centre for the steps on the centre\'s posts' })),
  step: Type.Optional(StringEnum(STEPS, 'overdue only: one step')),
  answered: Type.Optional(StringEnum(['yes', 'no'] as const, 'urged only: answered or unanswered urges')),
}, { additionalProperties: false });

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const threshold = (k: keyof typeof THRESHOLD_BOUNDS, description: string) =>
  Type.Integer({ minimum: THRESHOLD_BOUNDS[k][0], maximum: THRESHOLD_BOUNDS[k][1], description });

const ThresholdFields = {
  department_overdue: threshold('department_overdue', 'alert when a department has this many overdue cases or more'),
  step_overdue: threshold('step_overdue', 'alert when a step has this many overdue cases or more'),
  stockpiled: threshold('stockpiled', 'alert at this many stockpiled cases (suspended past the stockpile limit) or more'),
  unanswered_urge_hours: threshold('unanswered_urge_hours', 'alert when an urge of an open case is unanswered for more than this many hours'),
};

export const ThresholdsBody = Type.Object(ThresholdFields, { additionalProperties: false });

export const ThresholdsSchema = Exact({
  ...ThresholdFields,
  version: Type.Integer({ minimum: 0, description: '0: the Gridline defaults, never changed' }),
  source: StringEnum(['default', 'stored'] as const),
  updated_at: Nullable(DateTime()),
  updated_by: Nullable(Type.Integer()),
  updated_by_name: Nullable(Type.String()),
});

export const AlertSchema = Exact({
  kind: StringEnum(['department_overdue', 'step_overdue', 'stockpiled', 'unanswered_urges'] as const),
  key: Type.String({ description: 'stable per kind and subject' }),
  count: Count('cases (or unanswered urges) behind the alert'),
  threshold: Type.Integer({ description: 'the threshold crossed (hours for unanswered_urges)' }),
  department_id: Nullable(Type.Integer()),
  department_name: Nullable(Type.String()),
  step: Nullable(Type.String()),
  category: StringEnum(SUPERVISION_CATEGORIES, 'the list that opens the cases'),
});

export const AlertsSchema = Exact({ now: DateTime(), alerts: Type.Array(AlertSchema) });

export const SummarySchema = Exact({
  now: DateTime(),
  from: DateTime('start of the window of urges, late returns and extensions'),
  to: DateTime(),
  days: Type.Integer(),
  counts: Exact({
    overdue: Count('open cases whose current step is red'),
    urged: Count('urges in the window'),
    unanswered_urges: Count('of those, not answered by the handling side yet'),
    stockpiled: Count('cases suspended past the stockpile limit (积存)'),
    late_returns: Count('return applications in the window later than the return limit after dispatch'),
    extensions: Count('extensions granted in the window'),
    extension_hours: Type.Number({ minimum: 0, description: 'hours those extensions granted' }),
  }),
  steps: Type.Array(StringEnum(STEPS), { description: 'the steps with overdue cases, in workflow order (the table\'s columns)' }),
  departments: Type.Array(Exact({
    department_id: Nullable(Type.Integer(), { description: 'null: the centre\'s posts (every step but handling)' }),
    department_name: Nullable(Type.String()),
    total: Count('overdue cases'),
    by_step: Type.Record(Type.String(), Type.Integer(), { description: 'overdue cases per step' }),
  }), { description: 'worst first' }),
  alerts: Type.Array(AlertSchema),
  thresholds: Exact(ThresholdFields),
});

export const SupervisionRowSchema = Exact({
  id: Type.String({ format: 'uuid' }),
  case_no: Type.String(),
  status: Type.String(),
  class_code: Type.String(),
  step: Nullable(Type.String()),
  department_id: Nullable(Type.Integer()),
  department_name: Nullable(Type.String()),
  address: Nullable(Type.String()),
  grid_code: Type.String(),
  urgent: Type.Boolean(),
  event_at: DateTime('overdue: when the step turned red; urged: the urge; stockpiled: the suspension\'s start; late_returns: the application; extensions: the grant'),
  dispatched_at: Nullable(DateTime()),
  answered_at: Nullable(DateTime('urged: the handling side\'s first action after the urge')),
  answer_action: Nullable(Type.String()),
  extension_hours: Nullable(Type.Number()),
  return_outcome: Nullable(StringEnum(['approved', 'denied', 'pending'] as const)),
});

export const SupervisionListSchema = Exact({
  category: StringEnum(SUPERVISION_CATEGORIES),
  now: DateTime(),
  from: DateTime(),
  to: DateTime(),
  items: Type.Array(SupervisionRowSchema),
  total: Count('rows in all'),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export type SupervisionSummary = Static<typeof SummarySchema>;
export type SupervisionList = Static<typeof SupervisionListSchema>;
export type SupervisionRowWire = Static<typeof SupervisionRowSchema>;
export type SupervisionAlert = Static<typeof AlertSchema>;
export type SupervisionAlerts = Static<typeof AlertsSchema>;
export type SupervisionThresholds = Static<typeof ThresholdsSchema>;
