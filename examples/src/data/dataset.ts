/**
 * Tables of examples, whatever the data set: the row-major layout the loaders produce, and a
 * seeded train/test split.
 * @module
 */
import { mulberry32, permutation } from './random.js';

/** A table of examples: `features` is row-major `[rows, featureCount]`, `labels` holds 0 or 1. */
export interface Dataset {
  readonly rows: number;
  readonly featureCount: number;
  readonly features: Float64Array;
  readonly labels: Float64Array;
}

/**
 * Shuffles the rows with a seeded PRNG and splits them: the first `1 - testFraction` for
 * training, the rest held out.
 * @example
 * ```ts
 * const { train, test } = splitTrainTest(loadBreastCancer(), { testFraction: 0.2, seed: 42 });
 * ```
 */
export function splitTrainTest(data: Dataset, options: { testFraction: number; seed: number }): { train: Dataset; test: Dataset } {
  const { testFraction, seed } = options;
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`testFraction must be in (0, 1), got ${testFraction}`);
  const order = permutation(data.rows, mulberry32(seed));
  const trainRows = Math.round(data.rows * (1 - testFraction));
  const take = (indices: readonly number[]): Dataset => {
    const d = data.featureCount;
    const features = new Float64Array(indices.length * d);
    const labels = new Float64Array(indices.length);
    indices.forEach((row, i) => {
      features.set(data.features.subarray(row * d, (row + 1) * d), i * d);
      labels[i] = data.labels[row]!;
    });
    return { rows: indices.length, featureCount: d, features, labels };
  };
  return { train: take(order.slice(0, trainRows)), test: take(order.slice(trainRows)) };
}
