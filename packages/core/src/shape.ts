/**
 * Shapes with symbolic dimensions. A dimension is a number, a name such as `'batch'` (equal
 * names mean equal sizes) or `null` (unknown). Symbolic dimensions are resolved when the graph
 * runs, from the shapes of the fed inputs.
 * @module
 */
import { ShapeError } from './errors.js';

/**
 * One dimension: a size, a named symbolic size, or `null` for an unknown size.
 * @example
 * ```ts
 * const dims: Dim[] = [32, 'batch', null]; // a size, a named size, an unknown size
 * ```
 */
export type Dim = number | string | null;

/**
 * A shape, possibly with symbolic dimensions.
 * @example
 * ```ts
 * input(['batch', 3]).shape; // ['batch', 3]
 * ```
 */
export type Shape = readonly Dim[];

/**
 * A shape whose dimensions are all known.
 * @example
 * ```ts
 * evaluate(input(['batch', 3], { name: 'x' }), { x: [[1, 2, 3]] }).shape; // [1, 3]
 * ```
 */
export type ConcreteShape = readonly number[];

/**
 * Formats a shape for messages: `[batch, 400]`, `[?, 3]`.
 * @example
 * ```ts
 * formatShape(['batch', null, 3]); // '[batch, ?, 3]'
 * ```
 */
export function formatShape(shape: Shape): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/**
 * True when every dimension is a number.
 * @example
 * ```ts
 * isConcrete([2, 3]);       // true
 * isConcrete([2, 'batch']); // false
 * ```
 */
export function isConcrete(shape: Shape): shape is ConcreteShape {
  return shape.every((d) => typeof d === 'number');
}

/**
 * Number of elements of a concrete shape.
 * @example
 * ```ts
 * sizeOf([2, 3, 4]); // 24
 * sizeOf([]);        // 1 (a scalar)
 * ```
 */
export function sizeOf(shape: ConcreteShape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Largest size of one dimension: index maps are int32.
 * @example
 * ```ts
 * input([MAX_DIM + 1]); // ShapeError: dimension 2147483648 is more than 2147483647
 * ```
 */
export const MAX_DIM = 2 ** 31 - 1;

/**
 * Most elements one tensor may hold (2^28: 1 GiB of float32, 2 GiB of float64). The builder,
 * the graph loader, `evaluate` and `compile` all check shapes against it before allocating, so a
 * graph (or a graph file) declaring `oneHot` depth 2^31-1 is a ShapeError, not an allocation.
 * @example
 * ```ts
 * input([], { dtype: 'int32' }).oneHot(2 ** 31 - 1); // ShapeError: ... more than 268435456 elements
 * ```
 */
export const MAX_ELEMENTS = 2 ** 28;

/**
 * Checks the fixed sizes of a shape against {@link MAX_DIM} and {@link MAX_ELEMENTS} (named
 * and unknown dimensions count as 1 here; run time checks them again once they are known).
 * @example
 * ```ts
 * checkSize(['batch', 1000], 'input');     // fine
 * checkSize([2 ** 20, 2 ** 20], 'oneHot'); // ShapeError: oneHot: shape [1048576, 1048576] holds more than 268435456 elements
 * ```
 */
export function checkSize(shape: Shape, what: string): void {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') continue;
    if (d > MAX_DIM) throw new ShapeError(`${what}: dimension ${d} is more than ${MAX_DIM}, the largest size a dimension may have`);
    n *= d;
  }
  if (n > MAX_ELEMENTS) {
    throw new ShapeError(`${what}: shape ${formatShape(shape)} holds more than ${MAX_ELEMENTS} elements, the most a tensor may have`);
  }
}

/**
 * Row-major strides of a concrete shape.
 * @example
 * ```ts
 * stridesOf([2, 3, 4]); // [12, 4, 1]
 * ```
 */
export function stridesOf(shape: ConcreteShape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * The position (one index per dimension) of flat index `flat` in a row-major array of `shape`:
 * what error messages print (`label 12 at position [3, 1]`).
 * @example
 * ```ts
 * unravelIndex(7, [2, 4]); // [1, 3]
 * ```
 */
export function unravelIndex(flat: number, shape: ConcreteShape): number[] {
  const position = new Array<number>(shape.length);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    position[d] = rest % shape[d]!;
    rest = Math.floor(rest / shape[d]!);
  }
  return position;
}

/**
 * True when two dimensions are statically known to be equal.
 * @example
 * ```ts
 * sameDim('batch', 'batch'); // true
 * sameDim(null, null);       // false: two unknown sizes may differ
 * ```
 */
