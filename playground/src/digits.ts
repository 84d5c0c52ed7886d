/**
 * The digits model trained in the page: the data file bundled into the page (examples/data/
 * digits.csv.gz, inlined by Vite as a data URL, so nothing is fetched at run time),
 * decompressed with the browser's DecompressionStream, split and trained exactly as
 * examples/src/train-digits.ts does (the same model function, the same seeded split).
 * @module
 */
import { type Logs, saveModelToBlob } from '@stablegrad/nn';
import digitsGzipUrl from '../../examples/data/digits.csv.gz?inline';
import { splitTrainTest } from '../../examples/src/data/dataset.js';
import { digitsFromCsvText } from '../../examples/src/data/digits-table.js';
import { digitsModel } from '../../examples/src/digits-model.js';

/** What the page shows while training. */
export interface TrainingProgress {
  /** After each batch: the running count of batches and that batch's loss and accuracy. */
  onBatch(step: number, logs: Logs): void;
  /** After each epoch, with its logs (validation included). */
  onEpoch(epoch: number, logs: Logs): void;
}

/** The outcome: held-out accuracy and loss, and the sizes. */
export interface DigitsOutcome {
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly seconds: number;
  /** The trained model as the file `model.save` writes (`saveModelToBlob`), for a download link. */
  readonly modelFile: Blob;
}

/**
 * The gzip bytes of the bundled data URL, decompressed by the browser.
 * @example
 * ```ts
 * const text = await bundledDigitsText(); // 'the 1797 rows of 65 numbers'
 * ```
 */
export async function bundledDigitsText(): Promise<string> {
  const base64 = digitsGzipUrl.slice(digitsGzipUrl.indexOf(',') + 1);
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/**
 * Trains the digits model for `epochs` epochs (batches of 32, a tenth of the training rows for
 * validation, seed 42), reporting progress, then measures the held-out fifth of the data.
 * @example
 * ```ts
 * const { testAccuracy } = await trainDigits(5, { onBatch() {}, onEpoch() {} });
 * ```
 */
export async function trainDigits(epochs: number, progress: TrainingProgress): Promise<DigitsOutcome> {
  const started = performance.now();
  const seed = 42;
  const data = digitsFromCsvText(await bundledDigitsText(), 'digits.csv.gz (bundled)');
  const { train, test } = splitTrainTest(data, { testFraction: 0.2, seed });
  const model = digitsModel(seed);
  let step = 0;
  await model.fit(train.features, Int32Array.from(train.labels), {
    epochs,
    batchSize: 32,
    validationSplit: 0.1,
    verbose: 0,
    callbacks: [{
      onBatchEnd: (_batch, logs) => progress.onBatch(++step, logs),
      onEpochEnd: (epoch, logs) => progress.onEpoch(epoch, logs),
    }],
  });
  const { loss, accuracy } = model.evaluate(test.features, Int32Array.from(test.labels));
  return {
    testAccuracy: accuracy!, testLoss: loss!, trainRows: train.rows, testRows: test.rows, seconds: (performance.now() - started) / 1000, modelFile: saveModelToBlob(model),
  };
}
