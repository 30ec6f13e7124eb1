// Unit tests of the generated SDK's pure parts: `npm test` in languages/js (Node's runner,
// with wasi:* imports stubbed by wasi-stub.mjs). The conformance columns test the rest on a host.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ERROR_CODES, HEADER_ERRORS, Headers, Request, Response } from '../sdk/index.js';
import { about, CLOSED, fetchError, fromThrown } from '../sdk/errors.js';
import { checkLength } from '../sdk/handler.js';
import { originOf, resolveLocation, target } from '../sdk/fetch.js';
import { methodToRaw, methodFromRaw, requestOptions, schemeToRaw, valueToBytes } from '../sdk/wire.js';

function cause(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TypeError, `${e} is a TypeError`);
    return e.cause;
  }
  assert.fail('did not throw');
}

test('the error-code names are the WIT names, in WIT order', () => {
  assert.equal(ERROR_CODES[0], 'DNS-timeout');
  for (const name of ['HTTP-request-denied', 'connection-refused', 'destination-IP-prohibited', 'internal-error']) {
    assert.ok(ERROR_CODES.includes(name), name);
  }
  assert.deepEqual([...HEADER_ERRORS], ['invalid-syntax', 'forbidden', 'immutable']);
});

test('Headers keep field lines in order and join them only where the standard does', () => {
  const h = new Headers([['X-Multi', 'a'], ['x-single', ' one '], ['x-multi', 'b']]);
  assert.deepEqual(h.raw(), [['x-multi', 'a'], ['x-single', 'one'], ['x-multi', 'b']]);
  assert.equal(h.get('X-MULTI'), 'a, b');
  assert.equal(h.get('absent'), null);
  assert.deepEqual([...h], [['x-multi', 'a, b'], ['x-single', 'one']]);
  h.set('x-multi', 'c');
  assert.deepEqual(h.raw(), [['x-multi', 'c'], ['x-single', 'one']]);
  h.delete('X-Single');
  assert.equal(h.has('x-single'), false);
  const cookies = new Headers({ 'set-cookie': 'a=1' });
  cookies.append('Set-Cookie', 'b=2');
  assert.deepEqual(cookies.getSetCookie(), ['a=1', 'b=2']);
});

test('Request normalises the six standard methods only and types string bodies', async () => {
  assert.equal(new Request('http://h/', { method: 'post' }).method, 'POST');
  assert.equal(new Request('http://h/', { method: 'patch' }).method, 'patch');
  const r = new Request('http://h/', { method: 'PUT', body: 'hé' });
  assert.equal(r.headers.get('content-type'), 'text/plain;charset=UTF-8');
  assert.deepEqual([...(await r.bytes())], [104, 195, 169]);
  assert.equal(r.bodyUsed, true);
  await assert.rejects(r.text(), TypeError);
  assert.throws(() => new Request('http://h/', { redirect: 'sometimes' }), TypeError);
});

test('Response bodies: json, arrayBuffer, streams, and statuses', async () => {
  const j = Response.json({ a: [1, 2] }, { status: 201 });
  assert.equal(j.status, 201);
  assert.equal(j.ok, true);
  assert.equal(j.headers.get('content-type'), 'application/json');
  assert.deepEqual(await j.json(), { a: [1, 2] });
  const bytes = new Uint8Array([1, 2, 3, 4]);
  const view = new Uint8Array(bytes.buffer, 1, 2);
  assert.deepEqual([...new Uint8Array(await new Response(view).arrayBuffer())], [2, 3]);
  const stream = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode('ab'));
      c.enqueue(new TextEncoder().encode('c'));
      c.close();
    },
  });
  assert.equal(await new Response(stream).text(), 'abc');
  const streamed = new Response('xyz');
  const reader = streamed.body.getReader();
  assert.equal(streamed.bodyUsed, false, 'taking body does not read it');
  assert.equal(new TextDecoder().decode((await reader.read()).value), 'xyz');
  assert.equal(streamed.bodyUsed, true);
  assert.equal(new Response(null, { status: 204 }).body, null);
  assert.throws(() => new Response('', { status: 99 }), RangeError);
});

