// Types of the part of @aduh95/viz.js used by render.ts: the package ships types, but its
// exports map does not point at them, so NodeNext resolution cannot find them.
declare module '@aduh95/viz.js' {
  export default class Viz {
    /** A Node `worker_threads` Worker or a page's Web Worker running viz.js' worker script. */
    constructor(options: { worker: object });
    renderString(src: string, options?: { format?: 'svg'; engine?: 'dot' }): Promise<string>;
    terminateWorker(): Promise<number> | void;
  }
}
