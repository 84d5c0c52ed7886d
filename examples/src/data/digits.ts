/**
 * The handwritten digits data set (UCI "Optical Recognition of Handwritten Digits", test set;
 * E. Alpaydin and C. Kaynak, 1998; CC BY 4.0, see examples/data/README.md): 1797 images of
 * 8x8 pixels with values 0..16, and their digit 0..9.
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { Dataset } from './dataset.js';
import { digitsFromCsvText } from './digits-table.js';
import { readGzipText } from './load-csv.js';

/** Where the data file lives (examples/data, from both src/data and dist/data). */
export const DIGITS_PATH = fileURLToPath(new URL('../../data/digits.csv.gz', import.meta.url));

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
  return digitsFromCsvText(readGzipText(file), file);
}
