// The admin console (issue 10): departments, class defaults, inspectors' responsibility grids and the audit log.
// Every change runs in one transaction with its audit entry (who, what, before/after), so both commit or neither.
import * as audit from '../db/audit.js';
import * as departments from '../db/departments.js';
import * as grids from '../db/responsibility-grids.js';
import * as users from '../db/users.js';
import type { Queryable } from '../db/types.js';
import { DomainError } from '../domain/errors.js';
import { changes, checkResponsibilityCodes, creditCode, departmentName, type DepartmentDraft } from '../domain/admin.js';

export type Actor = { id: number; username: string };
export type AdminDeps = { db: Queryable; clock: { now(): Date } };
type Meta = { ip: string | null };

const entry = (deps: AdminDeps, by: Actor, meta: Meta, action: string, target: string, detail: Record<string, unknown>) =>
  ({ at: deps.clock.now(), action, user_id: by.id, username: by.username, target, ip: meta.ip, detail });

// ── Departments ─────────────────────────────────────────────────────────────────────────────────────────────

export function listDepartments(deps: Pick<AdminDeps, 'db'>) {
  return departments.listWithUse(deps.db);
}

export type DepartmentInput = { name?: string; credit_code?: string | null; level?: number; parent_id?: number | null; active?: boolean };

async function checkParent(db: Queryable, id: number | null, parent_id: number | null): Promise<void> {
  if (parent_id === null) return;
  const parent = await departments.get(db, parent_id);
  if (!parent) throw new DomainError('bad_request', `No department with id ${parent_id} to be the parent`, { field: 'parent_id' });
  if (id !== null && await departments.isSelfOrAncestor(db, parent_id, id)) {
    throw new DomainError('unprocessable', 'A department cannot sit under itself or under one of its own sub-departments', { field: 'parent_id' });
  }
}

/** Creates a department. @throws DomainError bad_request, conflict (name or credit code taken) */
export async function createDepartment(deps: AdminDeps, by: Actor, input: DepartmentInput & { name: string }, meta: Meta): Promise<departments.DepartmentRow> {
  const draft: DepartmentDraft = {
    name: departmentName(input.name), credit_code: creditCode(input.credit_code), level: input.level ?? 2,
    parent_id: input.parent_id ?? null, active: input.active ?? true,
  };
  return deps.db.transaction(async (tx) => {
    await checkParent(tx, null, draft.parent_id);
    const created = await departments.insert(tx, draft);
    if (!created) {
      const same = await departments.findByName(tx, draft.name);
      throw new DomainError('conflict', same
        ? `A department named "${draft.name}" exists already (id ${same.id}); edit that one or choose another name`
        : `Another department has the credit code ${draft.credit_code}`, { id: same?.id ?? null });
    }
    await audit.record(tx, entry(deps, by, meta, 'department.created', `department:${created.id}`, { after: draft }));
    return created;
  });
}

/**
 * Changes a department; `active: false` deactivates it (停用): nothing that refers to it changes, it is only no
 * longer offered. @throws DomainError not_found, bad_request, conflict, unprocessable (a parent loop)
 */
export async function updateDepartment(deps: AdminDeps, by: Actor, id: number, input: DepartmentInput, meta: Meta): Promise<departments.DepartmentRow> {
  return deps.db.transaction(async (tx) => {
    const current = await departments.get(tx, id);
    if (!current) throw new DomainError('not_found', `No department with id ${id}`);
    const { id: _id, ...before } = current;
    const after: DepartmentDraft = {
      name: input.name !== undefined ? departmentName(input.name) : before.name,
      credit_code: input.credit_code !== undefined ? creditCode(input.credit_code) : before.credit_code,
      level: input.level ?? before.level,
      parent_id: input.parent_id !== undefined ? input.parent_id : before.parent_id,
      active: input.active ?? before.active,
    };
    if (after.parent_id !== before.parent_id) await checkParent(tx, id, after.parent_id);
    const diff = changes(before, after);
    if (Object.keys(diff.after).length === 0) return current; // a retried save: nothing to change, nothing to record
    if (after.name !== before.name) {
      const same = await departments.findByName(tx, after.name);
      if (same && same.id !== id) throw new DomainError('conflict', `A department named "${after.name}" exists already (id ${same.id})`, { id: same.id });
    }
    const updated = await departments.update(tx, id, after);
    if (!updated) throw new DomainError('conflict', `Another department has the credit code ${after.credit_code}`);
    const action = diff.after.active === false ? 'department.deactivated' : diff.after.active === true ? 'department.reactivated' : 'department.updated';
    await audit.record(tx, entry(deps, by, meta, action, `department:${id}`, diff));
    return updated;
  });
}

