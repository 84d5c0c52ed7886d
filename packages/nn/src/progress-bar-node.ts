/**
 * The terminal progress bar of `fit` in Node: the `cli-progress` library, which writes cursor
 * control sequences to a TTY stream. The package imports it as `#progress-bar` under the `node`
 * condition; progress-bar-browser.ts is the twin for a page (no `cli-progress`, no `process`).
 * @module
 */
import cliProgress from 'cli-progress';
import type { ProgressStream } from './progress.js';

/**
 * A progress bar on a terminal stream, one per epoch.
 * @example
 * ```ts
 * const bar = startBar(process.stdout, 'Epoch 1/10', 45);
 * bar.update(1, 'loss: 0.6931');
 * bar.finish('12ms 1.2ms/step - loss: 0.5000');
 * ```
 */
export interface TerminalBar {
  /** `done` of the total steps, and the logs so far. */
  update(done: number, logs: string): void;
  /** Shows the final logs and leaves the bar on its line. */
  finish(logs: string): void;
}

/**
 * Starts a bar titled `title` for `total` steps on `stream` (a terminal).
 * @example
 * ```ts
 * startBar(process.stdout, 'Epoch 1/10', 45);
 * ```
 */
export function startBar(stream: ProgressStream, title: string, total: number): TerminalBar {
  const bar = new cliProgress.SingleBar({
    format: `${title} {bar} {value}/{total} {logs}`,
    stream: stream as NodeJS.WritableStream,
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    fps: 10,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { logs: '' });
  return {
    update(done, logs) {
      bar.update(done, { logs });
    },
    finish(logs) {
      bar.update({ logs });
      bar.render();
      bar.stop();
    },
  };
}
