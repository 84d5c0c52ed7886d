/**
 * Shape rules, kernel makers and VJP helpers shared by the op files, so that most op files are
 * just their math. Kernels compute in float64 and round once when they store into float32.
 * @module
 */
import { broadcastIndex, forEachLane } from '../kernels/indexing.js';
import { type DType, isFloat, requireFloat } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import type { BigMath, ConcreteType, RefTensor, TypeInfo } from '../op.js';
import { broadcastShapes, type ConcreteShape, formatShape, type Shape } from '../shape.js';
import type { Tensor } from '../tensor.js';

// ---------------------------------------------------------------- shape and dtype rules

/** Shape rule of float elementwise unary ops: same shape and dtype, float only. */
export function floatUnary(inputs: readonly TypeInfo[]): TypeInfo {
  const x = inputs[0]!;
  requireFloat(x.dtype, 'this op');
  return { shape: x.shape, dtype: x.dtype };
}

/** Shape rule of float ops that work along one axis and keep the shape (softmax, logSoftmax). */
export function floatAlongAxis(what: string) {
  return (inputs: readonly TypeInfo[], { axis }: { axis: number }): TypeInfo => {
    const x = inputs[0]!;
    requireFloat(x.dtype, what);
    checkAxis(axis, x.shape.length);
    return { shape: x.shape, dtype: x.dtype };
  };
}

/** Shape rule of elementwise unary ops that also accept int32. */
export function anyUnary(inputs: readonly TypeInfo[]): TypeInfo {
  const x = inputs[0]!;
  return { shape: x.shape, dtype: x.dtype };
}

/** Throws unless all inputs share one dtype; returns it. */
export function sameDType(inputs: readonly TypeInfo[]): DType {
  const dtype = inputs[0]!.dtype;
  for (const t of inputs) {
    if (t.dtype !== dtype) {
      throw new DTypeError(`inputs have different dtypes (${inputs.map((i) => i.dtype).join(' vs ')}); cast one of them`);
    }
  }
  return dtype;
}

/** Shape rule of broadcasting binary ops on any dtype. */
export function broadcastBinary(inputs: readonly TypeInfo[]): TypeInfo {
  return { shape: broadcastShapes(inputs[0]!.shape, inputs[1]!.shape), dtype: sameDType(inputs) };
}

/** Shape rule of broadcasting binary ops on floats. */
export function broadcastFloatBinary(inputs: readonly TypeInfo[]): TypeInfo {
  const type = broadcastBinary(inputs);
  requireFloat(type.dtype, 'this op');
  return type;
}

/** Shape rule of comparisons: broadcast, same dtype in, int32 (0 or 1) out. */
export function comparison(inputs: readonly TypeInfo[]): TypeInfo {
  return { shape: broadcastBinary(inputs).shape, dtype: 'int32' };
}

/** Shape of a reduction over sorted, normalized `axes`. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): Shape {
  const out = [];
  for (let i = 0; i < shape.length; i++) {
    if (!axes.includes(i)) out.push(shape[i]!);
    else if (keepDims) out.push(1);
  }
  return out;
}

/** Checks that `axes` (from attributes) are valid, sorted and distinct for `rank`. */
export function checkAxes(axes: readonly number[], rank: number): void {
  for (let i = 0; i < axes.length; i++) {
    const a = axes[i]!;
    if (!Number.isInteger(a) || a < 0 || a >= rank || (i > 0 && a <= axes[i - 1]!)) {
      throw new ShapeError(`axes ${JSON.stringify(axes)} must be distinct, sorted and in [0, ${rank}) for an input of rank ${rank}`);
    }
  }
}

/** Checks a single normalized axis from attributes. */
export function checkAxis(axis: number, rank: number): void {
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) {
    throw new ShapeError(`axis ${axis} is out of range for an input of rank ${rank}`);
  }
}

// ---------------------------------------------------------------- kernels

/** Reference of an elementwise unary op. */
export function unaryReference(f: <T>(x: T, M: BigMath<T>) => T) {
  return <T>(inputs: readonly RefTensor<T>[], _attrs: unknown, M: BigMath<T>): T[] => inputs[0]!.data.map((x) => f(x, M));
}

/** Writes `x`'s data broadcast to `out.shape` into `out` (the kernel of broadcastTo and broadcastLike). */
export function broadcastInto(x: Tensor, out: Tensor): void {
  const map = broadcastIndex(x.shape, out.shape);
  const y = out.data;
  const data = x.data;
  for (let i = 0; i < y.length; i++) y[i] = data[map[i]!]!;
}

/** `x`'s values broadcast to `out.shape` (the reference of broadcastTo and broadcastLike). */
export function broadcastValues<T>(x: RefTensor<T>, out: ConcreteType): T[] {
  return Array.from(broadcastIndex(x.shape, out.shape), (i) => x.data[i]!);
}

/** Checks at run time that `shape` broadcasts to `outShape`. */
export function checkBroadcast(shape: ConcreteShape, outShape: ConcreteShape): void {
  const offset = outShape.length - shape.length;
  const ok = offset >= 0 && shape.every((d, i) => d === 1 || d === outShape[i + offset]);
  if (!ok) throw new ShapeError(`shape ${formatShape(shape)} does not broadcast to ${formatShape(outShape)}`);
}

/** Reference of a broadcasting binary op. */
export function binaryReference(f: <T>(a: T, b: T, M: BigMath<T>) => T) {
  return <T>(inputs: readonly RefTensor<T>[], _attrs: unknown, M: BigMath<T>, out: ConcreteType): T[] => {
    const [a, b] = [inputs[0]!, inputs[1]!];
    const ia = broadcastIndex(a.shape, out.shape);
    const ib = broadcastIndex(b.shape, out.shape);
    return Array.from(ia, (ai, i) => f(a.data[ai]!, b.data[ib[i]!]!, M));
  };
}

/**
 * The elements of each lane along `axis`, as arrays, with their positions in the data (for
 * references; kernels walk lanes with `forEachLane`).
 */
export function lanesOf<T>(x: RefTensor<T>, axis: number): { lanes: T[][]; positions: number[][] } {
  const n = x.shape[axis]!;
  const lanes: T[][] = [];
  const positions: number[][] = [];
  forEachLane(x.shape, axis, (offset, stride) => {
    const pos = Array.from({ length: n }, (_, i) => offset + i * stride);
    positions.push(pos);
    lanes.push(pos.map((p) => x.data[p]!));
  });
  return { lanes, positions };
}

// ---------------------------------------------------------------- VJP helpers

/** True for float dtypes; integer inputs get no gradient. */
export function differentiable(node: Node): boolean {
  return isFloat(node.dtype);
}
