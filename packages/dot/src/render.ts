/**
 * `renderSvg`: DOT to SVG with Graphviz compiled to WebAssembly (`@aduh95/viz.js`, Graphviz
 * 5.0), so no native Graphviz is needed and nothing is downloaded. Graphviz runs in one worker
 * thread, started on the first call (importing this package stays cheap) and unreferenced
 * between renders, so it never keeps a process alive.
 * @module
 */
import { StablegradError } from '@stablegrad/core';

/**
 * Graphviz rejected a DOT text (the message ends with Graphviz's own, e.g. `syntax error in line 3`).
 * @example
 * ```ts
 * await renderSvg('digraph { a -> }'); // RenderError: Graphviz could not render the DOT text: ...
 * ```
 */
export class RenderError extends StablegradError {
  override name = 'RenderError';
}

/** A started Graphviz. */
interface Renderer {
  render(dot: string): Promise<string>;
}

let started: Promise<Renderer> | undefined;

/**
 * Renders DOT text (from `toDot` or `toDiffDot`, or any DOT) to an SVG document.
 * Throws a RenderError when Graphviz cannot parse it.
 * @example
 * ```ts
 * const svg = await renderSvg(toDot(graph({ loss })));
 * svg.includes('<svg'); // true
 * ```
 */
export async function renderSvg(dot: string): Promise<string> {
  started ??= start();
  const renderer = await started;
  try {
    return await renderer.render(dot);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RenderError(`Graphviz could not render the DOT text: ${message.trim()}`);
  }
}

async function start(): Promise<Renderer> {
  const [{ default: Viz }, { Worker }, { createRequire }, { realpathSync }] = await Promise.all([
    import('@aduh95/viz.js'), import('node:worker_threads'), import('node:module'), import('node:fs'),
  ]);
  // viz.js's own `getWorker()` only starts a worker from the main thread, so start our entry
  // script (which quiets Graphviz's warnings) and hand it viz.js's Node worker script with the
  // workerData viz.js expects there: that script's own file name.
  const script = realpathSync(createRequire(import.meta.url).resolve('@aduh95/viz.js/worker'));
  const worker = new Worker(new URL('./viz-worker.js', import.meta.url), { workerData: { __filename: script } });
  worker.unref();
  worker.once('exit', () => {
    started = undefined;
  });
  const viz = new Viz({ worker });
  return { render: (dot) => viz.renderString(dot, { format: 'svg', engine: 'dot' }) };
}
