// Request validation with two Ajv instances (issue 8, defect 8): querystrings, params and headers arrive as text and
// are coerced to the schema's types ("?limit=10" → 10); JSON bodies arrive typed and are not ("lon":"-71.11" and
// "description":12345 are 400s, not silently converted).
import { AjvCompiler } from '@fastify/ajv-compiler';

const pool = AjvCompiler();
type BuildValidator = typeof pool;

/** For Fastify's schemaController.compilersFactory.buildValidator. */
export const buildValidator: BuildValidator = (externalSchemas, ajvServerOptions) => {
  const base = (ajvServerOptions ?? {}) as { customOptions?: Record<string, unknown>; plugins?: unknown[] };
  const options = (coerceTypes: false | 'array') => ({
    ...base, plugins: base.plugins ?? [], customOptions: { ...base.customOptions, coerceTypes },
  });
  const text = pool(externalSchemas as never, options('array') as never);
  const body = pool(externalSchemas as never, options(false) as never);
  return (route) => finiteOnly(((route as unknown as { httpPart?: string }).httpPart === 'body' ? body : text)(route));
};

type Validate = ReturnType<ReturnType<BuildValidator>>;

/** The path of the first number in `v` that is not finite ("1e400" coerced, or 1e400 in JSON, is Infinity). */
function nonFinite(v: unknown, path: string, depth = 0): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? null : path;
  if (v === null || typeof v !== 'object' || depth > 64) return null;
  for (const [k, x] of Object.entries(v)) {
    const found = nonFinite(x, `${path}/${k}`, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Ajv checks minimum and maximum on finite numbers only, so Infinity passes `maximum` and reached the database as
 * a 500 (issue 8, defect 5): a number that is not finite is refused here, as a validation error (400).
 */
function finiteOnly(validate: Validate): Validate {
  const checked = ((data: unknown) => {
    if (!validate(data)) { checked.errors = validate.errors; return false; }
    const at = nonFinite(data, '');
    if (at === null) { checked.errors = null; return true; }
    checked.errors = [{ instancePath: at, schemaPath: '#', keyword: 'maximum', params: {}, message: 'must be a finite number within its bounds' }];
    return false;
  }) as Validate;
  return checked;
}
