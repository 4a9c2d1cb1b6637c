// The one error map: domain error codes → HTTP statuses, and the error body of docs/api.md.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { DomainError, type ErrorCode } from '../domain/errors.js';
import { open311Refusal } from '../domain/open311.js';

export const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_coordinates: 400,
  invalid_code: 400,
  bbox_too_large: 400,
  unknown_class: 400,
  unauthorized: 401,
  forbidden: 403,
  role_not_allowed: 403,
  not_found: 404,
  not_acceptable: 406,
  outside_district: 404,
  conflict: 409,
  stale_version: 409,
  not_allowed_in_state: 422,
  unprocessable: 422,
  payload_too_large: 413,
  request_timeout: 408,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
};

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | DomainError | Error, req, reply) => {
    if (err instanceof DomainError) {
      return reply.status(STATUS[err.code]).send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const message = fe.validation
        .map((v) => `${(fe.validationContext ?? 'request')}${v.instancePath ? v.instancePath.replace(/\//g, '.') : ''} ${v.message}${
          v.keyword === 'additionalProperties' && v.params?.additionalProperty ? `: "${String(v.params.additionalProperty)}" is not one of them` : ''}`)
        .join('; ');
      return reply.status(400).send({ error: { code: 'bad_request', message, details: fe.validation } });
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ error: { code: (fe.code ?? 'bad_request').toLowerCase(), message: fe.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal server error' } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}` } }),
  );
}

/** The router's own refusals (a path parameter over 100 characters, a malformed URL): 400 in the error body. */
export function sendFrameworkError(err: Error, reply: FastifyReply, url = ''): void {
  const open311 = open311Refusal(url, 400, `${err.message}: shorten or fix the URL`); // /open311/…: the spec's error list
  if (open311) { void reply.status(400).type(open311.content_type).send(open311.body); return; }
  void reply.status(400).send({ error: { code: 'bad_request', message: `${err.message}: shorten or fix the URL` } });
}
