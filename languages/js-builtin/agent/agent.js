// The `js-builtin` conformance agent: the same protocol (../../js/agent/protocol.js) on
// StarlingMonkey's own global `fetch`, `Headers` and `Response`, served through its
// `fetch` event. It uses nothing of Courier's generated SDK: this column shows how the peer
// implementation we did not write behaves, next to ours (`js`).

import { agent } from '../../js/agent/protocol.js';

const run = agent({
  fetch: globalThis.fetch,
  Headers: globalThis.Headers,
  Response: globalThis.Response,
  // The standard's iteration: sorted by name, repeated fields joined with ", ".
  entries: (headers) => [...headers],
  timeouts(options) {
    const set = Object.keys(options).filter((k) => options[k] != null);
    return set.length
      ? `the global fetch has no wasi:http request options (asked for ${set.join(', ')})`
      : {};
  },
  // StarlingMonkey rejects with a plain TypeError; it carries no wasi:http case name.
  errorCode: (e) => (e && e.cause && typeof e.cause.code === 'string' ? e.cause.code : undefined),
});

addEventListener('fetch', (event) => event.respondWith(run(event.request)));
