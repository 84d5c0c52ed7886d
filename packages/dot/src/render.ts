/**
 * `renderSvg`: DOT to SVG with Graphviz compiled to WebAssembly (`@aduh95/viz.js`, Graphviz
 * 5.0), so no native Graphviz is needed and nothing is downloaded. Graphviz runs in one worker,
 * started on the first call (importing this package stays cheap) through `#graphviz`: a worker
 * thread in Node (graphviz-node.ts), unreferenced between renders so it never keeps a process
 * alive; a Web Worker in a page (graphviz-browser.ts).
 * @module
 */
import { type Graphviz, startGraphviz } from '#graphviz';
import { RenderError } from './render-error.js';

export { RenderError } from './render-error.js';

let started: Promise<Graphviz> | undefined;

/**
 * Renders DOT text (from `toDot` or `toDiffDot`, or any DOT) to an SVG document.
 * Throws a RenderError when Graphviz cannot parse it. In a browser, `wasmUrl` says where
 * Graphviz's wasm file (`@aduh95/viz.js/wasm`) is served, on the first call (Node finds it
 * itself); a URL that cannot be fetched is a RenderError naming it and the HTTP status.
 * @example
 * ```ts
 * const svg = await renderSvg(toDot(graph({ loss })));
 * svg.includes('<svg'); // true
 * // in a page bundled with Vite:
 * // import wasmUrl from '@aduh95/viz.js/wasm?url';
 * // document.body.innerHTML = await renderSvg(toDot(graph({ loss })), { wasmUrl });
 * ```
 */
export async function renderSvg(dot: string, options: { readonly wasmUrl?: string | URL } = {}): Promise<string> {
  const starting = (started ??= startGraphviz(options, () => {
    started = undefined;
  }));
  let graphviz: Graphviz;
  try {
    graphviz = await starting;
  } catch (error) {
    if (started === starting) started = undefined;
    throw error;
  }
  try {
    return await graphviz.render(dot);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new RenderError(`Graphviz could not render the DOT text: ${message.trim()}`);
  }
}
