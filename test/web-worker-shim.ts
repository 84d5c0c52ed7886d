/**
 * A Web Worker for Node tests of browser code: a `worker_threads` Worker whose global scope
 * looks like a dedicated worker's (`self`, `location`, `onmessage`, `addEventListener`,
 * `postMessage`), which runs a module script and, as a browser does, holds the messages that
 * arrive before the script has run. It counts the messages the page posts, so a test can see
 * that work went to the worker.
 */
import { Worker as NodeWorker } from 'node:worker_threads';

type Listener = (event: { readonly data?: unknown; readonly message?: string }) => void;

// The worker side: the scope, the queue until the module has loaded, the error report.
const BOOT = `
const { parentPort, workerData } = require('node:worker_threads');
const listeners = [];
globalThis.self = globalThis;
globalThis.location = { href: workerData.url };
globalThis.addEventListener = (type, listener) => { if (type === 'message') listeners.push(listener); };
globalThis.removeEventListener = (type, listener) => { const i = listeners.indexOf(listener); if (i >= 0) listeners.splice(i, 1); };
globalThis.postMessage = (message) => parentPort.postMessage(message);
const deliver = (data) => { const event = { data }; if (typeof globalThis.onmessage === 'function') globalThis.onmessage(event); for (const l of [...listeners]) l(event); };
let queue = [];
parentPort.on('message', (data) => (queue === null ? deliver(data) : queue.push(data)));
import(workerData.url).then(
  () => { const held = queue; queue = null; held.forEach(deliver); },
  (e) => parentPort.postMessage({ __shimError: String(e && e.stack || e) }),
);
`;

/** The page side: a Web Worker's `postMessage`, `addEventListener` and `terminate`. */
export class ShimWorker {
  /** Messages posted to all shim workers so far. */
  static posted = 0;
  /** Every shim worker started, in order. */
  static readonly started: ShimWorker[] = [];
  readonly url: URL;
  /** The first message the page posted (a row worker's control buffer). */
  first: unknown;
  private readonly worker: NodeWorker;
  private readonly listeners: { readonly [type: string]: Listener[] } = { message: [], error: [] };
  onmessage: Listener | null = null;

  constructor(url: URL, _options?: { readonly type?: string; readonly name?: string }) {
    this.url = url;
    this.worker = new NodeWorker(BOOT, { eval: true, workerData: { url: url.href } });
    this.worker.unref();
    this.worker.on('message', (data: unknown) => {
      if (typeof data === 'object' && data !== null && '__shimError' in data) {
        this.emit('error', { message: String(data.__shimError) });
        return;
      }
      this.onmessage?.({ data });
      this.emit('message', { data });
    });
    this.worker.on('error', (e) => this.emit('error', { message: e.message }));
    ShimWorker.started.push(this);
  }

  postMessage(message: unknown): void {
    if (this.first === undefined) this.first = message;
    ShimWorker.posted++;
    this.worker.postMessage(message);
  }

  addEventListener(type: string, listener: Listener): void {
    this.listeners[type]?.push(listener);
  }

  terminate(): void {
    void this.worker.terminate();
  }

  private emit(type: string, event: { readonly data?: unknown; readonly message?: string }): void {
    for (const l of [...(this.listeners[type] ?? [])]) l(event);
  }
}
