// OGC API – Features (Part 1 Core): placeholder registered by app.ts; implemented in its own change.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';

const ogcRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async () => {};
export default ogcRoutes;
