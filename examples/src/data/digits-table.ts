/**
 * The digits table from its CSV rows, in Node and in a browser (no Node built-in here): the
 * checks and the scaling every reader of digits.csv.gz shares (digits.ts reads the file from
 * disk, the playground page from its bundled asset).
 * @module
 */
import type { Dataset } from './dataset.js';
import { CsvFormatError, parseNumericCsv } from './parse-csv.js';

/** Pixels per image (8 x 8). */
export const DIGIT_PIXELS = 64;

/**
 * The digits from the rows of digits.csv: features are the pixels scaled to [0, 1] (divided by
 * 16), labels the digits. Every field is checked (pixel counts, pixel range, labels 0..9);
 * `file` names the source in errors.
 * @example
 * ```ts
 * const digits = digitsFromCsvText(text, 'digits.csv.gz');
 * digits.rows; // 1797
 * ```
 */
export function digitsFromCsvText(text: string, file: string): Dataset {
  const { rows } = parseNumericCsv(text, file, { columns: DIGIT_PIXELS + 1 });
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
