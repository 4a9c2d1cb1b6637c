// Imports as jobs (导入任务) for the admin console (issue 10): the route spools the file, a job row is written and
// the import runs in the background in its usual slices of short transactions, while the console polls the job
// for progress; at the end the job keeps its counts and every rejected row (the CSV report). Both the start and the
// end of each job are in the audit log. A retry of the same upload with the same Idempotency-Key returns the job
// the first one started instead of importing twice.
//
// Progress lives in this process (the map below); the job row holds the outcome. A job still `running` in the
// database that this process does not run was cut short by a restart: it reads as failed (`interrupted`).
import { randomUUID } from 'node:crypto';
import * as audit from '../db/audit.js';
import * as jobs from '../db/import-jobs.js';
import type { Queryable } from '../db/types.js';
import { DomainError } from '../domain/errors.js';
import { csvText } from '../domain/exports.js';
import { rejectionText, type ReasonLang } from '../domain/import/reasons.js';
import { HTTP_SLICE_ROWS, importComponents, type ImportInput, type ImportOptions, type ImportProgress } from './import-components.js';
import { HTTP_CASE_SLICE_ROWS, importCases, type CaseImportOptions } from './import-cases.js';

export type { ImportKind, RejectedRow } from '../db/import-jobs.js';

/** A spooled upload (http/body.ts): read once, removed when the job ends. */
export type JobFile = { bytes: number; open(): ImportInput; remove(): Promise<void> };

export type JobProgress = Omit<ImportProgress, 'done'>;

export type RejectedView = { row: number; code: string; reason: string; reason_code: string; params: Record<string, string | number> };

export type JobView = {
  id: string; kind: jobs.ImportKind; status: jobs.JobStatus; file_name: string | null; bytes: number;
  created_at: string; finished_at: string | null; created_by: string | null; options: Record<string, unknown>;
  progress: JobProgress | null;
  result: { rows: number; imported: number; updated: number; unchanged: number; rejected: number } | null;
  error: { code: string; message: string } | null;
  /**
   * The first rejected rows (all of them: GET …/rejected.csv): `reason` in English as before, `reason_code` (= code)
   * and `params` to say it in the UI's language (domain/import/reasons.ts).
   */
  rejected_preview: RejectedView[];
};

/** Rejected rows a job view shows; the CSV has them all. */
export const PREVIEW_ROWS = 50;

export type JobStart =
  | { kind: 'components'; options: Omit<ImportOptions, 'onProgress' | 'atomic' | 'batch_size' | 'total_bytes'> }
  | { kind: 'cases'; options: Omit<CaseImportOptions, 'onProgress' | 'atomic' | 'batch_size' | 'total_bytes' | 'actor'> };

type Actor = { id: number; username: string };

