/**
 * What an export mapping sees while it writes ONNX nodes for one stablegrad node, and the small
 * decompositions several mappings share (accurate log1p and expm1, a stable logsumexp, one-hot).
 * @module
 */
import type { Dim, DType, Node } from '@stablegrad/core';

/**
 * An ONNX attribute value written by a mapping: an integer, a list of integers, or a float.
 * @example
 * ```ts
 * const attrs: OnnxAttrs = { axis: -1, perm: [1, 0], alpha: { float: 0.5 } };
 * ```
 */
export type OnnxAttrs = { readonly [name: string]: number | readonly number[] | { readonly float: number } };

/**
 * The writer a mapping gets: ONNX value names of the node's inputs, and functions that append
 * ONNX nodes and constants and return the name of the value they produce.
 * @example
 * ```ts
 * const emitRelu = (e: Emit) => e.op('Relu', [e.inputs[0]!]);
 * ```
 */
export interface Emit {
  /** The stablegrad node being exported. */
  readonly node: Node;
  /** ONNX value names of its inputs, in order. */
  readonly inputs: readonly string[];
  /** Appends one ONNX node of the default domain and returns its (first) output's name. */
  op(type: string, inputs: readonly string[], attrs?: OnnxAttrs): string;
  /** A 1-D int64 constant (axes, shapes, indices). */
  ints(values: readonly number[]): string;
  /** A scalar constant of `dtype` (default: the node's float dtype). */
  scalar(value: number, dtype?: DType | 'int64'): string;
  /** A 1-D int64 shape for Reshape or Expand: numbers as they are, dimension names read at run time from a graph input that has them. */
  dims(shape: readonly Dim[]): string;
  /** Throws an `OnnxExportError` naming the node: the mapping cannot express this use of its op. */
  fail(reason: string): never;
}

/** The float dtype a mapping computes in: the node's, or its first float input's. */
export function floatType(e: Emit): DType {
  if (e.node.dtype !== 'int32') return e.node.dtype;
  return e.node.inputs.find((n) => n.dtype !== 'int32')?.dtype ?? 'float32';
}

/**
 * `log1p(x)` accurate to a few ULP (Kahan's trick, ONNX has no Log1p): `u = 1 + x`;
 * `x` where `u - 1 == 0`, else `log(u) x / (u - 1)`, which cancels the rounding of `u`;
 * `u` itself where it is infinite.
 */
export function log1p(e: Emit, x: string, dtype: DType): string {
  const u = e.op('Add', [x, e.scalar(1, dtype)]);
  const d = e.op('Sub', [u, e.scalar(1, dtype)]);
  const ratio = e.op('Div', [e.op('Mul', [e.op('Log', [u]), x]), d]);
  const small = e.op('Where', [e.op('Equal', [d, e.scalar(0, dtype)]), x, ratio]);
  return e.op('Where', [e.op('IsInf', [u]), u, small]);
}

/** `expm1(x)` accurate to a few ULP (Kahan): `x` where `e^x == 1`, -1 where `e^x - 1 == -1`, else `(e^x - 1) x / log(e^x)`. */
export function expm1(e: Emit, x: string, dtype: DType): string {
  const u = e.op('Exp', [x]);
  const d = e.op('Sub', [u, e.scalar(1, dtype)]);
  const ratio = e.op('Div', [e.op('Mul', [d, x]), e.op('Log', [u])]);
  const minusOne = e.op('Where', [e.op('Equal', [d, e.scalar(-1, dtype)]), d, ratio]);
  const small = e.op('Where', [e.op('Equal', [u, e.scalar(1, dtype)]), x, minusOne]);
  return e.op('Where', [e.op('IsInf', [u]), u, small]);
}

/** `log1p(e^-|z|)`, the tail every sigmoid cross-entropy shares: in (0, log 2], never overflows. */
export function softplusTail(e: Emit, z: string, dtype: DType): string {
  return log1p(e, e.op('Exp', [e.op('Neg', [e.op('Abs', [z])])]), dtype);
}

/** `logsumexp(x)` over `axes` with the max subtracted (0 where the max is infinite), keeping the reduced axes. */
export function logsumexpKeep(e: Emit, x: string, axes: readonly number[], dtype: DType): string {
  const m = e.op('ReduceMax', [x, e.ints(axes)], { keepdims: 1 });
  const shift = e.op('Where', [e.op('IsInf', [m]), e.scalar(0, dtype), m]);
  const s = e.op('ReduceSum', [e.op('Exp', [e.op('Sub', [x, shift])]), e.ints(axes)], { keepdims: 1 });
  return e.op('Add', [e.op('Log', [s]), shift]);
}

/** One-hot rows of `depth` (a scalar int64 value name) for int32 labels, in `dtype`: `labels[..., None] == range(depth)`. */
export function oneHot(e: Emit, labels: string, depth: string, dtype: DType): string {
  const range = e.op('Range', [e.scalar(0, 'int64'), depth, e.scalar(1, 'int64')]);
  const hit = e.op('Equal', [e.op('Unsqueeze', [e.op('Cast', [labels], { to: 7 }), e.ints([-1])]), range]);
  return e.op('Cast', [hit], { to: dtype === 'float64' ? 11 : dtype === 'int32' ? 6 : 1 });
}

/** The size of `x`'s last axis as a scalar int64 value. */
export function lastDim(e: Emit, x: string): string {
  return e.op('Squeeze', [e.op('Shape', [x], { start: -1 }), e.ints([0])]);
}

/** `sigmoid(x)` to a few ULP: `e^-|x|` never overflows; `1 / (1 + t)` for x >= 0, `t / (1 + t)` below. */
export function sigmoid(e: Emit, x: string): string {
  const t = e.op('Exp', [e.op('Neg', [e.op('Abs', [x])])]);
  const denominator = e.op('Add', [e.scalar(1), t]);
  return e.op('Where', [e.op('GreaterOrEqual', [x, e.scalar(0)]), e.op('Div', [e.scalar(1), denominator]), e.op('Div', [t, denominator])]);
}

/**
 * The pieces of a softmax cross-entropy along `axis` that keep tiny losses (stablegrad's own
 * formula): `m - z` (>= 0) and `log1p(T)`, T the sum of `e^(z_i - m)` over the entries below the
 * max plus the extra maxima, so `logsumexp(z) - z_k = (m - z_k) + log1p(T)` with nothing rounded to 1.
 */
export function softmaxParts(e: Emit, z: string, axis: number, dtype: DType): { gap: string; tail: string } {
  const m = e.op('ReduceMax', [z, e.ints([axis])], { keepdims: 1 });
  const gap = e.op('Sub', [m, z]);
  const isMax = e.op('Equal', [z, m]);
  const others = e.op('ReduceSum', [e.op('Where', [isMax, e.scalar(0, dtype), e.op('Exp', [e.op('Neg', [gap])])]), e.ints([axis])], { keepdims: 1 });
  const ties = e.op('Sub', [e.op('ReduceSum', [e.op('Cast', [isMax], { to: dtype === 'float64' ? 11 : 1 }), e.ints([axis])], { keepdims: 1 }), e.scalar(1, dtype)]);
  return { gap, tail: log1p(e, e.op('Add', [others, ties]), dtype) };
}
