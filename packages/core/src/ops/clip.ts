/**
 * `clip(x, lo, hi)` = min(max(x, lo), hi). Float or int32 (int32 needs integer or infinite
 * bounds). Bounds may be +-Infinity; NaN stays NaN.
 * @module
 */
import { apply } from '../apply.js';
import { isFloat } from '../dtype.js';
import { DTypeError, ValueError } from '../errors.js';
import type { Node } from '../node.js';
import { unaryKernel } from '../kernels/elementwise.js';
import { defineOp, type TypeInfo } from '../op.js';

import { where } from './where.js';

type ClipAttrs = { lo: number; hi: number };

function checkRange({ lo, hi }: ClipAttrs, what = 'clip'): void {
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
    throw new ValueError(`${what}: bounds must satisfy lo <= hi, got lo = ${lo}, hi = ${hi}`);
  }
}

function checkBounds(x: TypeInfo, attrs: ClipAttrs): void {
  checkRange(attrs);
  const integral = (v: number): boolean => Number.isInteger(v) || !Number.isFinite(v);
  if (!isFloat(x.dtype) && !(integral(attrs.lo) && integral(attrs.hi))) {
    throw new DTypeError(`an int32 input needs integer (or infinite) clip bounds, got lo = ${attrs.lo}, hi = ${attrs.hi}`);
  }
}

export const clipOp = defineOp<ClipAttrs>({
  name: 'clip',
  arity: 1,
  attrs: { lo: 'number', hi: 'number' },
  infer: ([x], attrs) => {
    checkBounds(x!, attrs);
    return { shape: x!.shape, dtype: x!.dtype };
  },
  kernel: (inputs, { lo, hi }, out) => unaryKernel((v) => Math.min(Math.max(v, lo), hi))(inputs, null, out),
  reference: ([x], { lo, hi }, M) => {
    const [l, h] = [M.fromNumber(lo), M.fromNumber(hi)];
    return x!.data.map((v) => (M.isNaN(v) ? v : M.cmp(v, l) < 0 ? l : M.cmp(v, h) > 0 ? h : v));
  },
  // d clip(x) = dx where lo <= x <= hi, else 0. Boundaries pass the gradient, as TensorFlow's
  // clip_by_value does; infinite bounds need no test.
  vjp: ({ inputs, attrs: { lo, hi }, cotangent }) => {
    const x = inputs[0]!;
    if (!isFloat(x.dtype)) return [null];
    let g = cotangent;
    if (hi !== Infinity) g = where(x.lessEqual(hi), g, 0);
    if (lo !== -Infinity) g = where(x.greaterEqual(lo), g, 0);
    return [g];
  },
  dot: ({ lo, hi }) => `clip [${lo}, ${hi}]`,
});

/**
 * Clamps every element into `[lo, hi]` (bounds may be +-Infinity). The gradient is passed
 * where lo <= x <= hi, boundaries included, and is 0 outside.
 * @example
 * ```ts
 * clip(p, 1e-7, 1 - 1e-7); // or p.clip(1e-7, 1 - 1e-7)
 * ```
 */
export function clip(x: Node, lo: number, hi: number): Node {
  checkRange({ lo, hi }, `clip of ${x}`);
  return apply(clipOp, [x], { lo, hi });
}
