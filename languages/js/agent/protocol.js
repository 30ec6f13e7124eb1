// The conformance agent protocol (conformance/PROTOCOL.md), written once for both JS columns.
// `agent(sdk)` returns the request → response function of an agent; `sdk` supplies the fetch
// API under test and the few things the two columns do differently:
//
//   fetch, Headers, Response   the API under test
//   entries(headers)           the header field lines as that API returns them
//   timeouts(options)          init fields for the step's request options, or a string
//                              (why they cannot be expressed: the step is `unsupported`)
//   errorCode(error)           the WIT case name an error from that API carries, if any
//
// Nothing here touches wasi:http: everything goes through `sdk`.

const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function hex(bytes) {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4] + HEX[b & 15];
  return s;
}

async function sha256(bytes) {
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

function base64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    s += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    s += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return s;
}

function unbase64(text) {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let at = 0;
  for (const ch of clean) {
    acc = (acc << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >> bits) & 255;
    }
  }
  return out.subarray(0, at);
}

function concat(parts) {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function utf8(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

// The protocol's header values are text; fetch's are byte strings (one char per byte).
/** Text → the byte string of its UTF-8 bytes, as fetch's Headers take values. */
function byteString(text) {
  return String.fromCharCode(...new TextEncoder().encode(text));
}

/** A byte string from fetch's Headers → the text it encodes (as is when not UTF-8). */
function textOf(value) {
  return utf8(Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff)) ?? value;
}

/** Header field lines from fetch's Headers, as protocol text. */
function lines(sdk, headers) {
  return sdk.entries(headers).map(([n, v]) => [n, textOf(v)]);
}

function bodyBytes(body) {
  if (!body) return undefined;
  if (typeof body.text === 'string') return new TextEncoder().encode(body.text);
  if (typeof body.base64 === 'string') return unbase64(body.base64);
  if (typeof body.pattern === 'number') {
    const out = new Uint8Array(body.pattern);
    for (let i = 0; i < out.length; i++) out[i] = i % 251;
    return out;
  }
  throw new Error(`unknown body ${JSON.stringify(body)}`);
}

function urlOf(step) {
  if (typeof step.url === 'string') return step.url;
  const p = step.url_parts ?? {};
  const path = p.path_with_query ?? '';
  if (p.authority != null) return p.scheme != null ? `${p.scheme}://${p.authority}${path}` : `//${p.authority}${path}`;
  return path;
}

/** The path and query of an inbound URL given as `scheme://authority/path` or `/path`. */
function pathOf(url) {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*(.*)$/.exec(url);
  if (!m) return url;
  return m[1] === '' ? '/' : m[1];
}

function json(sdk, status, value) {
  return new sdk.Response(JSON.stringify(value), {
    status,
    headers: [['content-type', 'application/json']],
  });
}

function unsupported(reason) {
  return { kind: 'unsupported', reason };
}

function errorVerdict(sdk, e, stage, status, started) {
  const code = sdk.errorCode(e) ?? 'other';
  const v = {
    kind: 'error',
    code,
    message: `${e && e.name ? e.name + ': ' : ''}${e && e.message ? e.message : String(e)}`,
    stage: e && e.cause && e.cause.stage ? e.cause.stage : stage,
  };
  if (status !== undefined) v.status = status;
  if (started !== undefined) v.elapsed_ms = Date.now() - started;
  return v;
}

/** A ReadableStream of `bytes` in pieces of the given sizes (the rest as one last piece). */
function chunked(bytes, sizes) {
  const pieces = [];
  let at = 0;
  for (const size of sizes) {
    const n = Math.min(size, bytes.length - at);
    pieces.push(bytes.slice(at, at + n));
    at += n;
  }
  if (at < bytes.length) pieces.push(bytes.slice(at));
  return new ReadableStream({
    pull(controller) {
      if (pieces.length) controller.enqueue(pieces.shift());
      else controller.close();
    },
  });
}

async function perform(sdk, step, inbound) {
  if (step.trailers && step.trailers.length) {
    return unsupported('fetch has no request trailers');
  }
  const api = step.api;
  if (api === 'get' || api === 'post') {
    return unsupported('the JS SDK has one entry, fetch; it has no get/post wrappers');
  }
  if (!['send', 'fetch', 'stream'].includes(api)) return unsupported(`unknown api \`${api}\``);
  const streaming = api === 'stream' || step.chunks != null;
  let body;
  try {
    body = bodyBytes(step.body);
  } catch (e) {
    return { kind: 'error', code: 'other', message: `bad body in the instruction: ${e.message}`, stage: 'request' };
  }
  const timeouts = sdk.timeouts(step.options ?? {});
  if (typeof timeouts === 'string') return unsupported(timeouts);
  const own = (step.headers ?? []).map(([n, v]) => [n, byteString(v)]);
  const headers = [...(step.forward_inbound_headers ? inbound : []), ...own];
  const init = { method: step.method, headers, redirect: 'manual', ...timeouts };
  if (body !== undefined) {
    init.body = streaming ? chunked(body, step.chunks ?? []) : body;
    if (streaming) init.duplex = 'half';
  }
  const maxInline = step.max_inline_body ?? 65536;
  const started = Date.now();
  let response;
  try {
    response = await sdk.fetch(urlOf(step), init);
  } catch (e) {
    return errorVerdict(sdk, e, 'response', undefined, started);
  }
  const status = response.status;
  let bytes;
  try {
    if (streaming && response.body) {
      const parts = [];
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
      }
      bytes = concat(parts);
    } else {
      bytes = new Uint8Array(await response.arrayBuffer());
    }
  } catch (e) {
    return errorVerdict(sdk, e, 'body-read', status, started);
  }
  const lookups = {};
  for (const name of step.lookup ?? []) {
    const v = response.headers.get(name);
    lookups[name] = v === null ? [] : [textOf(v)];
  }
  const verdict = {
    kind: 'response',
    status,
    headers: lines(sdk, response.headers),
    body_len: bytes.length,
    body_sha256: await sha256(bytes),
    lookups,
    elapsed_ms: Date.now() - started,
  };
  if (bytes.length <= maxInline) {
    const text = utf8(bytes);
    if (text !== null) verdict.body = text;
    else verdict.body_base64 = base64(bytes);
  }
  return verdict;
}

