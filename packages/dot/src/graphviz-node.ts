/**
 * Starting Graphviz in Node (`#graphviz` under the `node` condition): viz.js' Node worker
 * script in a `worker_threads` Worker, unreferenced between renders so it never keeps a process
 * alive. Graphviz finds its wasm file next to that script.
 * @module
 */
import Viz from '@aduh95/viz.js';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * A started Graphviz.
 * @example
 * ```ts
 * const svg = await (await startGraphviz({}, () => {})).render('digraph { a -> b }');
 * ```
 */
export interface Graphviz {
  /** DOT text to an SVG document; rejects with Graphviz's message. */
  render(dot: string): Promise<string>;
}

/**
 * Where Graphviz comes from. Node finds its wasm file itself; a page says where it is served.
 * @example
 * ```ts
 * const options: GraphvizOptions = { wasmUrl: '/assets/render.wasm' };
 * ```
 */
export interface GraphvizOptions {
  /** The URL of `@aduh95/viz.js/wasm` (browser only; Node ignores it). */
  readonly wasmUrl?: string | URL;
}

/**
 * Starts Graphviz; `onExit` runs if its worker stops (the next render starts a new one).
 * @example
 * ```ts
 * const graphviz = await startGraphviz({}, () => {});
 * ```
 */
export async function startGraphviz(_options: GraphvizOptions, onExit: () => void): Promise<Graphviz> {
  // viz.js's own `getWorker()` only starts a worker from the main thread, so start our entry
  // script (which quiets Graphviz's warnings) and hand it viz.js's Node worker script with the
  // workerData viz.js expects there: that script's own file name.
  const script = realpathSync(createRequire(import.meta.url).resolve('@aduh95/viz.js/worker'));
  const worker = new Worker(new URL('./viz-worker.js', import.meta.url), { workerData: { __filename: script } });
  worker.unref();
  worker.once('exit', onExit);
  const viz = new Viz({ worker });
  return Promise.resolve({ render: (dot) => viz.renderString(dot, { format: 'svg', engine: 'dot' }) });
}
