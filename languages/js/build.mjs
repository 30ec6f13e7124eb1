// Builds a JS agent into a wasi:http/proxy component with ComponentizeJS, installed in
// languages/js/node_modules by languages/js/setup. Run from the folder that holds every module
// the agent imports (ComponentizeJS maps the working directory into the engine at build time).
//
//   node build.mjs SOURCE WIT_DIR WORLD OUT
//
// AOT (weval) stays off: it would download a binary. The `http` feature stays on: the SDK
// imports wasi:http directly and disabling it stubs those imports out.

import { writeFile } from 'node:fs/promises';
import { componentize } from '@bytecodealliance/componentize-js';

const [source, witPath, worldName, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node build.mjs SOURCE WIT_DIR WORLD OUT');
  process.exit(2);
}
const started = Date.now();
const { component } = await componentize({
  sourcePath: source,
  witPath,
  worldName,
  enableAot: false,
});
await writeFile(out, component);
console.error(`${out}: ${component.length} bytes in ${Date.now() - started} ms`);
