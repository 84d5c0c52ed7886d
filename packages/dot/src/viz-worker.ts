/**
 * Entry point of the Graphviz worker thread started by `renderSvg`. It silences the thread's
 * `console.warn` (where the Graphviz wasm build prints warnings such as "no value for width of
 * non-ASCII character"; errors still reach the caller as rejected renders), then loads viz.js's
 * Node worker script, which serves render requests from the parent thread.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';

console.warn = (): void => {};
const { __filename: script } = workerData as { __filename: string };
await import(pathToFileURL(script).href);
