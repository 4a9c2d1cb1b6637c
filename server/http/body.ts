// Streamed request bodies (the imports): a body is read as it arrives and refused with 413 once it passes the limit.

/** 413 `payload_too_large`, saying what to do instead. */
export function payloadTooLarge(limit: number, instead: string): Error {
  return Object.assign(new Error(`The body is larger than ${limit} bytes: ${instead}`), { statusCode: 413, code: 'payload_too_large' });
}

/** The request body as it arrives, failing with 413 once it passes `limit` bytes. */
export async function* limited(body: AsyncIterable<Uint8Array>, limit: number, instead: string): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const chunk of body) {
    n += chunk.byteLength;
    if (n > limit) throw payloadTooLarge(limit, instead);
    yield chunk;
  }
}
