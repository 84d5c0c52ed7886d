/**
 * Training data in: features and labels become tensors of the shapes the model's graph expects,
 * and every problem a user can make with them is caught here, before a step runs, with a
 * `DataError` naming the argument and the row: row counts that differ, the wrong number of
 * features, NaN or Infinity, labels out of range or of the wrong kind.
 * @module
 */
import { allocate, type DType, isTensor, type Tensor, tensor, type TensorLike } from '@stablegrad/core';
import { DataError } from './errors.js';
import type { Loss } from './losses/index.js';

/**
 * Features `x` as a `[rows, ...inputShape]` tensor of the model's dtype: nested arrays, a tensor,
 * or a flat typed array (read as rows of `inputShape`).
 * @example
 * ```ts
 * toFeatures([[0, 1], [2, 3]], [2], 'float32', 'x').shape; // [2, 2]
 * ```
 */
export function toFeatures(x: TensorLike, inputShape: readonly number[], dtype: DType, what: string): Tensor {
  const t = asTensor(x, dtype, what);
  const features = inputShape.reduce((a, b) => a * b, 1);
  const shaped = ArrayBuffer.isView(x) && !isTensor(x) ? reshapeFlat(t, inputShape, what) : t;
  if (shaped.shape.length !== inputShape.length + 1 || inputShape.some((d, i) => shaped.shape[i + 1] !== d)) {
    const flat = inputShape.length > 1 && shaped.shape.length === 2 && shaped.shape[1] === features ? `; reshape the rows to [rows, ${inputShape.join(', ')}], or put reshape({ targetShape: [${inputShape.join(', ')}] }) first in a model of inputShape [${features}]` : '';
    throw new DataError(`${what} has shape [${shaped.shape.join(', ')}], but the model expects [rows, ${inputShape.join(', ')}] (inputShape [${inputShape.join(', ')}])${flat}`);
  }
  const bad = firstNonFinite(shaped.data);
  if (bad >= 0) {
    const original = isTensor(x) || !ArrayBuffer.isView(x) ? originalValue(x, bad, features) : (x as ArrayLike<number>)[bad];
    const why = original !== undefined && Number.isFinite(original) ? `${original} overflows ${dtype}` : `${shaped.data[bad]} is not a finite number`;
    throw new DataError(`${what} row ${Math.floor(bad / features)}, feature ${bad % features}: ${why}`);
  }
  return shaped;
}

/**
 * Labels `y` for `loss` and a last layer of `units` outputs, shaped as the loss's label input:
 * `[rows]` class indices for sparse losses, `[rows, units]` otherwise (`[rows]` is accepted for
 * one unit, `[rows, 1]` for class indices, and a flat typed array of `rows * units` values for
 * several units). Values are checked by the loss.
 * @example
 * ```ts
 * toLabels([0, 2, 1], sparseCategoricalCrossentropy(), 3, 'float32', 'y').dtype; // 'int32'
 * ```
 */
export function toLabels(y: TensorLike, loss: Loss, units: number, dtype: DType, what: string, rows?: number): Tensor {
  const type = loss.labelType(units, dtype);
  const sparse = type.shape.length === 1;
  const raw = asTensor(y, sparse ? 'float64' : dtype, what);
  // One integer per row for a loss that wants [rows, units]: class indices, most likely.
  if (!sparse && units > 1 && raw.shape.length === 1 && raw.shape[0] === rows && raw.data.every((v) => Number.isInteger(v) && v >= 0 && v < units)) {
    throw new DataError(`${what} looks like ${rows} class indices, but ${loss.config.name} expects [rows, ${units}]: use sparseCategoricalCrossentropy, or one-hot labels`);
  }
  let shaped = raw;
  if (sparse && raw.shape.length === 2 && raw.shape[1] === 1) shaped = { ...raw, shape: [raw.shape[0]!] };
  if (!sparse && raw.shape.length === 1 && units === 1) shaped = { ...raw, shape: [raw.shape[0]!, 1] };
  // A flat array for several units reads as rows of `units` values, as flat features do.
  if (!sparse && raw.shape.length === 1 && units > 1 && raw.shape[0]! % units === 0 && !Array.isArray(y)) {
    shaped = { ...raw, shape: [raw.shape[0]! / units, units] };
  }
  const expected = sparse ? '[rows] (class indices)' : `[rows, ${units}]`;
  if (shaped.shape.length !== type.shape.length || (!sparse && shaped.shape[1] !== units)) {
    const hint = sparse && raw.shape.length === 2 ? `; for one-hot labels use categoricalCrossentropy` : '';
    throw new DataError(`${what} has shape [${raw.shape.join(', ')}], but ${loss.config.name} with ${units} output units expects ${expected}${hint}`);
  }
  const bad = loss.badLabel(shaped, units);
  if (bad !== null) throw new DataError(`${what} ${bad} (${loss.config.name})`);
  return sparse ? tensor(shaped, { dtype: 'int32' }) : shaped;
}