export function sameDim(a: Dim, b: Dim): boolean {
  return a !== null && a === b;
}

/**
 * True when two shapes are known to be equal at run time: same rank, equal sizes, equal names.
 * Two unknown (`null`) dimensions may differ, so they are never known equal. The question to ask
 * before leaving out a broadcast. Compare {@link sameWrittenShape} and {@link mayBeSameShape}.
 * @example
 * ```ts
 * sameShape(['batch', 3], ['batch', 3]); // true
 * sameShape([null, 3], [null, 3]);       // false
 * ```
 */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => sameDim(d, b[i]!));
}

/**
 * True when two shapes are written the same, dimension by dimension: equal sizes, equal names,
 * and `null` where the other has `null`. The question to ask when a replacement must carry the
 * static type of the node it replaces; it says nothing about run-time sizes (`[null]` and
 * `[null]` are written the same but may differ), for which see {@link sameShape}.
 * @example
 * ```ts
 * sameWrittenShape([null, 3], [null, 3]); // true
 * sameWrittenShape(['batch'], [32]);      // false
 * ```
 */
export function sameWrittenShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * True unless two shapes are known to differ: same rank, and equal sizes wherever both sizes are
 * fixed (a name or `null` may take any size at run time). No broadcasting: `[1]` and `[3]` differ.
 * The question to ask of a shape that must match another once the named dimensions are bound,
 * such as a cotangent against its output or a fed tensor against its input.
 * @example
 * ```ts
 * mayBeSameShape(['batch', 3], [32, 3]); // true
 * mayBeSameShape([null, 3], [2, 4]);     // false
 * ```
 */
export function mayBeSameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i] || typeof d !== 'number' || typeof b[i] !== 'number');
}

/**
 * Checks that a shape given by a user is valid: integers >= 0, names, or null.
 * @example
 * ```ts
 * checkShape([2, 'batch', null], 'input'); // [2, 'batch', null]
 * checkShape([2, -1], 'input');            // ShapeError: input: dimension -1 in [2,-1] is not a size >= 0, a name or null
 * ```
 */
export function checkShape(shape: readonly unknown[], what: string): Shape {
  for (const d of shape) {
    if (d === null || (typeof d === 'string' && d.length > 0)) continue;
    if (typeof d === 'number' && Number.isInteger(d) && d >= 0) continue;
    throw new ShapeError(`${what}: dimension ${JSON.stringify(d)} in ${JSON.stringify(shape)} is not a size >= 0, a name or null`);
  }
  return shape as Shape;
}

/**
 * NumPy broadcasting of two shapes. Symbolic dimensions never broadcast: a named or unknown
 * dimension against a fixed size n > 1 is taken to be n (checked again at run time).
 * @example
 * ```ts
 * broadcastShapes([2, 1], [1, 3]);      // [2, 3]
 * broadcastShapes(['batch', 1], [3]);   // ['batch', 3]
 * broadcastShapes([2], [3]);            // ShapeError: shapes [2] and [3] do not broadcast (2 vs 3)
 * ```
 */
export function broadcastShapes(a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = new Array<Dim>(rank);
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    out[i] = broadcastDim(da, db, a, b);
  }
  return out;
}

function broadcastDim(da: Dim, db: Dim, a: Shape, b: Shape): Dim {
  if (da === 1) return db;
  if (db === 1) return da;
  if (da === db) return da;
  if (typeof da === 'number' && typeof db === 'number') {
    throw new ShapeError(`shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (${da} vs ${db})`);
  }
  if (typeof da === 'number') return da;
  if (typeof db === 'number') return db;
  return null;
}

/**
 * Normalizes a possibly negative axis for a rank, or throws a ShapeError.
 * @example
 * ```ts
 * normalizeAxis(-1, 3, 'sum'); // 2
 * normalizeAxis(3, 3, 'sum');  // ShapeError: sum: axis 3 is out of range for rank 3
 * ```
 */
export function normalizeAxis(axis: number, rank: number, what: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new ShapeError(`${what}: axis ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Normalizes a list of axes (default: all), sorted and without repeats.
 * @example
 * ```ts
 * normalizeAxes([-1, 0], 3, 'sum');    // [0, 2]
 * normalizeAxes(undefined, 2, 'mean'); // [0, 1]
 * ```
 */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number, what: string): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(a, rank, what));
  if (new Set(out).size !== out.length) throw new ShapeError(`${what}: repeated axis in ${JSON.stringify(list)}`);
  return out.sort((x, y) => x - y);
}
