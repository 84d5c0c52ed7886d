/**
 * Loading gzip-compressed CSV files of numbers from disk (Node): gunzip, then parse-csv.ts.
 * @module
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CsvFormatError, type CsvOptions, type NumericCsv, parseNumericCsv } from './parse-csv.js';

export { CsvFormatError, type CsvOptions, type NumericCsv, parseNumericCsv } from './parse-csv.js';

/**
 * Reads a gzip-compressed CSV of numbers.
 * @throws CsvFormatError naming the file and line of the first malformed line.
 * @example
 * ```ts
 * const { header, rows } = readGzipCsv('examples/data/breast_cancer.csv.gz', { header: true });
 * ```
 */
export function readGzipCsv(file: string, options: CsvOptions = {}): NumericCsv {
  return parseNumericCsv(readGzipText(file), file, options);
}

/**
 * The text of a gzip-compressed file.
 * @throws CsvFormatError (line 0) when the file cannot be read or is not gzip.
 * @example
 * ```ts
 * const text = readGzipText('examples/data/digits.csv.gz');
 * ```
 */
export function readGzipText(file: string): string {
  try {
    return gunzipSync(readFileSync(file)).toString('utf8');
  } catch (e) {
    throw new CsvFormatError(file, 0, `cannot read as gzip: ${(e as Error).message}`);
  }
}
