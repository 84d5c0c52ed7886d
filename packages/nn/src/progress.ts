/**
 * What `fit` prints. `verbose: 'auto'` (default) is Keras' behaviour: a progress bar per epoch
 * in a terminal (the `cli-progress` library in Node, `#progress-bar`; a plain-text twin in a
 * browser) and one line per epoch anywhere else (a pipe, a CI
 * log, `| tee`); `verbose: 1` is the bar only (nothing when the stream is not a terminal),
 * `verbose: 2` the line per epoch anywhere, `verbose: 0` nothing. The line is Keras':
 * `Epoch 3/10 - 12ms 1.2ms/step - loss: 0.1234 - accuracy: 0.9000 - lr: 0.001`.
 * @module
 */
import { startBar, type TerminalBar } from '#progress-bar';

/**
 * Where the progress goes: a writable stream, a terminal when `isTTY` is true.
 * @example
 * ```ts
 * await model.fit(x, y, { verbose: 2, stream: process.stderr });
 * ```
 */
export interface ProgressStream {
  readonly isTTY?: boolean;
  /** Writes text (a terminal also gets cursor control sequences). */
  write(text: string): unknown;
}

/**
 * The progress display of one `fit` call.
 * @example
 * ```ts
 * const progress = createProgress(1, process.stdout, 30);
 * progress.startEpoch(0, 45);
 * ```
 */
export interface Progress {
  startEpoch(epoch: number, batches: number): void;
  batch(done: number, logs: { readonly [name: string]: number }): void;
  /** The epoch is over: its logs, how long it took and how many steps it ran. */
  endEpoch(epoch: number, logs: { readonly [name: string]: number }, seconds: number, steps: number): void;
}

/**
 * The stream `fit` writes to by default: `process.stdout` in Node, the console where there is
 * no `process` (a browser; never a terminal, so `'auto'` prints one line per epoch).
 * @example
 * ```ts
 * defaultStream().isTTY; // true in a terminal
 * ```
 */
export function defaultStream(): ProgressStream {
  const node = (globalThis as { process?: { stdout?: ProgressStream } }).process;
  if (node?.stdout !== undefined) return node.stdout;
  return { isTTY: false, write: (text: string) => { console.log(text.replace(/\n$/, '')); } };
}

/**
 * The progress display for a verbosity and a stream.
 * @example
 * ```ts
 * createProgress(2, process.stdout, 10).endEpoch(0, { loss: 0.5 }, 0.012, 10); // "Epoch 1/10 - 12ms 1.2ms/step - loss: 0.5000"
 * ```
 */
export function createProgress(verbose: 0 | 1 | 2, stream: ProgressStream, epochs: number): Progress {
  if (verbose === 2) {
    return {
      startEpoch: () => {},
      batch: () => {},
      endEpoch: (epoch, logs, seconds, steps) => {
        stream.write(`Epoch ${epoch + 1}/${epochs} - ${timing(seconds, steps)} - ${formatLogs(logs)}\n`);
      },
    };
  }
  if (verbose === 0 || stream.isTTY !== true) return { startEpoch: () => {}, batch: () => {}, endEpoch: () => {} };

  let bar: TerminalBar | undefined;
  return {
    startEpoch(epoch, batches) {
      bar = startBar(stream, `Epoch ${epoch + 1}/${epochs}`, batches);
    },
    batch(done, logs) {
      bar?.update(done, formatLogs(logs));
    },
    endEpoch(_epoch, logs, seconds, steps) {
      bar?.finish(`${timing(seconds, steps)} - ${formatLogs(logs)}`);
      bar = undefined;
    },
  };
}

/** `12ms 1.2ms/step`: the epoch's time and the time per step, Keras' way. */
function timing(seconds: number, steps: number): string {
  return `${duration(seconds)} ${duration(seconds / Math.max(steps, 1))}/step`;
}

/** `1.5s`, `12ms`, `1.2ms`, `850us`: two or three significant digits in a fitting unit. */
function duration(seconds: number): string {
  const [value, unit] = seconds >= 1 ? [seconds, 's'] : seconds >= 1e-3 ? [seconds * 1e3, 'ms'] : [seconds * 1e6, 'us'];
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10}${unit}`;
}

/**
 * `loss: 0.1234 - accuracy: 0.9650 - lr: 0.001`, Keras' way: 4 decimals for losses and metrics;
 * the learning rate (`learning_rate`) shown as `lr` with 4 significant digits.
 * @example
 * ```ts
 * formatLogs({ loss: 0.12345, accuracy: 0.96, learning_rate: 0.001 }); // 'loss: 0.1235 - accuracy: 0.9600 - lr: 0.001'
 * ```
 */
export function formatLogs(logs: { readonly [name: string]: number }): string {
  return Object.entries(logs)
    .map(([name, value]) => (name === 'learning_rate' ? `lr: ${Number(value.toPrecision(4))}` : `${name}: ${value.toFixed(4)}`))
    .join(' - ');
}
