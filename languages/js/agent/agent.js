// The `js` conformance agent: the protocol (protocol.js) on the generated SDK (../sdk) only.

import { fetch, handler, Headers, Response } from '../sdk/index.js';
import { agent } from './protocol.js';

const OPTION_NAMES = {
  connect_timeout_ms: 'connectTimeout',
  first_byte_timeout_ms: 'firstByteTimeout',
  between_bytes_timeout_ms: 'betweenBytesTimeout',
};

export const incomingHandler = handler(
  agent({
    fetch,
    Headers,
    Response,
    entries: (headers) => headers.raw(),
    timeouts(options) {
      const timeouts = {};
      for (const [key, name] of Object.entries(OPTION_NAMES)) {
        if (options[key] != null) timeouts[name] = options[key];
      }
      return { timeouts };
    },
    errorCode: (e) => (e && e.cause && typeof e.cause.code === 'string' ? e.cause.code : undefined),
  }),
);
