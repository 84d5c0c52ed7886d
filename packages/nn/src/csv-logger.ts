/**
 * `csvLogger`: each epoch's logs as one row of a CSV file, as Keras' `CSVLogger`. The file is
 * written row by row, so a run that is killed keeps the epochs it finished. Node only: it
 * writes through `#file-system`, which is `node:fs` in Node, so the package's main entry imports
 * no Node built-in for it; in a browser, `csvLogger` throws a NodeOnlyError.
 * @module
 */
import type { Callback, Logs } from './callbacks.js';
import { appendFileSync, hasFileSystem, readFileSync, statSync, writeFileSync } from '#file-system';
import { FileWriteError, ModelError, NodeOnlyError } from './errors.js';
import { checkKnownOptions, showValue } from './names.js';
import { systemReason } from './system-reason.js';

/**
 * Options of `csvLogger`, Keras' `CSVLogger` names.
 * @example
 * ```ts
 * csvLogger({ filename: 'training.csv', separator: ';', append: true });
 * ```
 */
export interface CsvLoggerOptions {
  /** The CSV file. */
  readonly filename: string;
  /** Between fields (default `,`): one character, not a quote or a line break. */
  readonly separator?: string;
  /** Add to an existing file (its header is kept, none is written again) instead of replacing it (default false). */
  readonly append?: boolean;
}

/**
 * Writes `epoch` (0-based, as Keras) and the epoch's logs to a CSV file: a header of `epoch` and
 * the first epoch's log names in sorted order (Keras' columns: `accuracy`, `learning_rate`,
 * `loss`, `val_accuracy`, `val_loss`), then one row per epoch, numbers written exactly
 * (shortest round-trip decimal), `NA` for a log an epoch lacks. Each row is appended as the
 * epoch ends. A file that cannot be written is a `FileWriteError`; in a browser (no file system)
 * `csvLogger` itself throws a `NodeOnlyError`.
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 20, validationSplit: 0.2, callbacks: [csvLogger({ filename: 'training.csv' })] });
 * // epoch,accuracy,learning_rate,loss,val_accuracy,val_loss
 * // 0,0.8125,0.001,0.4211,0.875,0.3862
 * ```
 */
export function csvLogger(options: CsvLoggerOptions): Callback {
  checkKnownOptions('csvLogger', options, ['filename', 'separator', 'append']);
  if (!hasFileSystem) throw new NodeOnlyError("csvLogger writes a file with Node's file system (node:fs), which this environment lacks; in a page, collect the logs with a callback's onEpochEnd(epoch, logs)");
  const { filename } = options;
  if (typeof filename !== 'string' || filename === '') throw new ModelError(`csvLogger: filename must be a non-empty string, got ${typeof filename === 'string' ? JSON.stringify(filename) : showValue(filename)}`);
  const separator = options.separator ?? ',';
  if (typeof separator !== 'string' || separator.length !== 1 || /["\r\n]/.test(separator)) {
    throw new ModelError(`csvLogger: separator must be one character other than a quote or a line break, got ${typeof separator === 'string' ? JSON.stringify(separator) : showValue(separator)}`);
  }
  const append = options.append ?? false;
  if (typeof append !== 'boolean') throw new ModelError(`csvLogger: append must be true or false, got ${showValue(append)}`);
  let keys: string[] | undefined;
  let header = true;
  const write = (text: string, fresh: boolean): void => {
    try {
      if (fresh) writeFileSync(filename, text);
      else appendFileSync(filename, text);
    } catch (e) {
      const reason = systemReason(e);
      throw new FileWriteError(`csvLogger: cannot write ${filename}: ${reason}`, reason);
    }
  };
  const field = (value: string): string => (value.includes(separator) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const row = (values: readonly string[]): string => `${values.map(field).join(separator)}\n`;
  return {
    onTrainBegin() {
      keys = undefined;
      // As Keras: appending to a file with a first line keeps its header.
      header = !(append && hasFirstLine(filename));
      if (!append) write('', true);
    },
    onEpochEnd(epoch: number, logs: Logs) {
      if (keys === undefined) {
        keys = Object.keys(logs).sort();
        if (header) write(row(['epoch', ...keys]), false);
      }
      write(row([String(epoch), ...keys.map((k) => (logs[k] === undefined ? 'NA' : String(logs[k])))]), false);
    },
  };
}

function hasFirstLine(filename: string): boolean {
  try {
    if (!statSync(filename).isFile()) return false;
    return readFileSync(filename, 'utf8').length > 0;
  } catch {
    return false;
  }
}
