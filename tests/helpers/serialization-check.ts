// Opt-in check while writing response schemas (not part of npm test): wraps Fastify so every JSON response of every
// route is compared with what the handler returned (a property the schema drops, an integer truncated) and validated
// against the route's declared response schema. Differences go to $SERIALIZATION_CHECK_OUT (default
// /tmp/serialization-check.jsonl). Run: npx vitest run --config tests/helpers/serialization-check.config.ts <files>
import { appendFileSync } from 'node:fs';
import { vi } from 'vitest';

const OUT = process.env.SERIALIZATION_CHECK_OUT ?? '/tmp/serialization-check.jsonl';

function diff(a: unknown, b: unknown, path: string, out: string[]) {
  if (out.length > 20) return;
  if (a === b) return;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    if (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-9) return;
    out.push(`${path}: handler ${JSON.stringify(a)?.slice(0, 80)} → sent ${JSON.stringify(b)?.slice(0, 80)}`);
    return;
  }
  const ka = Object.keys(a as object), kb = Object.keys(b as object);
  for (const k of new Set([...ka, ...kb])) diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`, out);
}

vi.mock('fastify', async (importOriginal) => {
  const mod = await importOriginal<typeof import('fastify')>();
  const { Ajv } = await import('ajv');
  const formats = await import('ajv-formats');
  const addFormats = formats.default as unknown as (ajv: InstanceType<typeof Ajv>) => void;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();
  const factory = (opts?: Parameters<typeof mod.default>[0]) => {
    const app = mod.default(opts as never);
    app.addHook('preSerialization', async (req, reply, payload) => {
      (reply as unknown as { __expected?: string }).__expected = JSON.stringify(payload);
      return payload;
    });
    app.addHook('onSend', async (req, reply, payload) => {
      const ct = String(reply.getHeader('content-type') ?? '');
      if (typeof payload !== 'string' || !ct.includes('json')) return payload;
      if (reply.statusCode >= 400) return payload; // error bodies: the one ErrorBody, checked elsewhere
      const route = `${req.method} ${req.routeOptions.url}`;
      const problems: string[] = [];
      const expected = (reply as unknown as { __expected?: string }).__expected;
      const body = JSON.parse(payload);
      if (expected !== undefined) diff(JSON.parse(expected), body, '', problems);
      const responses = (req.routeOptions.schema as { response?: Record<string, unknown> } | undefined)?.response;
      let schema = responses?.[String(reply.statusCode)] ?? responses?.[`${String(reply.statusCode)[0]}xx`] ?? responses?.default;
      if (schema && typeof schema === 'object' && 'content' in schema) {
        const content = (schema as { content: Record<string, { schema: object }> }).content;
        schema = (content[ct.split(';')[0].trim()] ?? Object.values(content)[0])?.schema;
      }
      if (!schema) problems.push(`no response schema for ${reply.statusCode}`);
      else if (reply.statusCode < 400) {
        let v = compiled.get(schema as object);
        if (!v) { v = ajv.compile(JSON.parse(JSON.stringify(schema))); compiled.set(schema as object, v); }
        if (!v(body)) problems.push(`invalid: ${ajv.errorsText(v.errors, { separator: '; ' }).slice(0, 600)}`);
      }
      if (problems.length) appendFileSync(OUT, `${JSON.stringify({ route, status: reply.statusCode, problems })}\n`);
      return payload;
    });
    return app;
  };
  return { ...mod, default: factory, fastify: factory };
});
