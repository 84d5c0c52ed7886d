/**
 * Index maps shared by kernels: where each output element reads from under broadcasting, a
 * transpose or a slice (`stridedIndex`), which output element each input element reduces into,
 * and the 1-D lanes along an axis. The interpreter's kernels and the compiled backend's steps
 * use the same maps, so both visit elements in the same order.
 * @module
 */
import { type ConcreteShape, sizeOf, stridesOf } from '../shape.js';

/**
 * For each element of `outShape`, the flat index of the element of `inShape` it reads under
 * NumPy broadcasting.
 * @example
 * ```ts
 * broadcastIndex([3], [2, 3]); // Int32Array [0, 1, 2, 0, 1, 2]
 * ```
 */
export function broadcastIndex(inShape: ConcreteShape, outShape: ConcreteShape): Int32Array {
  const offset = outShape.length - inShape.length;
  const inStrides = stridesOf(inShape);
  // Stride 0 along broadcast dimensions.
  return stridedIndex(outShape, outShape.map((_, i) => (i < offset || inShape[i - offset] === 1 ? 0 : inStrides[i - offset]!)));
}

/**
 * For each element of `outShape` in row-major order, the flat input index
 * `offset + sum(counter[d] * strides[d])`.
 */
export function stridedIndex(outShape: ConcreteShape, strides: readonly number[], offset = 0): Int32Array {
  const size = sizeOf(outShape);
  const map = new Int32Array(size);
  const rank = outShape.length;
  const counter = new Array<number>(rank).fill(0);
  let src = offset;
  for (let k = 0; k < size; k++) {
    map[k] = src;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      src += strides[d]!;
      if (counter[d]! < outShape[d]!) break;
      src -= strides[d]! * counter[d]!;
      counter[d] = 0;
    }
  }
  return map;
}

/**
 * For each element of `shape`, the flat index of the output element it reduces into when
 * `axes` are reduced; `groupSize` elements reduce into each output element.
 * @example
 * ```ts
 * reductionIndex([2, 3], [0]); // { map: Int32Array [0, 1, 2, 0, 1, 2], outSize: 3, groupSize: 2 }
 * ```
 */
export function reductionIndex(shape: ConcreteShape, axes: readonly number[]): { map: Int32Array; outSize: number; groupSize: number } {
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outSize = sizeOf(keptShape);
  // Walk the input in order; reduced axes do not move the output index.
  const map = stridedIndex(shape, stridesOf(keptShape).map((s, i) => (axes.includes(i) ? 0 : s)));
  return { map, outSize, groupSize: outSize === 0 ? 0 : map.length / outSize };
}

/**
 * Calls `lane(offset, stride)` once for every 1-D lane of `shape` along `axis`: the lane's
 * elements are at `offset + i * stride` for i < shape[axis].
 */
export function forEachLane(shape: ConcreteShape, axis: number, lane: (offset: number, stride: number) => void): void {
  const length = shape[axis]!;
  const stride = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < stride; s++) lane(o * length * stride + s, stride);
  }
}
