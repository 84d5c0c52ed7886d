/**
 * Starting the row worker in a page (`#row-threads` outside Node): a module Web Worker, only
 * where shared memory is allowed — a cross-origin isolated page (COOP `same-origin` and COEP
 * `require-corp` headers) — and there is more than one core. A page's main thread cannot block,
 * so this does not wait for the worker: kernels run on one thread until it reports ready, and a
 * worker that never loads (say, a bundler that did not copy row-worker-browser.js) just leaves
 * them there.
 * @module
 */
import type * as NodeThreads from './row-threads-node.js';

/** The part of a page's global scope used here (the package compiles without the DOM types). */
interface PageScope {
  readonly crossOriginIsolated?: boolean;
  readonly navigator?: { readonly hardwareConcurrency?: number };
  readonly Worker?: unknown;
}

// The page's Worker, written `new Worker(new URL(...), ...)` below so that bundlers (Vite,
// webpack, Parcel) see the pattern and bundle the worker script.
declare const Worker: new (url: URL, options: { type: 'module'; name: string }) => { postMessage(message: unknown): void };

const page = globalThis as unknown as PageScope;

/**
 * Whether a second thread may help: a cross-origin isolated page with Web Workers and more than
 * one core.
 * @example
 * ```ts
 * threadsAllowed(); // false on a page served without COOP/COEP headers
 * ```
 */
export const threadsAllowed: typeof NodeThreads.threadsAllowed = () =>
  page.crossOriginIsolated === true && typeof page.Worker === 'function' && (page.navigator?.hardwareConcurrency ?? 1) >= 2;

/**
 * Starts the worker and hands it `control`; returns how to send it a job (used once the worker
 * has set `control[1]`).
 * @example
 * ```ts
 * const post = startRowWorker(new Int32Array(new SharedArrayBuffer(8)));
 * ```
 */
export const startRowWorker: typeof NodeThreads.startRowWorker = (control) => {
  const worker = new Worker(new URL('./row-worker-browser.js', import.meta.url), { type: 'module', name: 'stablegrad-rows' });
  worker.postMessage({ control: control.buffer });
  return (job) => worker.postMessage(job);
};
