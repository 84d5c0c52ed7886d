/**
 * The Wisconsin diagnostic breast cancer data set (UCI; Wolberg, Street and Mangasarian, 1995;
 * CC BY 4.0, see examples/data/README.md): 569 rows of 30 real features and a 0/1 label
 * (0 = malignant, 1 = benign). Loading and standardisation (the split is in dataset.ts).
 * @module
 */
import { fileURLToPath } from 'node:url';
import { CsvFormatError, readGzipCsv } from './load-csv.js';
import type { Dataset } from './dataset.js';

export { type Dataset, splitTrainTest } from './dataset.js';

/** Where the data file lives (examples/data, from both src/data and dist/data). */
export const BREAST_CANCER_PATH = fileURLToPath(new URL('../../data/breast_cancer.csv.gz', import.meta.url));

/** The whole data set and its class names (`classNames[label]`). */
export interface BreastCancer extends Dataset {
  readonly classNames: readonly [string, string];
}

/**
 * Loads the data set. The header `569,30,malignant,benign` gives the row count, the feature
 * count and the class names; rows and labels are checked against it.
 * @example
 * ```ts
 * const data = loadBreastCancer();
 * data.rows; // 569
 * ```
 */
export function loadBreastCancer(file: string = BREAST_CANCER_PATH): BreastCancer {
  const { header, rows } = readGzipCsv(file, { header: true });
  const [rowText, featureText, negative, positive] = header;
  const expectedRows = Number(rowText);
  const featureCount = Number(featureText);
  if (
    header.length !== 4 || !Number.isInteger(expectedRows) || !Number.isInteger(featureCount) ||
    featureCount < 1 || negative === undefined || positive === undefined
  ) {
    throw new CsvFormatError(file, 1, `expected a header 'rows,features,class0,class1', found ${JSON.stringify(header.join(','))}`);
  }
  if (rows.length !== expectedRows) {
    throw new CsvFormatError(file, rows.length + 2, `the header promises ${expectedRows} rows, the file has ${rows.length}`);
  }
  const features = new Float64Array(expectedRows * featureCount);
  const labels = new Float64Array(expectedRows);
  rows.forEach((row, i) => {
    if (row.length !== featureCount + 1) {
      throw new CsvFormatError(file, i + 2, `expected ${featureCount} features and a label, found ${row.length} fields`);
    }
    const label = row[featureCount]!;
    if (label !== 0 && label !== 1) throw new CsvFormatError(file, i + 2, `label must be 0 or 1, found ${label}`);
    features.set(row.subarray(0, featureCount), i * featureCount);
    labels[i] = label;
  });
  return { rows: expectedRows, featureCount, features, labels, classNames: [negative, positive] };
}

/** Per-feature mean and standard deviation. */
export interface Standardizer {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/**
 * Mean and (population) standard deviation of each feature; a constant feature gets std 1 so
 * standardising leaves it at 0 instead of dividing by zero.
 */
export function fitStandardizer(data: Dataset): Standardizer {
  const d = data.featureCount;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < data.rows; i++) for (let j = 0; j < d; j++) mean[j]! += data.features[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= data.rows;
  for (let i = 0; i < data.rows; i++) {
    for (let j = 0; j < d; j++) std[j]! += (data.features[i * d + j]! - mean[j]!) ** 2;
  }
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]! / data.rows) || 1;
  return { mean, std };
}

/**
 * `(x - mean) / std` per feature. Fit on the training set only, then apply to both sets, so
 * nothing about the held-out rows leaks into training.
 * @example
 * ```ts
 * const s = fitStandardizer(train);
 * const [trainZ, testZ] = [standardize(train, s), standardize(test, s)];
 * ```
 */
export function standardize(data: Dataset, { mean, std }: Standardizer): Dataset {
  const d = data.featureCount;
  const features = data.features.map((v, k) => (v - mean[k % d]!) / std[k % d]!);
  return { ...data, features };
}
