/**
 * Trains the flagship digits model (examples/src/digits-model.ts) on the UCI handwritten digits:
 * a seeded 80/20 train/test split, `fit` with a validation split, then the held-out accuracy.
 * @module
 */
import type { FitOptions, History, Sequential } from 'stablegrad';
import { splitTrainTest } from './data/dataset.js';
import { DIGITS_PATH, loadDigits } from './data/digits.js';
import { digitsModel } from './digits-model.js';

/** Options of `trainDigits`; every field has a default. */
export interface DigitsOptions {
  /** Default 30. */
  readonly epochs?: number;
  /** Default 32. */
  readonly batchSize?: number;
  /** Seeds the split, the weights and the shuffles (default 42). */
  readonly seed?: number;
  /** Share of rows held out for the final test (default 0.2). */
  readonly testFraction?: number;
  /** The gzip CSV to read (default examples/data/digits.csv.gz). */
  readonly dataPath?: string;
  /** The model to train (default: a fresh `digitsModel(seed)`). */
  readonly model?: Sequential;
  /** Passed to `fit` (verbose, callbacks, stream). */
  readonly fit?: Pick<FitOptions, 'verbose' | 'callbacks' | 'stream'>;
}

/** What training produced. */
export interface DigitsResult {
  readonly model: Sequential;
  readonly history: History;
  /** Loss and accuracy on the held-out rows. */
  readonly test: { readonly loss: number; readonly accuracy: number };
  readonly trainRows: number;
  readonly testRows: number;
}

/**
 * Loads the digits, trains the model and measures it on the held-out rows.
 * @example
 * ```ts
 * const { test } = await trainDigits({ epochs: 5, fit: { verbose: 0 } });
 * ```
 */
export async function trainDigits(options: DigitsOptions = {}): Promise<DigitsResult> {
  const seed = options.seed ?? 42;
  const data = loadDigits(options.dataPath ?? DIGITS_PATH);
  const { train, test } = splitTrainTest(data, { testFraction: options.testFraction ?? 0.2, seed });
  const labels = (set: typeof train) => Int32Array.from(set.labels);
  const model = options.model ?? digitsModel(seed);
  const history = await model.fit(train.features, labels(train), {
    epochs: options.epochs ?? 30,
    batchSize: options.batchSize ?? 32,
    validationSplit: 0.1,
    ...options.fit,
  });
  const { loss, accuracy } = model.evaluate(test.features, labels(test));
  return { model, history, test: { loss: loss!, accuracy: accuracy! }, trainRows: train.rows, testRows: test.rows };
}