/**
 * Checks that features and labels have one row per example.
 * @example
 * ```ts
 * checkSameRows(x, y, 'x', 'y'); // DataError: x has 100 rows but y has 99 ...
 * ```
 */
export function checkSameRows(x: Tensor, y: Tensor, xWhat: string, yWhat: string): void {
  if (x.shape[0] !== y.shape[0]) {
    throw new DataError(`${xWhat} has ${x.shape[0]} rows but ${yWhat} has ${y.shape[0]}; they must have one row per example`);
  }
  if (x.shape[0] === 0) throw new DataError(`${xWhat} has no rows`);
}

/**
 * The rows `indices` of `t`, as a new tensor (a batch).
 * @example
 * ```ts
 * takeRows(x, [4, 0, 2]).shape; // [3, features]
 * ```
 */
export function takeRows(t: Tensor, indices: ArrayLike<number>): Tensor {
  const width = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = allocate(t.dtype, indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i]! * width;
    data.set(t.data.subarray(from, from + width), i * width);
  }
  return { dtype: t.dtype, shape: [indices.length, ...t.shape.slice(1)], data };
}

/**
 * Rows `start .. end-1` of `t` (a view, no copy).
 * @example
 * ```ts
 * rowRange(x, 0, 32).shape; // [32, features]
 * ```
 */
export function rowRange(t: Tensor, start: number, end: number): Tensor {
  const width = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return { dtype: t.dtype, shape: [end - start, ...t.shape.slice(1)], data: t.data.subarray(start * width, end * width) };
}

// The value the user gave at flat position i (before conversion to the model's dtype).
function originalValue(x: TensorLike, i: number, features: number): number | undefined {
  if (isTensor(x)) return x.data[i];
  if (Array.isArray(x)) {
    const row = x[Math.floor(i / features)] as unknown;
    return Array.isArray(row) && typeof row[i % features] === 'number' ? (row[i % features] as number) : undefined;
  }
  return undefined;
}

function asTensor(value: TensorLike, dtype: DType, what: string): Tensor {
  if (isTensor(value)) return value.dtype === dtype ? value : tensor(value, { dtype });
  try {
    return tensor(value, { dtype });
  } catch (e) {
    throw new DataError(`${what}: ${(e as Error).message}`);
  }
}

function reshapeFlat(t: Tensor, inputShape: readonly number[], what: string): Tensor {
  const features = inputShape.reduce((a, b) => a * b, 1);
  if (t.data.length % features !== 0) {
    throw new DataError(`${what} is a flat array of ${t.data.length} numbers, not a whole number of rows of ${features} features`);
  }
  return { ...t, shape: [t.data.length / features, ...inputShape] };
}

/**
 * Index of the first NaN or Infinity in `values`, or -1. A plain loop: it runs on every
 * gradient and weight after every step.
 * @example
 * ```ts
 * firstNonFinite(new Float32Array([1, NaN])); // 1
 * ```
 */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) return i; // NaN - NaN and Infinity - Infinity are NaN
  }
  return -1;
}

/**
 * Sample weights `w` as a `[rows]` tensor of the model's dtype: one finite non-negative number
 * per row (`[rows, 1]` is accepted), else a `DataError` naming the row.
 * @example
 * ```ts
 * toSampleWeights([1, 0, 2], 3, 'float32', 'sampleWeight').shape; // [3]
 * ```
 */
export function toSampleWeights(w: TensorLike, rows: number, dtype: DType, what: string): Tensor {
  const t = asTensor(w, dtype, what);
  const shaped = t.shape.length === 2 && t.shape[1] === 1 ? { ...t, shape: [t.shape[0]!] } : t;
  if (shaped.shape.length !== 1 || shaped.shape[0] !== rows) {
    throw new DataError(`${what} has shape [${t.shape.join(', ')}], but there are ${rows} rows: give one weight per row, [${rows}]`);
  }
  for (let i = 0; i < shaped.data.length; i++) {
    const v = shaped.data[i]!;
    if (!(v >= 0 && v < Infinity)) throw new DataError(`${what} row ${i}: ${v} is not a finite non-negative weight`);
  }
  return shaped;
}
