/**
 * The handwritten digits data set (UCI "Optical Recognition of Handwritten Digits", test set;
 * E. Alpaydin and C. Kaynak, 1998; CC BY 4.0, see examples/data/README.md): 1797 images of
 * 8x8 pixels with values 0..16, and their digit 0..9.
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { Dataset } from './dataset.js';
import { CsvFormatError, readGzipCsv } from './load-csv.js';

/** Where the data file lives (examples/data, from both src/data and dist/data). */
export const DIGITS_PATH = fileURLToPath(new URL('../../data/digits.csv.gz', import.meta.url));

/** Pixels per image (8 x 8). */
const DIGIT_PIXELS = 64;

/**
 * Loads the digits: features are the pixels scaled to [0, 1] (divided by 16), labels the digits.
 * Every field is checked (pixel counts, pixel range, labels 0..9).
 * @example
 * ```ts
 * const digits = loadDigits();
 * digits.rows; // 1797
 * ```
 */
export function loadDigits(file: string = DIGITS_PATH): Dataset {
  const { rows } = readGzipCsv(file, { columns: DIGIT_PIXELS + 1 });
  const features = new Float64Array(rows.length * DIGIT_PIXELS);
  const labels = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    for (let p = 0; p < DIGIT_PIXELS; p++) {
      const v = row[p]!;
      if (!(Number.isInteger(v) && v >= 0 && v <= 16)) throw new CsvFormatError(file, i + 1, `pixel ${p + 1} must be an integer in 0..16, found ${v}`);
      features[i * DIGIT_PIXELS + p] = v / 16;
    }
    const label = row[DIGIT_PIXELS]!;
    if (!(Number.isInteger(label) && label >= 0 && label <= 9)) throw new CsvFormatError(file, i + 1, `the label must be a digit 0..9, found ${label}`);
    labels[i] = label;
  });
  return { rows: rows.length, featureCount: DIGIT_PIXELS, features, labels };
}
