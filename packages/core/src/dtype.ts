/**
 * Element types. Floats store in their own width; float32 kernels may compute in float64 and
 * round once on store (DESIGN.md, accuracy contract).
 * @module
 */
import { DTypeError } from './errors.js';

/**
 * Element type of a tensor.
 * @example
 * ```ts
 * const x = input([3], { dtype: 'float64', name: 'x' });
 * x.dtype; // 'float64'
 * ```
 */
export type DType = 'float32' | 'float64' | 'int32';

/**
 * Every dtype, in a fixed order.
 * @example
 * ```ts
 * DTYPES.filter(isFloat); // ['float32', 'float64']
 * ```
 */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

/**
 * The typed array that stores each dtype.
 * @example
 * ```ts
 * const data: TypedArrayFor['float64'] = new Float64Array(3);
 * ```
 */
export interface TypedArrayFor {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
}

/**
 * Storage of any tensor.
 * @example
 * ```ts
 * const data: TypedArray = evaluate(loss, feeds).data; // Float32Array for a float32 loss
 * ```
 */
export type TypedArray = Float32Array | Float64Array | Int32Array;

/**
 * True for `float32` and `float64`.
 * @example
 * ```ts
 * isFloat('float64'); // true
 * isFloat('int32');   // false
 * ```
 */
export function isFloat(dtype: DType): boolean {
  return dtype !== 'int32';
}

/**
 * True when `value` names a dtype.
 * @example
 * ```ts
 * isDType('float32'); // true
 * isDType('float16'); // false
 * ```
 */
export function isDType(value: unknown): value is DType {
  return value === 'float32' || value === 'float64' || value === 'int32';
}

/**
 * Allocates zeroed storage of `size` elements of `dtype`.
 * @example
 * ```ts
 * allocate('float64', 3); // Float64Array [0, 0, 0]
 * ```
 */
export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    default:
      return dtype satisfies never;
  }
}

/**
 * Copies `values` into new storage of `dtype` (rounding to float32, truncating to int32).
 * @example
 * ```ts
 * toTypedArray('int32', [1.7, -2.5]);  // Int32Array [1, -2]
 * toTypedArray('float32', [0.1]);      // Float32Array [0.10000000149011612]
 * ```
 */
export function toTypedArray(dtype: DType, values: ArrayLike<number>): TypedArray {
  const out = allocate(dtype, values.length);
  // A typed array converts natively, with the same rules as element assignment.
  if (ArrayBuffer.isView(values)) out.set(values as TypedArray);
  else for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}

/**
 * The dtype of a typed array.
 * @example
 * ```ts
 * dtypeOfArray(new Float32Array(2)); // 'float32'
 * ```
 */
export function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

/**
 * Throws a DTypeError unless `dtype` is a float type.
 * @example
 * ```ts
 * requireFloat('float32', 'log'); // passes
 * requireFloat('int32', 'log');   // DTypeError: log needs a float input (float32 or float64), got int32; cast it first
 * ```
 */
export function requireFloat(dtype: DType, what: string): void {
  if (!isFloat(dtype)) {
    throw new DTypeError(`${what} needs a float input (float32 or float64), got ${dtype}; cast it first`);
  }
}
