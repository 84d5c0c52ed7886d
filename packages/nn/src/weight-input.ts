/**
 * `setWeights`' reading of one weight: a tensor, a typed array or nested number arrays (Keras'
 * `get_weights()` layout), checked against the weight's shape and the model's dtype.
 * @module
 */
import { isTensor, type Node, type Tensor, tensor, type TensorLike, type TypedArray } from '@stablegrad/core';
import { ModelError } from './errors.js';
import { showValue } from './names.js';

/**
 * One weight given to `setWeights` for `param`, checked (shape, dtype, finiteness) and in `dtype`.
 * @example
 * ```ts
 * weightFrom([[0.1, 0.2]], kernelNode, 'float32', false);
 * ```
 */
export function weightFrom(w: Tensor | TensorLike, param: Node, dtype: 'float32' | 'float64', castAsked: boolean): TypedArray {
  let cast = castAsked;
  const shape = param.shape as readonly number[];
  const expected = `[${shape.join(', ')}] ${dtype}`;
  let given: Tensor;
  if (isTensor(w)) {
    given = w;
  } else if (ArrayBuffer.isView(w) || Array.isArray(w)) {
    const found = nestedShape(w);
    if (typeof found === 'string') throw new ModelError(`setWeights: '${param.path}' is ${expected}; the array given ${found}`);
    try {
      // Plain numbers have no dtype of their own: read exactly, then rounded to the model's.
      given = ArrayBuffer.isView(w) ? tensor(w, { shape: found }) : tensor(w, { dtype: 'float64', shape: found });
      if (!ArrayBuffer.isView(w)) cast = true;
    } catch (e) {
      throw new ModelError(`setWeights: '${param.path}': ${(e as Error).message}`);
    }
  } else {
    throw new ModelError(`setWeights: '${param.path}' must be a tensor or a nested array of numbers, got ${describeValue(w)}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const found = `[${given.shape.join(', ')}] ${isTensor(w) || ArrayBuffer.isView(w) ? `${given.dtype} ` : ''}with ${given.data.length} values`;
  if (given.shape.join() !== shape.join() || given.data.length !== size) {
    const flat = given.shape.length === 1 && shape.length === 2 && given.data.length === size ? ' (a flat array: give it as rows, or as a tensor of that shape)' : '';
    throw new ModelError(`setWeights: '${param.path}' is [${shape.join(', ')}] ${dtype} (${size} values), got ${found}${flat}`);
  }
  if (given.dtype !== dtype && !(cast && (given.dtype === 'float32' || given.dtype === 'float64'))) {
    const hint = given.dtype === 'float32' || given.dtype === 'float64' ? `; pass { cast: true } to round it to ${dtype}` : '';
    throw new ModelError(`setWeights: '${param.path}' is [${shape.join(', ')}] ${dtype} (${size} values), got ${found}${hint}`);
  }
  const out = dtype === 'float32' ? Float32Array.from(given.data) : Float64Array.from(given.data);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) {
      const original = given.data[i]!;
      throw new ModelError(`setWeights: '${param.path}' has a value that is not finite: element ${i} is ${original}${Number.isFinite(original) ? `, beyond ${dtype}'s range` : ''}`);
    }
  }
  return out;
}

/** The shape of a nested number array (rows of equal length), or what is wrong with it. */
function nestedShape(value: unknown): number[] | string {
  if (ArrayBuffer.isView(value)) return [(value as unknown as ArrayLike<number>).length];
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  // Walk every element level by level: ragged rows and non-numbers are named.
  let items: unknown[] = [value];
  for (let depth = 0; depth < shape.length; depth++) {
    const next: unknown[] = [];
    for (const item of items) {
      if (!Array.isArray(item)) return `has a ${describeValue(item)} where an array of ${shape[depth]} belongs (depth ${depth})`;
      if (item.length !== shape[depth]) return `is ragged: a row of ${item.length} where ${shape[depth]} belong (depth ${depth})`;
      next.push(...item);
    }
    items = next;
  }
  const bad = items.findIndex((v) => typeof v !== 'number');
  if (bad >= 0) return `has ${describeValue(items[bad])} where a number belongs (element ${bad})`;
  return shape;
}

/**
 * A value as `sequential`'s errors name it (`an array`, `the string "..."`, `number 3`).
 * @example
 * ```ts
 * describeValue([1]); // 'an array'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${showValue(value)}`;
}
