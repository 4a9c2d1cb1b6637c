// Request bodies read outside the database, and the timeouts of every request.
//
// The imports spool their body to a temporary file before they touch the database: the embedded engine (PGlite)
// has one connection, so a transaction held open while a client sends slowly (or not at all) would stop every
// other request (issue 8, defect 1). While spooling, a body is refused with 413 once it passes its limit and with
// 408 when it stalls (no bytes for `idle_ms`) or is not complete by the request deadline; the file is removed
// whatever happens.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type ReadStream, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { DomainError } from '../domain/errors.js';

/** 413 `payload_too_large`, saying what to do instead. */
export function payloadTooLarge(limit: number, instead: string): DomainError {
  return new DomainError('payload_too_large', `The body is larger than ${limit} bytes: ${instead}`, { limit });
}

/** 408 `request_timeout`: the body stalled or came too slowly. */
export function requestTimeout(message: string): DomainError {
  return new DomainError('request_timeout', `${message}; nothing was imported. Send the whole body without pauses, or use the command-line import on the server`);
}

export type SpoolOptions = {
  /** Most bytes accepted (413 beyond). */
  limit: number;
  /** What to do instead of a body that is too large (in the 413 message). */
  instead: string;
  /** 408 when no byte arrives for this long. */
  idle_ms: number;
  /** 408 when the body is not complete by then (epoch ms). */
  deadline: number;
  /** Sees each chunk as it arrives (a document check); throwing refuses the body with that error. */
  onChunk?: (chunk: Buffer) => void;
};

export type Spooled = {
  path: string;
  bytes: number;
  /** A stream of the spooled body (1 MB chunks). */
  open(): ReadStream;
  /** Closes the streams open() gave, then removes the file (and its directory). Idempotent. */
  remove(): Promise<void>;
};

function spooled(dir: string, path: string, bytes: number): Spooled {
  const streams: ReadStream[] = [];
  return {
    path, bytes,
    open() {
      const s = createReadStream(path, { highWaterMark: 1 << 20 });
      s.on('error', () => {}); // a reader sees its errors through its own listeners; this one keeps a late one (file removed) from crashing
      streams.push(s);
      return s;
    },
    async remove() {
      await Promise.all(streams.splice(0).map((s) => new Promise<void>((resolve) => {
        if (s.closed) return resolve();
        s.once('close', () => resolve());
        s.destroy();
      })));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function isStream(v: unknown): v is NodeJS.ReadableStream {
  return !!v && typeof (v as NodeJS.ReadableStream).on === 'function' && typeof (v as NodeJS.ReadableStream).pause === 'function';
}

/**
 * Reads a request body into a temporary file under os.tmpdir(). Resolves once the body has fully arrived; rejects
 * with 413 / 408 / the onChunk error / 400 (connection closed early) and removes the file. Reading stops at the
 * first error but the request stream is not destroyed, so the error answer can still be written (the route asks
 * for `Connection: close`).
 */
export function spoolBody(given: unknown, o: SpoolOptions): Promise<Spooled> {
  // Fastify hands no stream for an empty body (Content-Length: 0): an empty document, refused by the check.
  const body: NodeJS.ReadableStream = isStream(given) ? given
    : Readable.from(typeof given === 'string' || given instanceof Uint8Array ? [Buffer.from(given)] : []);
  const dir = mkdtempSync(join(tmpdir(), 'gridline-body-'));
  const path = join(dir, 'body');
  const remove = () => rmSync(dir, { recursive: true, force: true });
  return new Promise<Spooled>((resolve, reject) => {
    const file: WriteStream = createWriteStream(path);
    let bytes = 0;
    let settled = false;
    let idle: NodeJS.Timeout | null = null;
    const overall = setTimeout(() => fail(requestTimeout('The request body did not arrive in time')), Math.max(0, o.deadline - Date.now()));
    const arm = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => fail(requestTimeout(`The request body stalled: no data for ${o.idle_ms} ms after ${bytes} bytes`)), o.idle_ms);
    };
    const cleanup = () => {
      if (idle) clearTimeout(idle);
      clearTimeout(overall);
      body.removeListener('data', onData);
      body.removeListener('end', onEnd);
      body.removeListener('error', onError);
      body.removeListener('close', onClose);
      file.removeListener('drain', onDrain);
    };
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      body.pause();
      if (file.closed) remove();
      else {
        file.once('close', remove);
        file.destroy();
      }
      reject(e);
    };
    const onData = (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += b.byteLength;
      if (bytes > o.limit) return fail(payloadTooLarge(o.limit, o.instead));
      arm();
      try {
        o.onChunk?.(b);
      } catch (e) {
        return fail(e);
      }
      if (!file.write(b)) body.pause();
    };
    const onDrain = () => { if (!settled) body.resume(); };
    const onEnd = () => {
      if (settled) return;
      settled = true;
      cleanup();
      file.end(() => resolve(spooled(dir, path, bytes)));
      file.once('error', (e) => { remove(); reject(e); });
    };
    const onError = (e: Error) => fail(new DomainError('bad_request', `The request body could not be read (${e.message}); nothing was imported`));
    const onClose = () => fail(new DomainError('bad_request', 'The connection closed before the whole body arrived; nothing was imported'));
    file.on('drain', onDrain);
    file.on('error', (e) => fail(e));
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.on('close', onClose);
    arm();
    body.resume();
  });
}

