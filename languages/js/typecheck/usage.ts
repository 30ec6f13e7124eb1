// Compiled by `npx tsc -p .` (see package.json "check"): the SDK's declarations must type a
// realistic use, and reject a wrong one.
import { ERROR_CODES, fetch, handler, Headers, Response, timeout } from '../sdk/index.js';
import type { ErrorCodeName, FetchError, FetchErrorCause } from '../sdk/index.js';

export const incomingHandler = handler(async (request) => {
  const headers = new Headers([['x-multi', 'a'], ['x-multi', 'b']]);
  headers.append('content-type', 'application/json');
  try {
    const response = await fetch('http://example.com/post?x=1', {
      method: 'POST',
      headers,
      body: new TextEncoder().encode(await request.text()),
      redirect: 'manual',
      signal: timeout(500),
      timeouts: { connectTimeout: 200, firstByteTimeout: 1000, betweenBytesTimeout: 1000 },
    });
    const raw: Array<[string, string]> = response.headers.raw();
    const data = (await response.json()) as { ok: boolean };
    return Response.json({ raw, ok: data.ok, status: response.status }, { status: 200 });
  } catch (e) {
    const cause = (e as FetchError).cause satisfies FetchErrorCause;
    if (cause.code === 'DNS-error' && cause.payload) {
      const rcode: string | undefined = cause.payload.rcode;
      return new Response(`dns ${rcode}`, { status: 502 });
    }
    const known: readonly ErrorCodeName[] = ERROR_CODES;
    return new Response(`${cause.code} at ${cause.stage} (${known.length} codes)`, { status: 502 });
  }
});

// @ts-expect-error: not a wasi:http error-code name
export const wrong: ErrorCodeName = 'connection-refused-typo';