async function run(sdk, request) {
  // The /run request's own framing is not the outbound request's: its body is not forwarded.
  const inbound = sdk
    .entries(request.headers)
    .filter(([n]) => !['content-length', 'transfer-encoding'].includes(n.toLowerCase()));
  let instruction;
  try {
    instruction = JSON.parse(await request.text());
  } catch (e) {
    return new sdk.Response(`bad instruction: ${e.message}\n`, { status: 400 });
  }
  const steps = instruction.steps ?? [];
  const safe = (s) =>
    perform(sdk, s, inbound).catch((e) => ({
      kind: 'error',
      code: 'other',
      message: `the agent failed: ${e && e.stack ? e.stack : e}`,
      stage: 'request',
    }));
  let verdicts;
  if (instruction.concurrent) {
    verdicts = await Promise.all(steps.map(safe));
  } else {
    verdicts = [];
    for (const s of steps) verdicts.push(await safe(s));
  }
  return json(sdk, 200, { steps: verdicts });
}

async function proxy(sdk, request) {
  const lines = sdk.entries(request.headers);
  const target = lines.find(([n]) => n.toLowerCase() === 'courier-target');
  if (!target) return new sdk.Response('the proxy entry needs a courier-target header\n', { status: 400 });
  const forward = lines.filter(([n]) => !n.toLowerCase().startsWith('courier-'));
  // Hosts drop transfer-encoding; declared trailers also mean a (chunked) body.
  const hasBody = lines.some(
    ([n, v]) =>
      (n.toLowerCase() === 'content-length' && v !== '0') || ['transfer-encoding', 'trailer'].includes(n.toLowerCase()),
  );
  const init = { method: request.method, headers: forward, redirect: 'manual' };
  if (hasBody) {
    init.body = request.body;
    init.duplex = 'half';
  }
  let response;
  try {
    response = await sdk.fetch(target[1], init);
  } catch (e) {
    return json(sdk, 502, errorVerdict(sdk, e, 'response'));
  }
  return new sdk.Response(response.body, { status: response.status, headers: sdk.entries(response.headers) });
}

async function inspect(sdk, request) {
  const bytes = new Uint8Array(await request.arrayBuffer());
  const v = {
    method: request.method,
    path: pathOf(request.url),
    headers: lines(sdk, request.headers),
    body_len: bytes.length,
    body_sha256: await sha256(bytes),
  };
  if (bytes.length <= 64 * 1024) {
    const text = utf8(bytes);
    if (text !== null) v.body = text;
  }
  return json(sdk, 200, v);
}

/** The agent: a function from an inbound Request to a Response. */
export function agent(sdk) {
  return async (request) => {
    const route = pathOf(request.url).split('?')[0];
    try {
      if (route.endsWith('/run') && request.method === 'POST') return await run(sdk, request);
      if (route.endsWith('/proxy')) return await proxy(sdk, request);
      return await inspect(sdk, request);
    } catch (e) {
      return new sdk.Response(`the agent failed: ${e && e.stack ? e.stack : e}\n`, { status: 500 });
    }
  };
}
