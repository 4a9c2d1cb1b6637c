import { describe, expect, test } from 'vitest';
import { testBackends, withTestDb } from '../../helpers/backends.js';
import { checkDurability } from '../../../server/services/durability.js';

describe.each(testBackends())('durability check on %s', (backend) => {
  test('a durable database passes', () => withTestDb(backend, async (db) => {
    await expect(checkDurability(db, false)).resolves.toBeUndefined();
  }));
});

if (testBackends().includes('postgres')) {
  describe('durability check on PostgreSQL with synchronous_commit off', () => {
    test('is refused with a message naming the setting, unless explicitly allowed', () => withTestDb('postgres', async (db) => {
      await db.exec('set local synchronous_commit = off');
      await expect(checkDurability(db, false)).rejects.toThrow(/synchronous_commit = off.*GRIDLINE_ALLOW_UNSAFE_COMMIT/);
      await expect(checkDurability(db, true)).resolves.toBeUndefined();
    }));
  });
}
