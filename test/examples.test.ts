// End-to-end checks of the `npm start` example: the data loader, the split, and training.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fitStandardizer, loadBreastCancer, splitTrainTest, standardize,
} from '../examples/src/data/breast-cancer.js';
import { CsvFormatError, parseNumericCsv, readGzipCsv } from '../examples/src/data/load-csv.js';
import { mulberry32, permutation } from '../examples/src/data/random.js';
import { trainLogisticRegression } from '../examples/src/train-logistic-regression.js';

const dir = mkdtempSync(join(tmpdir(), 'stablegrad-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeGz(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, gzipSync(Buffer.from(text, 'utf8')));
  return file;
}

describe('readGzipCsv', () => {
  it('reads a header and rows of decimal numbers', () => {
    const file = writeGz('good.csv.gz', '2,3,a,b\n1.5,-2,3e-3\r\n.25,+4,1E2\n');
    const { header, rows } = readGzipCsv(file, { header: true });
    expect(header).toEqual(['2', '3', 'a', 'b']);
    expect(rows.map((r) => Array.from(r))).toEqual([[1.5, -2, 0.003], [0.25, 4, 100]]);
  });

  it('rejects a corrupted line with an error naming the file and the line', () => {
    const file = writeGz('corrupt.csv.gz', 'h,h\n1,2\n3,4x\n5,6\n');
    expect(() => readGzipCsv(file, { header: true })).toThrow(CsvFormatError);
    expect(() => readGzipCsv(file, { header: true })).toThrow(`${file}:3: field 2 is not a decimal number: "4x"`);
    try {
      readGzipCsv(file, { header: true });
    } catch (e) {
      expect((e as CsvFormatError).line).toBe(3);
      expect((e as CsvFormatError).file).toBe(file);
    }
  });

  it.each([
    ['a wrong field count', '1,2\n3\n', ':2: expected 2 fields, found 1'],
    ['an empty field', '1,2\n3,\n', ':2: field 2 is not a decimal number'],
    ['a blank line', '1,2\n\n3,4\n', ':2: expected 2 fields, found 1'],
    ['hexadecimal', '0x10,2\n', ':1: field 1 is not a decimal number'],
    ['Infinity', '1,Infinity\n', ':1: field 2 is not a decimal number'],
    ['an overflowing number', '1,1e999\n', ':1: field 2 is out of range'],
    ['padding', '1, 2\n', ':1: field 2 is not a decimal number'],
    ['code', '1,process.exit(1)\n', ':1: field 2 is not a decimal number'],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseNumericCsv(text, 'inline.csv')).toThrow(`inline.csv${message}`);
  });

  it('rejects a file that is not gzip', () => {
    const file = join(dir, 'plain.csv.gz');
    writeFileSync(file, '1,2\n');
    expect(() => readGzipCsv(file)).toThrow(file);
  });
});