/**
 * An import's body, spooled under the config's timeouts with `check` seeing it as it arrives: the temporary file
 * once the whole document arrived and passed the check. Any failure asks for `Connection: close` (the rest of a
 * refused body is not read) and leaves no file. Call it before the import touches the database.
 */
export async function spoolImport(
  req: { body: unknown; headers: Record<string, string | string[] | undefined> },
  reply: { header(name: string, value: string): unknown; elapsedTime: number },
  o: { limit: number; instead: string; config: { body_timeout_ms: number; request_timeout_ms: number }; check: { push(b: Uint8Array): void; end(): void } },
): Promise<Spooled> {
  let body: Spooled | null = null;
  try {
    const declared = Number(req.headers['content-length']);
    if (declared > o.limit) throw payloadTooLarge(o.limit, o.instead);
    body = await spoolBody(req.body, {
      limit: o.limit, instead: o.instead, idle_ms: o.config.body_timeout_ms,
      deadline: Date.now() - reply.elapsedTime + o.config.request_timeout_ms,
      onChunk: (b) => o.check.push(b),
    });
    o.check.end();
    return body;
  } catch (e) {
    await body?.remove();
    reply.header('connection', 'close');
    throw e;
  }
}

/**
 * Timeouts of every route (fastify options): the whole request, headers and body, must arrive within
 * `request_timeout_ms` (Node's requestTimeout, checked every second); answers are not limited, so the long-lived
 * /api/live stream stays open. No socket idle timeout either: the stream's heartbeat is every 15 s.
 */
export function serverTimeouts(c: { request_timeout_ms: number }): {
  requestTimeout: number;
  http: { headersTimeout: number; connectionsCheckingInterval: number };
  clientErrorHandler: (err: Error, socket: Socket) => void;
} {
  return {
    requestTimeout: c.request_timeout_ms,
    http: {
      headersTimeout: Math.min(60_000, c.request_timeout_ms),
      connectionsCheckingInterval: Math.min(1000, c.request_timeout_ms),
    },
    clientErrorHandler,
  };
}

/** Errors Node finds before a request reaches a route (a timeout, a malformed request): answered in the API's error body. */
function clientErrorHandler(e: Error, socket: Socket): void {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'request_timeout', 'The request did not arrive in time; send it again without pauses']
    : err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'bad_request', 'The request headers are too large; send fewer or shorter headers']
      : [400, 'bad_request', 'The request is not valid HTTP; check the client'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n`
      + `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
