/**
 * The Graphviz Web Worker started by graphviz-browser.ts. Its first message is the wasm file's
 * URL: the worker fetches it (a failure is reported with the URL and the HTTP status), then
 * loads viz.js' browser build with those bytes, which from then on serves render requests, and
 * answers `{ ready: true }`. Graphviz's warnings (`console.warn`) are silenced; errors still
 * reach the caller as rejected renders.
 * @module
 */

/** The part of a worker's global scope used here (the package compiles without the DOM types). */
interface WorkerScope {
  onmessage: ((event: { readonly data: { readonly wasmUrl: string } }) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
console.warn = (): void => {};

scope.onmessage = ({ data: { wasmUrl } }) => {
  scope.onmessage = null;
  void (async () => {
    try {
      const response = await fetch(wasmUrl).catch((e: unknown) => {
        throw new Error(`cannot fetch Graphviz's wasm file ${wasmUrl}: ${e instanceof Error ? e.message : String(e)}`);
      });
      if (!response.ok) throw new Error(`cannot fetch Graphviz's wasm file ${wasmUrl}: HTTP ${response.status} ${response.statusText}`.trim());
      const wasmBinary = new Uint8Array(await response.arrayBuffer());
      // Imported only now: viz.js listens for render requests as soon as it is loaded.
      const { default: useModule } = await import('@aduh95/viz.js/worker');
      // viz.js' browser build needs locateFile (its fallback is an invalid URL); with the
      // bytes given, the file is not fetched again.
      await useModule({ wasmBinary, locateFile: () => wasmUrl });
      scope.postMessage({ ready: true });
    } catch (e) {
      scope.postMessage({ failed: e instanceof Error ? e.message : String(e) });
    }
  })();
};