describe('breast cancer data', () => {
  const data = loadBreastCancer();

  it('has 569 rows of 30 features, 212 malignant (0) and 357 benign (1)', () => {
    expect([data.rows, data.featureCount, data.features.length]).toEqual([569, 30, 569 * 30]);
    expect(data.classNames).toEqual(['malignant', 'benign']);
    expect(data.labels.filter((v) => v === 0).length).toBe(212);
    expect(data.labels.filter((v) => v === 1).length).toBe(357);
    // First row of the UCI file: radius 17.99, texture 10.38, ..., worst fractal dimension 0.1189.
    expect(data.features[0]).toBe(17.99);
    expect(data.features[29]).toBe(0.1189);
  });

  it('checks the header against the rows', () => {
    const file = writeGz('short.csv.gz', '3,2,no,yes\n1,2,0\n3,4,1\n');
    expect(() => loadBreastCancer(file)).toThrow(`${file}:4: the header promises 3 rows, the file has 2`);
    const badLabel = writeGz('label.csv.gz', '1,2,no,yes\n1,2,0.5\n');
    expect(() => loadBreastCancer(badLabel)).toThrow(`${badLabel}:2: label must be 0 or 1`);
  });

  it('splits 80/20 reproducibly, without losing or repeating rows', () => {
    const a = splitTrainTest(data, { testFraction: 0.2, seed: 7 });
    const b = splitTrainTest(data, { testFraction: 0.2, seed: 7 });
    const c = splitTrainTest(data, { testFraction: 0.2, seed: 8 });
    expect([a.train.rows, a.test.rows]).toEqual([455, 114]);
    expect(a.train.features).toEqual(b.train.features);
    expect(a.train.features).not.toEqual(c.train.features);
    // Every row appears exactly once: compare sorted first features of both parts with the whole.
    const firsts = (set: { rows: number; features: Float64Array }): number[] =>
      Array.from({ length: set.rows }, (_, i) => set.features[i * 30]!);
    expect([...firsts(a.train), ...firsts(a.test)].sort((p, q) => p - q)).toEqual(firsts(data).sort((p, q) => p - q));
  });

  it('standardises with the training set: mean 0 and standard deviation 1 per feature', () => {
    const { train } = splitTrainTest(data, { testFraction: 0.2, seed: 1 });
    const z = standardize(train, fitStandardizer(train));
    for (let j = 0; j < 30; j++) {
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < z.rows; i++) {
        sum += z.features[i * 30 + j]!;
        squares += z.features[i * 30 + j]! ** 2;
      }
      expect(Math.abs(sum / z.rows)).toBeLessThan(1e-12);
      expect(squares / z.rows).toBeCloseTo(1, 12);
    }
  });

  it('mulberry32 is deterministic and uniform enough to shuffle', () => {
    const r1 = mulberry32(123);
    const r2 = mulberry32(123);
    const draws = Array.from({ length: 10_000 }, () => r1());
    expect(draws.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => r2()));
    expect(draws.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Math.abs(draws.reduce((s, v) => s + v, 0) / draws.length - 0.5)).toBeLessThan(0.02);
    expect([...permutation(50, mulberry32(5))].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('trainLogisticRegression', () => {
  it('lowers the loss and classifies at least 90% of the held-out rows correctly', () => {
    const seen: number[] = [];
    const result = trainLogisticRegression({ epochs: 15, onEpoch: (_e, loss) => seen.push(loss) });
    expect(result.lossHistory).toEqual(seen);
    expect(result.lossHistory).toHaveLength(15);
    // All-zero parameters predict 1/2 for every row: the loss is exactly log 2 (rounded to float32).
    expect(result.lossHistory[0]).toBeCloseTo(Math.LN2, 6);
    expect(result.lossHistory.at(-1)!).toBeLessThan(0.5 * Math.LN2);
    expect(result.finalLoss).toBeLessThan(result.lossHistory.at(-1)!);
    for (const [i, loss] of result.lossHistory.entries()) {
      if (i > 0) expect(loss).toBeLessThan(result.lossHistory[i - 1]!);
    }
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.trainAccuracy).toBeGreaterThanOrEqual(0.9);
    expect([result.trainRows, result.testRows]).toEqual([455, 114]);
    expect(result.weights.dtype).toBe('float32');
  });

  it('rejects a bad epoch count', () => {
    expect(() => trainLogisticRegression({ epochs: 0 })).toThrow(RangeError);
  });

  it('runs as a command line with --epochs (npm run logistic-regression)', () => {
    const run = spawnSync(process.execPath, ['examples/dist/logistic-regression.js', '--epochs', '3'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // One loss per epoch: the first is ln 2 (all weights zero), printed with 6 decimals.
    expect(run.stdout).toMatch(/epochs 1-3 {2}0\.693147 \d\.\d{6} \d\.\d{6}\n/);
    expect(run.stdout).toMatch(/test accuracy +\d+\.\d% \(114 held-out rows\)/);
    const bad = spawnSync(process.execPath, ['examples/dist/logistic-regression.js', '--epochs', 'x'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--epochs must be a positive integer');
    const missing = spawnSync(process.execPath, ['examples/dist/logistic-regression.js', '--epochs'], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--epochs needs a value');
  });
});
