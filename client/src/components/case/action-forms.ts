// Which control each workflow action gets: its button tone and the fields of its form (pure; the rules' required and
// optional fields come from the workflow table, server/domain/workflow.ts RULES).
import { RULES, type FieldName } from '../../../../server/domain/workflow.js';
import type { CaseAction } from '../../api/types.js';

/** The main line of the loop: drawn as primary buttons. */
const PRIMARY: readonly CaseAction[] = [
  'accept', 'file', 'dispatch', 'feedback', 'send_check', 'send_verify', 'close', 'approve_return', 'approve_extension',
  'approve_suspension', 'resume', 'approve_self_handled',
];
/** Actions that end or refuse something: drawn in red. */
const DANGER: readonly CaseAction[] = ['reject', 'refuse', 'void', 'reject_self_handled'];
/** Fields the forms offer (department, class and condition have their own controls or are left to the server). */
const FORM_FIELDS: readonly FieldName[] = ['hours', 'reason', 'closing_type', 'photo_ids', 'note'];

/** The fields of an action's form, required first; empty when the action is a single click. */
export function formFieldsOf(action: CaseAction): { name: FieldName; required: boolean }[] {
  const rule = RULES[action];
  if (action === 'approve_extension' || action === 'dispatch' || action === 'verify' || action === 'check') return [];
  const required = (rule.required ?? []).filter((f) => FORM_FIELDS.includes(f));
  const optional = (rule.optional ?? []).filter((f) => FORM_FIELDS.includes(f) && f !== 'hours');
  if (!required.length && !optional.length) return [];
  const fields = [...required.map((name) => ({ name, required: true })), ...optional.map((name) => ({ name, required: false }))];
  if (!fields.some((f) => f.name === 'note')) fields.push({ name: 'note', required: false });
  return fields;
}

export const toneOf = (a: CaseAction): 'primary' | 'secondary' | 'danger' => (DANGER.includes(a) ? 'danger' : PRIMARY.includes(a) ? 'primary' : 'secondary');

