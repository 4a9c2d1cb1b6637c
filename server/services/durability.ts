// An acknowledged report must survive a crash (issue 4): on PostgreSQL, refuse to run with fsync or
// synchronous_commit off unless the operator says so (GRIDLINE_ALLOW_UNSAFE_COMMIT=1).
import type { Queryable } from '../db/types.js';
import * as settings from '../db/settings.js';
import { DomainError } from '../domain/errors.js';

export async function checkDurability(db: Queryable, allowUnsafe: boolean): Promise<void> {
  if (db.engine !== 'postgres') return; // PGlite writes through to its data directory on every commit
  const s = await settings.durability(db);
  const unsafe = [s.fsync === 'off' && 'fsync = off', s.synchronous_commit === 'off' && 'synchronous_commit = off'].filter(Boolean);
  if (unsafe.length && !allowUnsafe) {
    throw new DomainError('conflict', `PostgreSQL runs with ${unsafe.join(' and ')}: an acknowledged report could be lost in a crash. `
      + 'Turn it on, or set GRIDLINE_ALLOW_UNSAFE_COMMIT=1 to run anyway.');
  }
}
