// Routes of evaluation (being built).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Deps } from '../deps.js';
import type { CaseDeps } from '../../services/cases.js';

const evaluationRoutes: FastifyPluginAsyncTypebox<{ deps: Deps & { cases: CaseDeps } }> = async () => {};

export default evaluationRoutes;
