/**
 * `csvLogger`: each epoch's logs as one row of a CSV file, as Keras' `CSVLogger`. The file is
 * written row by row, so a run that is killed keeps the epochs it finished. Node only: it
 * writes with `node:fs`, loaded when training begins (not when this module is imported), so the
 * package's main entry does not import a Node built-in for it.
 * @module
 */
import type { Callback, Logs } from './callbacks.js';
import { systemReason } from './atomic-write.js';
import { FileWriteError, ModelError } from './errors.js';
import { checkKnownOptions, showValue } from './names.js';

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
 * epoch ends. A file that cannot be written is a `FileWriteError`.
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 20, validationSplit: 0.2, callbacks: [csvLogger({ filename: 'training.csv' })] });
 * // epoch,accuracy,learning_rate,loss,val_accuracy,val_loss
 * // 0,0.8125,0.001,0.4211,0.875,0.3862
 * ```
 */
export function csvLogger(options: CsvLoggerOptions): Callback {
  checkKnownOptions('csvLogger', options, ['filename', 'separator', 'append']);
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
  let fs: FileSystem | undefined;
  const write = (text: string, fresh: boolean): void => {
    try {
      if (fresh) fs!.writeFileSync(filename, text);
      else fs!.appendFileSync(filename, text);
    } catch (e) {
      const reason = systemReason(e);
      throw new FileWriteError(`csvLogger: cannot write ${filename}: ${reason}`, reason);
    }
  };
  const field = (value: string): string => (value.includes(separator) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const row = (values: readonly string[]): string => `${values.map(field).join(separator)}\n`;
  return {
    async onTrainBegin() {
      fs = await import('node:fs');
      keys = undefined;
      // As Keras: appending to a file with a first line keeps its header.
      header = !(append && hasFirstLine(fs, filename));
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

/** The part of `node:fs` the logger uses. */
type FileSystem = Pick<typeof import('node:fs'), 'appendFileSync' | 'readFileSync' | 'statSync' | 'writeFileSync'>;

function hasFirstLine(fs: FileSystem, filename: string): boolean {
  try {
    if (!fs.statSync(filename).isFile()) return false;
    return fs.readFileSync(filename, 'utf8').length > 0;
  } catch {
    return false;
  }
}
