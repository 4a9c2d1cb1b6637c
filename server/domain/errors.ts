// Domain errors with a machine code; http/errors.ts maps each code to one HTTP status (docs/style.md §0).
export type ErrorCode =
  | 'bad_request'
  | 'invalid_coordinates'
  | 'invalid_code'
  | 'bbox_too_large'
  | 'not_found'
  | 'outside_district'
  | 'unknown_class'
  | 'unauthorized'
  | 'forbidden'
  | 'not_acceptable'
  | 'conflict'
  | 'stale_version'
  | 'not_allowed_in_state'
  | 'role_not_allowed'
  | 'unprocessable'
  | 'payload_too_large'
  | 'request_timeout'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
