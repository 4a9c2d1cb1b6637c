// Response schemas of the evaluation (docs/evaluation.md; docs/leader-api.md): figures, rows, the headline indicators,
// the settings in force, and the cases behind a figure.
import { Type, type Static } from '@fastify/type-provider-typebox';
import { OBJECTS, POSTS, REGION_LEVELS } from '../../domain/evaluation.js';
import { CaseViewSchema } from './cases.js';
import { Exact, Nullable, StringEnum } from './shapes.js';

const Grade = StringEnum(['A', 'B', 'C', 'D', 'E'] as const);
const BandSet = ['post_count', 'department_count', 'region_class_1', 'region_class_2'] as const;

export const FigureSchema = Exact({
  numerator: Type.Number(),
  denominator: Nullable(Type.Number(), { description: 'null for a count scored by bands that is not averaged' }),
  rate: Nullable(Type.Number(), { description: 'null: no data (a zero denominator)' }),
  score: Nullable(Type.Number()),
  weight: Type.Number(),
  used_weight: Type.Number({ description: 'the weight after renormalising over the indicators with data' }),
});

export const RateSchema = Exact({ numerator: Type.Number(), denominator: Type.Number(), rate: Nullable(Type.Number()) });

export const BandSchema = Exact({ min: Type.Number(), max: Nullable(Type.Number()), score: Type.Number() });
const Bands = () => Type.Array(BandSchema);

export const SettingsSchema = Exact({
  weights: Type.Record(Type.String(), Type.Record(Type.String(), Type.Number()), { description: 'group (regions, departments or a post) → indicator → weight' }),
  bands: Exact(Object.fromEntries(BandSet.map((k) => [k, Bands()])) as Record<(typeof BandSet)[number], ReturnType<typeof Bands>>),
  grades: Type.Array(Exact({ grade: Grade, min: Type.Number() })),
  region_classes: Type.Record(Type.String(), Type.Integer({ minimum: 1, maximum: 2 }), { description: 'region code → class 1 or 2' }),
  version: Type.Integer({ minimum: 0, description: '0: the evaluation.md defaults' }),
  source: StringEnum(['default', 'stored'] as const),
}, { description: 'weights, bands and grades in force' });
export type EvaluationSettings = Static<typeof SettingsSchema>;

export const HeadlineSchema = Exact({
  from: Type.String(), to: Type.String(), region: Nullable(Type.String()),
  discovery_rate: RateSchema, dispatch_accuracy: RateSchema, suggestion_accuracy: RateSchema, closing_rate: RateSchema, on_time_closing_rate: RateSchema,
  avg_handling_hours: Exact({ working: Nullable(Type.Number()), natural: Nullable(Type.Number()), count: Type.Integer() }),
  reference: Exact({
    discovery_rate: Type.Number(), dispatch_accuracy: Type.Number(), avg_handling_hours: Type.Number(), closing_rate: Type.Number(),
  }, { description: 'Dongcheng\'s published figures' }),
});
export type Headline = Static<typeof HeadlineSchema>;

export const IndicatorSchema = Exact({
  key: Type.String(), kind: StringEnum(['rate', 'bad_rate', 'count_band'] as const), label_zh: Type.String(), label_en: Type.String(),
  band: Type.Optional(StringEnum(BandSet, 'count_band: the bands that score it')), weight: Type.Number(),
});

export const EvaluationRowSchema = Exact({
  key: Type.String({ description: 'region code, department id or user id' }), name: Type.String(),
  level: Nullable(StringEnum(REGION_LEVELS)), post: Nullable(StringEnum(POSTS)),
  grids: Type.Optional(Type.Integer({ description: 'regions: unit grids in the region' })),
  region_class: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 })),
  indicators: Type.Record(Type.String(), FigureSchema),
  composite: Nullable(Type.Number()), grade: Nullable(Grade),
  satisfaction: Type.Optional(Exact({
    count: Type.Integer({ minimum: 0, description: 'ratings given in the period (回访)' }),
    average_score: Nullable(Type.Number({ description: 'mean of 100 / 80 / 0; null: no ratings ("no data")' })),
    satisfied_rate: Nullable(Type.Number({ description: 'satisfied ÷ ratings; null: no ratings' })),
  }, { description: 'regions and departments: the satisfaction call-backs (issue 11)' })),
  extra: Nullable(Type.Record(Type.String(), Nullable(Type.Number())), { description: 'departments: pending, overdue, returns, extensions …' }),
});

export const EvaluationSchema = Exact({
  object: StringEnum(OBJECTS), from: Type.String(), to: Type.String(),
  level: Nullable(StringEnum(REGION_LEVELS)), post: Nullable(StringEnum(POSTS)), parent: Nullable(Type.String()),
  settings: Exact({
    version: Type.Integer(), source: StringEnum(['default', 'stored'] as const),
    weights: Type.Record(Type.String(), Type.Number()), bands: SettingsSchema.properties.bands, grades: SettingsSchema.properties.grades,
  }),
  indicators: Type.Array(IndicatorSchema),
  rows: Type.Array(EvaluationRowSchema),
});
export type Evaluation = Static<typeof EvaluationSchema>;

export const FigureCasesSchema = Exact({
  items: Type.Array(CaseViewSchema),
  total: Type.Integer({ description: 'distinct cases' }),
  events: Type.Integer({ description: 'rows counted by the figure (a case dispatched twice counts twice)' }),
});
export type FigureCases = Static<typeof FigureCasesSchema>;
