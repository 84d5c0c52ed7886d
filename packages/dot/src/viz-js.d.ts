// Types of the part of @aduh95/viz.js used by render.ts: the package ships types, but its
// exports map does not point at them, so NodeNext resolution cannot find them.
declare module '@aduh95/viz.js' {
  import type { Worker } from 'node:worker_threads';
  export default class Viz {
    constructor(options: { worker: Worker });
    renderString(src: string, options?: { format?: 'svg'; engine?: 'dot' }): Promise<string>;
    terminateWorker(): Promise<number> | void;
  }
}