test('URLs: absolute ones split into parts, a path is a self request, the rest is URI-invalid', () => {
  assert.deepEqual(target('http://127.0.0.1:8080/p/a%20b?q=1&r#frag'), {
    scheme: 'http',
    authority: '127.0.0.1:8080',
    pathWithQuery: '/p/a%20b?q=1&r',
  });
  assert.deepEqual(target('https://[::1]:9'), { scheme: 'https', authority: '[::1]:9', pathWithQuery: '/' });
  assert.deepEqual(target('http://h?x'), { scheme: 'http', authority: 'h', pathWithQuery: '/?x' });
  assert.deepEqual(target('/hello?x=1'), { scheme: 'http', authority: ':80', pathWithQuery: '/hello?x=1' });
  for (const bad of ['example.com/x', '//h/x', 'http:///x', 'http://bad host/', 'http://h/bad\npath', 'http://h/\ud800']) {
    assert.equal(cause(() => target(bad)).code, 'HTTP-request-URI-invalid', bad);
  }
  // A request-target is ASCII: the rest goes out as UTF-8 percent-escapes, escapes as written.
  assert.equal(target('http://h/caf\u00e9/%41?q=\u00e9t\u00e9&r=\u{1f600}').pathWithQuery, '/caf%C3%A9/%41?q=%C3%A9t%C3%A9&r=%F0%9F%98%80');
  assert.equal(target('/\u00fc').pathWithQuery, '/%C3%BC');
});

test('what the standard refuses: credentials, a body on a null-body status', async () => {
  for (const url of ['http://user:pw@h/', 'http://user@h/x', 'http://h:1@other/']) {
    assert.equal(cause(() => new Request(url)).code, 'HTTP-request-URI-invalid', url);
  }
  assert.equal(new Request('http://h/a@b').url, 'http://h/a@b', 'an @ in the path is not user info');
  // Unlike the standard, a GET may carry a body (B13: HTTP allows it, search APIs use it).
  assert.equal(await new Request('http://h/', { body: 'x' }).text(), 'x');
  for (const status of [204, 205, 304]) {
    assert.throws(() => new Response('x', { status }), TypeError, String(status));
    assert.equal(new Response(null, { status }).status, status);
  }
  assert.throws(() => Response.redirect('http://h/', 200), RangeError);
  assert.equal(Response.redirect('http://h/', 307).headers.get('location'), 'http://h/');
});

test('Blob bodies stream with their type; FormData is refused, not sent as text', async () => {
  const blob = new Request('http://h/', { method: 'POST', body: new Blob(['bl', 'ob'], { type: 'text/x-blob' }) });
  assert.equal(blob.headers.get('content-type'), 'text/x-blob');
  assert.equal(await blob.text(), 'blob');
  assert.throws(() => new Request('http://h/', { method: 'POST', body: new FormData() }), TypeError);
});

test('an error cause survives JSON.stringify, its bigints written as numbers', () => {
  const e = fetchError('HTTP-request-body-size', 'body-write', undefined, 5n);
  assert.equal(e.cause.payload, 5n, 'the payload keeps its WIT type');
  assert.deepEqual(JSON.parse(JSON.stringify({ cause: e.cause })), {
    cause: { code: 'HTTP-request-body-size', stage: 'body-write', payload: 5 },
  });
  const huge = fetchError('HTTP-request-body-size', 'body-write', undefined, 2n ** 60n);
  assert.equal(JSON.parse(JSON.stringify(huge.cause)).payload, String(2n ** 60n));
  assert.match(about(e, 'POST http://h/').message, /^POST http:\/\/h\/: body-write: wasi:http HTTP-request-body-size 5$/);
  assert.equal(about(e, 'POST http://h/').cause, e.cause);
});

test('methods and schemes map to their variant cases, invalid tokens are refused', () => {
  assert.deepEqual(methodToRaw('GET'), { tag: 'get' });
  assert.deepEqual(methodToRaw('PURGE'), { tag: 'other', val: 'PURGE' });
  assert.equal(methodFromRaw({ tag: 'patch' }), 'PATCH');
  assert.equal(methodFromRaw({ tag: 'other', val: 'PURGE' }), 'PURGE');
  assert.equal(cause(() => methodToRaw('BAD METHOD')).code, 'HTTP-request-method-invalid');
  assert.deepEqual(schemeToRaw('HTTPS'), { tag: 'HTTPS' });
  assert.deepEqual(schemeToRaw('ws'), { tag: 'other', val: 'ws' });
});