/** The options worth showing and keeping (no functions, no work rules). */
function describe(start: JobStart): Record<string, unknown> {
  const { work: _work, now: _now, ...rest } = start.options as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

const INTERRUPTED = { code: 'interrupted', message: 'The server stopped while this import ran; run it again (rows already imported are updated, not added twice)' };

export class ImportJobs {
  private readonly running = new Map<string, { progress: JobProgress; done: Promise<void> }>();

  constructor(private readonly db: Queryable, private readonly clock: { now(): Date }, private readonly onError: (e: unknown) => void = () => {}) {}

  /**
   * Starts an import of `file` in the background; returns its job at once. With an idempotency key already used by
   * this admin, removes the file and returns that job (`replayed`).
   */
  async start(by: Actor, start: JobStart, file: JobFile, p: { file_name: string | null; idempotency_key: string | null; ip: string | null }): Promise<{ job: JobView; replayed: boolean }> {
    const id = randomUUID();
    const now = this.clock.now();
    const options = describe(start);
    const inserted = await this.db.transaction(async (tx) => {
      const ok = await jobs.insert(tx, { id, kind: start.kind, created_by: by.id, idempotency_key: p.idempotency_key, created_at: now, file_name: p.file_name, bytes: file.bytes, options });
      if (ok) {
        await audit.record(tx, { at: now, action: `import.${start.kind}.started`, user_id: by.id, username: by.username, target: `import:${id}`, ip: p.ip,
          detail: { file_name: p.file_name, bytes: file.bytes, options } });
      }
      return ok;
    });
    if (!inserted) {
      await file.remove();
      const first = await jobs.byKey(this.db, by.id, p.idempotency_key!);
      if (!first) throw new DomainError('conflict', 'This Idempotency-Key was just used; try again in a moment');
      return { job: await this.view(first.id), replayed: true };
    }
    const progress: JobProgress = { rows: 0, bytes: 0, total_bytes: file.bytes, imported: 0, updated: 0, rejected: 0, elapsed_ms: 0 };
    const done = this.run(id, by, start, file, progress, p.ip).finally(() => this.running.delete(id));
    this.running.set(id, { progress, done });
    return { job: await this.view(id), replayed: false };
  }

  private async run(id: string, by: Actor, start: JobStart, file: JobFile, progress: JobProgress, ip: string | null): Promise<void> {
    const onProgress = ({ done: _d, ...p }: ImportProgress) => { Object.assign(progress, p); };
    let out: Parameters<typeof jobs.finish>[3];
    try {
      const report = start.kind === 'components'
        ? await importComponents(this.db, file.open(), { ...start.options, atomic: false, batch_size: HTTP_SLICE_ROWS, total_bytes: file.bytes, onProgress })
        : await importCases(this.db, file.open(), { ...start.options, atomic: false, batch_size: HTTP_CASE_SLICE_ROWS, total_bytes: file.bytes, onProgress });
      Object.assign(progress, { rows: report.rows, imported: report.imported, updated: report.updated, rejected: report.rejected_total });
      out = {
        status: 'done',
        result: { rows: report.rows, imported: report.imported, updated: report.updated, unchanged: report.unchanged, rejected: report.rejected_total },
        rejected: report.rejected.map((r) => (r.params ? { row: r.row, code: r.code, reason: r.reason, params: r.params } : { row: r.row, code: r.code, reason: r.reason })),
      };
    } catch (e) {
      if (!(e instanceof DomainError)) this.onError(e);
      out = { status: 'failed', error: e instanceof DomainError ? { code: e.code, message: e.message } : { code: 'internal', message: 'The import stopped on a server error; see the server log' } };
    } finally {
      await file.remove();
    }
    try {
      const at = this.clock.now();
      await this.db.transaction(async (tx) => {
        await jobs.finish(tx, id, at, out);
        await audit.record(tx, { at, action: `import.${start.kind}.${out.status === 'done' ? 'finished' : 'failed'}`, user_id: by.id, username: by.username,
          target: `import:${id}`, ip, detail: out.status === 'done' ? { ...out.result } : { error: out.error } });
      });
    } catch (e) {
      this.onError(e);
    }
  }

  /** A job with its progress (running here) or outcome. @throws DomainError not_found */
  async view(id: string): Promise<JobView> {
    const row = await jobs.get(this.db, id);
    if (!row) throw new DomainError('not_found', `No import job ${id}`);
    return this.toView(row, row.status === 'done' ? ((await jobs.rejected(this.db, id)) ?? []).slice(0, PREVIEW_ROWS) : []);
  }

  /** The newest jobs first. */
  async list(limit: number): Promise<JobView[]> {
    return (await jobs.list(this.db, limit)).map((r) => this.toView(r, []));
  }

  private toView(row: jobs.ImportJobRow, preview: jobs.RejectedRow[]): JobView {
    const live = this.running.get(row.id);
    const orphan = row.status === 'running' && !live;
    return {
      id: row.id, kind: row.kind, status: orphan ? 'failed' : row.status, file_name: row.file_name, bytes: row.bytes,
      created_at: row.created_at.toISOString(), finished_at: row.finished_at?.toISOString() ?? null,
      created_by: row.created_by_username, options: row.options,
      progress: live ? { ...live.progress, elapsed_ms: Math.round(live.progress.elapsed_ms) } : null,
      result: row.result as JobView['result'], error: orphan ? INTERRUPTED : row.error,
      rejected_preview: preview.map((r) => ({ row: r.row, code: r.code, reason: r.reason, reason_code: r.code, params: r.params ?? {} })),
    };
  }

  /**
   * Every rejected row of a finished job as CSV (UTF-8 with BOM, so spreadsheets read it): row, code, and the reason
   * in `lang` (domain/import/reasons.ts); English also keeps the importer's detailed reason in `detail`.
   * @throws DomainError not_found, not_allowed_in_state (still running, or failed before a report)
   */
  async rejectedCsv(id: string, lang: ReasonLang = 'en'): Promise<string> {
    const job = await this.view(id);
    if (job.status !== 'done') {
      throw new DomainError('not_allowed_in_state', job.status === 'running'
        ? 'The import is still running; download the rejected rows when it has finished'
        : 'The import failed before it produced a report; fix the file or the options and run it again');
    }
    const rows = (await jobs.rejected(this.db, id)) ?? [];
    const headers = lang === 'zh' ? ['行号', '代码', '原因', '详情 (English)'] : ['row', 'code', 'reason', 'detail'];
    return csvText({ name: 'rejected', columns: ['row', 'code', 'reason', 'detail'].map((key, i) => ({ key, header: headers[i] })),
      rows: rows.map((r) => [r.row, r.code, rejectionText(lang, r), r.reason]) });
  }

  /** Waits for the imports running in this process (the app closing). */
  async settle(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }
}
