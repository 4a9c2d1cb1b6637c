// Test projects (docs/style.md §2.7): domain and client are pure and fast; db and http run on PGlite and, when
// TEST_DATABASE_URL is set, on PostgreSQL too; browser drives Debian's Chromium against a real server.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['tests/helpers/global-setup.ts'],
    maxWorkers: 2,
    projects: [
      { test: { name: 'domain', include: ['tests/server/domain/**/*.test.ts', 'tests/client/**/*.test.ts', 'tests/scripts/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'db',
          include: ['tests/server/db/**/*.test.ts', 'tests/server/http/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One worker runs file after file in the same module graph, so the migrated, seeded PGlite of
          // tests/helpers/backends.ts (sharedPglite, ~1 GiB, tens of seconds to start on a loaded machine) starts once
          // per worker instead of once per file. Safe because every test works in a rolled-back transaction, and what
          // committedDb tests commit is data of their own, as on PostgreSQL, where all files share one database.
          isolate: false,
          setupFiles: ['tests/helpers/db-setup.ts'],
        },
      },
      {
        test: {
          name: 'system',
          include: ['tests/system/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          // A poll passes as soon as it matches; its 1 s default is shorter than one answer of the embedded database
          // while the map draws its tiles on a loaded machine (1.2-1.6 s measured for /api/places/nearest).
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