test('header values are byte strings', () => {
  assert.deepEqual([...valueToBytes('a\u00ff')], [97, 255]);
  assert.throws(() => valueToBytes('\u0100'), TypeError);
});

test('timeouts become request-options in nanoseconds; none set means no options at all', () => {
  assert.equal(requestOptions({}), undefined);
  assert.equal(requestOptions(undefined), undefined);
  const o = requestOptions({ connectTimeout: 200, betweenBytesTimeout: 1.5 });
  assert.deepEqual(o.set, { connectTimeout: 200000000n, betweenBytesTimeout: 1500000n });
});

test('clone tees a body; a request body moves to the request made from it', async () => {
  const response = new Response('both halves');
  const copy = response.clone();
  assert.equal(await copy.text(), 'both halves');
  assert.equal(await response.text(), 'both halves');
  assert.throws(() => response.clone(), TypeError, 'a read body cannot be cloned');
  const streamed = new Response(
    new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('stream'));
        c.close();
      },
    }),
    { status: 201, headers: { 'x-a': '1' } },
  );
  const twin = streamed.clone();
  assert.equal(twin.status, 201);
  assert.equal(twin.headers.get('x-a'), '1');
  assert.deepEqual([await streamed.text(), await twin.text()], ['stream', 'stream']);

  const request = new Request('http://example.test/', { method: 'POST', body: 'once' });
  const requestCopy = request.clone();
  assert.equal(requestCopy.method, 'POST');
  assert.equal(await requestCopy.text(), 'once');
  const moved = new Request(request);
  assert.equal(request.bodyUsed, true, 'the body moved to the new request');
  assert.equal(await moved.text(), 'once');
  assert.throws(() => new Request(request), TypeError, 'a used body cannot move again');
  // Without a body there is nothing to use up.
  const bare = new Request('http://example.test/');
  new Request(bare);
  assert.equal(new Request(bare).method, 'GET');
});

test('redirect locations resolve as URLs do, and origins include the default port', () => {
  const base = 'http://a.test/dir/page?x=1';
  assert.equal(resolveLocation(base, '?z=3'), 'http://a.test/dir/page?z=3');
  assert.equal(resolveLocation(base, '../up'), 'http://a.test/up');
  assert.equal(resolveLocation(base, 'next'), 'http://a.test/dir/next');
  assert.equal(resolveLocation(base, '//b.test/p'), 'http://b.test/p');
  assert.equal(resolveLocation(base, 'https://c.test/'), 'https://c.test/');
  // Within the app: still a path, so still a request to the app itself.
  assert.equal(resolveLocation('/dir/page', 'other?q'), '/dir/other?q');
  assert.equal(resolveLocation('/dir/page', 'http://d.test/'), 'http://d.test/');
  assert.equal(originOf('http://a.test/x'), originOf('http://A.test:80/y'));
  assert.notEqual(originOf('http://a.test/'), originOf('https://a.test/'));
  assert.notEqual(originOf('http://a.test/'), originOf('http://a.test:8080/'));
  assert.equal(originOf('/x'), originOf('/y'));
});

test('a stream the host closed is marked, so a response that came anyway can be the result', () => {
  const closed = fromThrown({ payload: { tag: 'closed' } }, 'body-write');
  assert.equal(closed.cause.code, 'internal-error');
  assert.equal(closed.cause[CLOSED], true);
  assert.deepEqual(Object.keys(closed.cause), ['code', 'stage'], 'the mark is not part of the cause');
  assert.equal(fetchError('HTTP-request-body-size', 'body-write').cause[CLOSED], undefined);
});

test('a handler response whose content-length disagrees with its whole body is refused', () => {
  assert.throws(() => checkLength(new Response('hello', { headers: { 'content-length': '2' } })), /content-length 2, but the body has 5 bytes/);
  checkLength(new Response('hello', { headers: { 'content-length': '5' } }));
  checkLength(new Response(null, { headers: { 'content-length': '5' } })); // a HEAD's answer
});