// ── Class defaults ──────────────────────────────────────────────────────────────────────────────────────────

export function listClassDefaults(deps: Pick<AdminDeps, 'db'>, kind: 'component' | 'matter' | null) {
  return departments.classDefaults(deps.db, kind);
}

/**
 * Sets which department a class goes to by default (null: none). Setting what is already set records nothing.
 * @throws DomainError not_found (class), bad_request (department), unprocessable (a deactivated department)
 */
export async function setClassDefault(deps: AdminDeps, by: Actor, kind: 'component' | 'matter', class_code: string, department_id: number | null, meta: Meta) {
  return deps.db.transaction(async (tx) => {
    const row = (await departments.classDefaults(tx, kind)).find((c) => c.class_code === class_code);
    if (!row) throw new DomainError('not_found', `No ${kind} class ${class_code}`);
    if (department_id !== null) {
      const d = await departments.get(tx, department_id);
      if (!d) throw new DomainError('bad_request', `No department with id ${department_id}`, { field: 'department_id' });
      if (!d.active) throw new DomainError('unprocessable', `The department "${d.name}" is deactivated; reactivate it or choose another`, { field: 'department_id' });
    }
    if (row.department_id === department_id) return row;
    await departments.setClassDefault(tx, kind, class_code, department_id);
    await audit.record(tx, entry(deps, by, meta, 'class_default.changed', `class:${kind}:${class_code}`,
      { before: { department_id: row.department_id }, after: { department_id } }));
    return { ...row, department_id };
  });
}

// ── Responsibility grids of inspectors ──────────────────────────────────────────────────────────────────────

export function listResponsibilityGrids(deps: Pick<AdminDeps, 'db'>, inspector_id: number | null) {
  return grids.list(deps.db, { inspector_id });
}

export function responsibilityOutlines(deps: Pick<AdminDeps, 'db'>) {
  return grids.outlines(deps.db);
}

export type GridChange = { mode: 'set' | 'add' | 'remove'; codes: string[] };

/**
 * Sets, adds to or removes from an inspector's responsibility grids. A grid another inspector held moves to this one
 * (the answer and the audit entry name whom it was taken from). A change that changes nothing records nothing.
 * @throws DomainError not_found (user), unprocessable (not an inspector, disabled, unknown grids), bad_request (codes)
 */
export async function changeInspectorGrids(deps: AdminDeps, by: Actor, inspector_id: number, change: GridChange, meta: Meta) {
  return deps.db.transaction(async (tx) => {
    const user = await users.get(tx, inspector_id);
    if (!user) throw new DomainError('not_found', `No user with id ${inspector_id}`);
    if (!user.roles.includes('inspector')) {
      throw new DomainError('unprocessable', `${user.username} is not an inspector; give them the inspector role first`, { field: 'inspector_id' });
    }
    const known = await grids.holders(tx, change.codes);
    const codes = checkResponsibilityCodes(change.codes, new Set(known.keys()));
    const before = (await grids.list(tx, { inspector_id })).map((g) => g.code);
    const has = new Set(before);
    const wanted = new Set(change.mode === 'set' ? codes : change.mode === 'add' ? [...before, ...codes] : before.filter((c) => !codes.includes(c)));
    if (change.mode !== 'remove' && user.disabled && [...wanted].some((c) => !has.has(c))) {
      throw new DomainError('unprocessable', `${user.username} is disabled; enable the account before giving them grids`, { field: 'inspector_id' });
    }
    const added = [...wanted].filter((c) => !has.has(c)).sort();
    const removed = before.filter((c) => !wanted.has(c));
    const taken_from = added.filter((c) => known.get(c) != null).map((c) => ({ code: c, inspector_id: known.get(c)! }));
    if (added.length || removed.length) {
      await grids.unassign(tx, inspector_id, removed);
      await grids.assign(tx, inspector_id, added);
      await audit.record(tx, entry(deps, by, meta, 'inspector_grids.changed', `user:${inspector_id}`, {
        username: user.username, mode: change.mode, before, after: [...wanted].sort(), added, removed, taken_from,
      }));
    }
    return { inspector_id, grids: await grids.list(tx, { inspector_id }), added, removed, taken_from };
  });
}

// ── The audit log ───────────────────────────────────────────────────────────────────────────────────────────

export function auditLog(deps: Pick<AdminDeps, 'db'>, f: audit.AuditFilter) {
  return audit.list(deps.db, f);
}
