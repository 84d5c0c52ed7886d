/**
 * Parsing CSV text of numbers, in Node and in a browser (no Node built-in here: the playground
 * page parses the digits with it after decompressing them with DecompressionStream). Every
 * field must be a plain decimal number (`-1.5`, `2e-3`); anything else is an error naming the
 * file, line and column. Parsing never evaluates anything read from the text.
 * @module
 */

/** A malformed CSV file. The message starts with `file:line`. */
export class CsvFormatError extends Error {
  override name = 'CsvFormatError';
  /** The file being read. */
  readonly file: string;
  /** 1-based line number of the bad line. */
  readonly line: number;
  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
    this.file = file;
    this.line = line;
  }
}

/** A CSV file: its header fields (if it has a header) and its rows of numbers. */
export interface NumericCsv {
  /** Fields of the first line, as text; empty when the file has no header. */
  readonly header: readonly string[];
  /** One array per data row, all of the same length. */
  readonly rows: readonly Float64Array[];
}

/** Options of `readGzipCsv` and `parseNumericCsv`. */
export interface CsvOptions {
  /** The first line is a header of text fields (default false). */
  readonly header?: boolean;
  /** Number of fields every data row must have (default: the first data row's count). */
  readonly columns?: number;
}

// A decimal number: sign, digits with an optional point, optional exponent. No hex, no
// `Infinity`, no empty fields, no padding (Number() would accept all of those).
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses CSV text of numbers; `file` is only used in error messages. A final newline is
 * allowed, blank lines elsewhere are not.
 * @example
 * ```ts
 * parseNumericCsv('1,2\n3,4\n', 'inline.csv').rows; // [Float64Array [1, 2], Float64Array [3, 4]]
 * ```
 */
export function parseNumericCsv(text: string, file: string, options: CsvOptions = {}): NumericCsv {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let header: string[] = [];
  let first = 0;
  if (options.header === true) {
    if (lines.length === 0) throw new CsvFormatError(file, 1, 'missing header line');
    header = lines[0]!.split(',');
    first = 1;
  }
  let columns = options.columns;
  const rows: Float64Array[] = [];
  for (let i = first; i < lines.length; i++) {
    const lineNo = i + 1;
    const fields = lines[i]!.split(',');
    columns ??= fields.length;
    if (fields.length !== columns) {
      throw new CsvFormatError(file, lineNo, `expected ${columns} fields, found ${fields.length}`);
    }
    const row = new Float64Array(columns);
    fields.forEach((field, j) => {
      if (!DECIMAL.test(field)) {
        throw new CsvFormatError(file, lineNo, `field ${j + 1} is not a decimal number: ${JSON.stringify(field.slice(0, 40))}`);
      }
      const value = Number(field);
      if (!Number.isFinite(value)) throw new CsvFormatError(file, lineNo, `field ${j + 1} is out of range: ${field}`);
      row[j] = value;
    });
    rows.push(row);
  }
  return { header, rows };
}
