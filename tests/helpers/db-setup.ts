// Setup file of the db project (vitest.config.ts): the worker's shared PGlite starts in a hook with room for a loaded
// machine (minutes), not inside whichever test happens to come first with its 120 s limit. With the project's
// isolate: false the worker starts it once; every later file finds it running.
import { beforeAll } from 'vitest';
import { sharedPglite, testBackends } from './backends.js';

beforeAll(async () => {
  if (testBackends().includes('pglite')) await sharedPglite();
}, 600_000);
