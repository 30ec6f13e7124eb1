// A Node module hook for the SDK's unit tests: every `wasi:*` import resolves to one stub module,
// so the SDK's pure parts (Headers, Request/Response bodies, URL and method handling, request
// options) run under `node --test` without a WebAssembly host. Anything that would really
// talk to the host throws, so a test cannot pass by accident through the stub.
import { register } from 'node:module';

const STUB = `
const host = (what) => () => { throw new Error('stub: ' + what + ' needs a wasi:http host'); };
export class RequestOptions {
  constructor() { this.set = {}; }
  setConnectTimeout(v) { this.set.connectTimeout = v; }
  setFirstByteTimeout(v) { this.set.firstByteTimeout = v; }
  setBetweenBytesTimeout(v) { this.set.betweenBytesTimeout = v; }
}
export class Fields { static fromList() { return host('Fields.fromList')(); } }
export class OutgoingRequest { constructor() { host('OutgoingRequest')(); } }
export class OutgoingResponse { constructor() { host('OutgoingResponse')(); } }
export const OutgoingBody = { finish: host('OutgoingBody.finish') };
export const IncomingBody = { finish: host('IncomingBody.finish') };
export const ResponseOutparam = { set: host('ResponseOutparam.set') };
export const httpErrorCode = host('http-error-code');
export const handle = host('outgoing-handler.handle');
export const poll = host('poll');
export const subscribeDuration = host('subscribe-duration');
`;

const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('wasi:')) return { url: 'courier-stub:' + specifier, shortCircuit: true };
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url.startsWith('courier-stub:')) {
    return { format: 'module', source: ${JSON.stringify(STUB)}, shortCircuit: true };
  }
  return next(url, context);
}
`;

register('data:text/javascript,' + encodeURIComponent(hooks));
