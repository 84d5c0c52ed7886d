/**
 * Concrete tensors: a dtype, a shape and row-major typed-array storage. Plain objects, so they
 * are cheap to make and to pass around.
 * @module
 */
import { allocate, type DType, dtypeOfArray, type TypedArray, toTypedArray } from './dtype.js';
import { ShapeError } from './errors.js';
import { type ConcreteShape, formatShape, sizeOf } from './shape.js';

/**
 * A concrete value: dtype, shape and row-major data.
 * @example
 * ```ts
 * const t = evaluate(input([2], { name: 'x' }).mul(3), { x: [1, 2] });
 * t.dtype; // 'float32'
 * t.shape; // [2]
 * t.data;  // Float32Array [3, 6]
 * ```
 */
export interface Tensor {
  readonly dtype: DType;
  readonly shape: ConcreteShape;
  readonly data: TypedArray;
}

/**
 * Nested arrays of numbers, e.g. `[[1, 2], [3, 4]]`.
 * @example
 * ```ts
 * toNested(tensor([[1, 2], [3, 4]])); // [[1, 2], [3, 4]]
 * ```
 */
export type NestedArray = number | readonly NestedArray[];

/**
 * Anything `tensor()` accepts.
 * @example
 * ```ts
 * const x = input([2], { name: 'x' });
 * evaluate(x.mul(2), { x: [1, 2] });                   // nested arrays (here flat)
 * evaluate(x.mul(2), { x: new Float32Array([1, 2]) }); // a typed array
 * ```
 */
export type TensorLike = Tensor | NestedArray | TypedArray;

/**
 * Makes a tensor from nested arrays, a typed array or a number.
 * @example
 * ```ts
 * tensor([[1, 2], [3, 4]]);             // float32 [2, 2]
 * tensor([0, 2, 1], { dtype: 'int32' }); // int32 [3]
 * tensor(new Float64Array(6), { shape: [2, 3] });
 * ```
 */
export function tensor(value: TensorLike, options: { dtype?: DType; shape?: ConcreteShape } = {}): Tensor {
  if (isTensor(value)) {
    const dtype = options.dtype ?? value.dtype;
    const shape = options.shape ?? value.shape;
    checkSize(shape, value.data.length);
    return { dtype, shape: [...shape], data: dtype === value.dtype ? value.data.slice() : toTypedArray(dtype, value.data) };
  }
  if (ArrayBuffer.isView(value)) {
    const dtype = options.dtype ?? dtypeOfArray(value);
    const shape = options.shape ?? [value.length];
    checkSize(shape, value.length);
    return { dtype, shape: [...shape], data: toTypedArray(dtype, value) };
  }
  const { shape: nestedShape, flat } = flatten(value);
  const shape = options.shape ?? nestedShape;
  checkSize(shape, flat.length);
  return { dtype: options.dtype ?? 'float32', shape: [...shape], data: toTypedArray(options.dtype ?? 'float32', flat) };
}

/**
 * A tensor of zeros.
 * @example
 * ```ts
 * zeros([2, 3]);            // float32 [2, 3], all 0
 * zeros([4], 'int32').data; // Int32Array [0, 0, 0, 0]
 * ```
 */
export function zeros(shape: ConcreteShape, dtype: DType = 'float32'): Tensor {
  return { dtype, shape: [...shape], data: allocate(dtype, sizeOf(shape)) };
}

/**
 * A tensor filled with one value.
 * @example
 * ```ts
 * full([2], 0.5, 'float64').data; // Float64Array [0.5, 0.5]
 * ```
 */
export function full(shape: ConcreteShape, value: number, dtype: DType = 'float32'): Tensor {
  const t = zeros(shape, dtype);
  t.data.fill(value);
  return t;
}

/**
 * True when `value` is a Tensor object.
 * @example
 * ```ts
 * isTensor(tensor(1)); // true
 * isTensor([1]);       // false: nested arrays are TensorLike, not tensors
 * ```
 */
export function isTensor(value: unknown): value is Tensor {
  return (
    typeof value === 'object' && value !== null && 'data' in value && 'shape' in value && 'dtype' in value &&
    ArrayBuffer.isView((value as Tensor).data)
  );
}

/**
 * Converts a tensor to nested arrays (for printing and tests).
 * @example
 * ```ts
 * toNested(tensor([[1, 2], [3, 4]])); // [[1, 2], [3, 4]]
 * toNested(tensor(3));                // 3
 * ```
 */
export function toNested(t: Tensor): NestedArray {
  if (t.shape.length === 0) return t.data[0]!;
  const build = (dim: number, offset: number): NestedArray[] => {
    const n = t.shape[dim]!;
    const inner = sizeOf(t.shape.slice(dim + 1));
    const out: NestedArray[] = [];
    for (let i = 0; i < n; i++) {
      out.push(dim === t.shape.length - 1 ? t.data[offset + i]! : build(dim + 1, offset + i * inner));
    }
    return out;
  };
  return build(0, 0);
}

/**
 * The single value of a tensor with one element.
 * @example
 * ```ts
 * scalarValue(evaluate(constant([1, 2]).sum())); // 3
 * ```
 */
export function scalarValue(t: Tensor): number {
  if (t.data.length !== 1) throw new ShapeError(`expected a tensor with one element, got shape ${formatShape(t.shape)}`);
  return t.data[0]!;
}

function checkSize(shape: ConcreteShape, size: number): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`invalid dimension ${d} in shape ${formatShape(shape)}`);
  }
  if (sizeOf(shape) !== size) {
    throw new ShapeError(`shape ${formatShape(shape)} needs ${sizeOf(shape)} elements, got ${size}`);
  }
}

function flatten(value: NestedArray): { shape: number[]; flat: number[] } {
  if (typeof value === 'number') return { shape: [], flat: [value] };
  const shape: number[] = [];
  let level: NestedArray = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = (level as readonly NestedArray[])[0]!;
  }
  const flat: number[] = [];
  const walk = (v: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof v !== 'number') throw new ShapeError(`ragged nested array: expected a number at depth ${dim}`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ShapeError(`ragged nested array: expected ${shape[dim]} entries at depth ${dim}`);
    }
    for (const x of v as readonly NestedArray[]) walk(x, dim + 1);
  };
  walk(value, 0);
  return { shape, flat };
}
