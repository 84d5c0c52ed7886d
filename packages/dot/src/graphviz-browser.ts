/**
 * Starting Graphviz in a page (`#graphviz` outside Node): viz.js' browser build in a module Web
 * Worker (viz-worker-browser.ts), so rendering a large graph does not freeze the page. The
 * worker fetches Graphviz's wasm file (`@aduh95/viz.js/wasm`, 860 KB) from `wasmUrl`; without
 * one, from where `import.meta.resolve` finds it (an import map), else a RenderError says to
 * pass it. A bundler must bundle the worker: Vite, webpack and Parcel do for the
 * `new Worker(new URL(...), ...)` written here.
 * @module
 */
import Viz from '@aduh95/viz.js';
import type * as NodeGraphviz from './graphviz-node.js';
import { RenderError } from './render-error.js';

/** A page's Worker, as much as used here (the package compiles without the DOM types). */
interface PageWorker {
  postMessage(message: unknown): void;
  addEventListener(type: 'message' | 'error', listener: (event: { readonly data?: unknown; readonly message?: string }) => void): void;
  terminate(): void;
}

// Written `new Worker(new URL(...), ...)` below so that bundlers see the pattern.
declare const Worker: new (url: URL, options: { type: 'module'; name: string }) => PageWorker;

/**
 * Starts Graphviz in a Web Worker, once the worker has fetched the wasm file.
 * @example
 * ```ts
 * const graphviz = await startGraphviz({ wasmUrl }, () => {});
 * ```
 */
export const startGraphviz: typeof NodeGraphviz.startGraphviz = async (options, onExit) => {
  // Relative to the page, not to the worker script (which a bundler may put elsewhere).
  const page = (globalThis as { location?: { readonly href: string } }).location?.href;
  const wasmUrl = absolute(options.wasmUrl ?? defaultWasmUrl(), page);
  const worker = new Worker(new URL('./viz-worker-browser.js', import.meta.url), { type: 'module', name: 'stablegrad-graphviz' });
  const reply = await new Promise<{ readonly ready?: boolean; readonly failed?: string }>((resolve) => {
    worker.addEventListener('message', ({ data }) => resolve(data as { ready?: boolean; failed?: string }));
    worker.addEventListener('error', ({ message }) => resolve({ failed: `the Graphviz worker did not start (${message ?? 'no message'}); is viz-worker-browser.js bundled?` }));
    worker.postMessage({ wasmUrl });
  });
  if (reply.ready !== true) {
    worker.terminate();
    onExit();
    throw new RenderError(`renderSvg: ${reply.failed ?? 'the Graphviz worker did not start'}`);
  }
  const viz = new Viz({ worker });
  return { render: (dot) => viz.renderString(dot, { format: 'svg', engine: 'dot' }) };
};

function absolute(url: string | URL, base: string | undefined): string {
  try {
    return new URL(url, base).href;
  } catch {
    throw new RenderError(`renderSvg: wasmUrl ${JSON.stringify(String(url))} is not a URL${base === undefined ? ' (a relative one needs a page to be relative to)' : ''}`);
  }
}

function defaultWasmUrl(): string {
  try {
    return import.meta.resolve('@aduh95/viz.js/wasm');
  } catch {
    throw new RenderError("renderSvg: in a browser, say where Graphviz's wasm file is served: renderSvg(dot, { wasmUrl }), e.g. with Vite `import wasmUrl from '@aduh95/viz.js/wasm?url'`");
  }
}
