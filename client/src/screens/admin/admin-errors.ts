// What the admin console tells the person when a request failed: a message key by the error's code, status and
// what was being done, never the server's own (English) text (docs/style.md §2.4).
import { ApiError } from '../../api/http.js';
import type { MessageKey } from '../../i18n/index.js';

export type ErrorContext = 'user' | 'password' | 'department' | 'class_default' | 'grids' | 'import' | 'other';

export function adminErrorKey(e: unknown, context: ErrorContext = 'other'): MessageKey {
  if (!(e instanceof ApiError)) return 'adm_err_other';
  if (e.isNetwork) return 'adm_err_network';
  const msg = e.message;
  if (e.status === 401 || e.status === 403) return 'adm_err_forbidden';
  if (e.status === 404) return 'adm_err_not_found';
  if (e.status === 413) return context === 'import' ? 'adm_imp_too_large' : 'adm_err_bad_request';
  if (e.status === 409) return context === 'user' ? 'adm_err_username_taken' : 'adm_err_conflict';
  if (e.status === 400 || e.status === 415 || e.status === 408) {
    if (context === 'import') return 'adm_imp_file_refused';
    if (/password/i.test(msg)) return 'adm_err_password';
    if (/username/i.test(msg)) return 'adm_err_username';
    if (/themself|own admin/i.test(msg)) return 'adm_err_self';
    if (/role|department_id|crew/i.test(msg) && context === 'user') return 'adm_err_roles';
    if (/credit code/i.test(msg)) return 'adm_err_credit_code';
    return 'adm_err_bad_request';
  }
  if (e.status === 422) {
    if (context === 'grids' && /inspector/i.test(msg)) return 'adm_err_not_inspector';
    if (/deactivated/i.test(msg)) return 'adm_err_inactive_department';
    if (/under itself/i.test(msg)) return 'adm_err_parent_loop';
    return 'adm_err_unprocessable';
  }
  return 'adm_err_other';
}
