/**
 * What `fit` prints. `verbose: 1` (default) draws a progress bar per epoch in a terminal (the
 * `cli-progress` library) and prints nothing when the stream is not a terminal; `verbose: 2`
 * prints one line per epoch anywhere (logs, CI); `verbose: 0` prints nothing.
 * @module
 */
import cliProgress from 'cli-progress';

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
  endEpoch(epoch: number, logs: { readonly [name: string]: number }, seconds: number): void;
}

/**
 * The progress display for a verbosity and a stream.
 * @example
 * ```ts
 * createProgress(2, process.stdout, 10).endEpoch(0, { loss: 0.5 }, 0.1); // "Epoch 1/10 - 0.1s - loss: 0.5000"
 * ```
 */
export function createProgress(verbose: 0 | 1 | 2, stream: ProgressStream, epochs: number): Progress {
  if (verbose === 2) {
    return {
      startEpoch: () => {},
      batch: () => {},
      endEpoch: (epoch, logs, seconds) => {
        stream.write(`Epoch ${epoch + 1}/${epochs} - ${seconds.toFixed(1)}s - ${formatLogs(logs)}\n`);
      },
    };
  }
  if (verbose === 0 || stream.isTTY !== true) return { startEpoch: () => {}, batch: () => {}, endEpoch: () => {} };

  let bar: cliProgress.SingleBar | undefined;
  return {
    startEpoch(epoch, batches) {
      bar = new cliProgress.SingleBar({
        format: `Epoch ${epoch + 1}/${epochs} {bar} {value}/{total} {logs}`,
        stream: stream as NodeJS.WritableStream,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        fps: 10,
      }, cliProgress.Presets.shades_classic);
      bar.start(batches, 0, { logs: '' });
    },
    batch(done, logs) {
      bar?.update(done, { logs: formatLogs(logs) });
    },
    endEpoch(_epoch, logs, seconds) {
      bar?.update({ logs: `${seconds.toFixed(1)}s - ${formatLogs(logs)}` });
      bar?.render();
      bar?.stop();
      bar = undefined;
    },
  };
}

/**
 * `loss: 0.1234 - accuracy: 0.9650`, Keras' way.
 * @example
 * ```ts
 * formatLogs({ loss: 0.12345, accuracy: 0.96 }); // 'loss: 0.1235 - accuracy: 0.9600'
 * ```
 */
export function formatLogs(logs: { readonly [name: string]: number }): string {
  return Object.entries(logs).map(([name, value]) => `${name}: ${value.toFixed(4)}`).join(' - ');
}
