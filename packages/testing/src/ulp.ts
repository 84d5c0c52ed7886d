/**
 * Units in the last place. Floats of one sign are ordered like their bit patterns, so mapping
 * each value to a signed integer (negative values mirrored) turns "how many representable values
 * lie between a and b" into a subtraction. float64 patterns need 64 bits, hence BigInt.
 * @module
 */
import type { DType } from '@stablegrad/core';

const f64 = new Float64Array(1);
const b64 = new BigInt64Array(f64.buffer);
const f32 = new Float32Array(1);
const b32 = new Int32Array(f32.buffer);

const SIGN64 = 0x8000000000000000n;
const MAGNITUDE64 = 0x7fffffffffffffffn;

/** float64 value -> ordered integer: +-0 -> 0, neighbours differ by 1. */
function ordered64(x: number): bigint {
  f64[0] = x;
  const bits = b64[0]!;
  return bits < 0n ? -(bits & MAGNITUDE64) : bits;
}

function fromOrdered64(k: bigint): number {
  b64[0] = k < 0n ? BigInt.asIntN(64, -k | SIGN64) : k;
  return f64[0]!;
}

/** float32 value (already rounded) -> ordered integer. */
function ordered32(x: number): number {
  f32[0] = x;
  const bits = b32[0]!;
  return bits < 0 ? -(bits & 0x7fffffff) : bits;
}

function fromOrdered32(k: number): number {
  b32[0] = k < 0 ? -k | 0x80000000 : k;
  return f32[0]!;
}

/**
 * Number of steps between two values of `dtype`: 0 when equal (+0 and -0 are equal, two NaNs
 * are equal, same-signed infinities are equal), 1 for neighbours, Infinity when exactly one is
 * NaN. The largest finite value is 1 step from Infinity. float32 inputs are first rounded with
 * `Math.fround`; for int32 the distance is `|a - b|`.
 * @example
 * ```ts
 * ulpDistance(1, 1 + 2 ** -52, 'float64'); // 1
 * ulpDistance(-0, 0, 'float32');           // 0
 * ulpDistance(-Number.MIN_VALUE, Number.MIN_VALUE, 'float64'); // 2
 * ```
 */
export function ulpDistance(a: number, b: number, dtype: DType = 'float64'): number {
  const nanA = Number.isNaN(a);
  const nanB = Number.isNaN(b);
  if (nanA || nanB) return nanA && nanB ? 0 : Infinity;
  if (a === b) return 0;
  switch (dtype) {
    case 'float64': {
      const d = ordered64(a) - ordered64(b);
      return Number(d < 0n ? -d : d);
    }
    case 'float32':
      return Math.abs(ordered32(Math.fround(a)) - ordered32(Math.fround(b)));
    case 'int32':
      return Math.abs(a - b);
    default:
      return dtype satisfies never;
  }
}

/**
 * Bits of error: `log2(1 + ulpDistance(a, b, dtype))`, 0 for equal values, 1 for neighbours.
 * @example
 * ```ts
 * bitsOfError(1, 1 + 3 * 2 ** -52, 'float64'); // 2
 * ```
 */
export function bitsOfError(a: number, b: number, dtype: DType = 'float64'): number {
  return Math.log2(1 + ulpDistance(a, b, dtype));
}

/**
 * Largest ULP distance over two arrays, and the first index where it occurs.
 * @example
 * ```ts
 * const { maxUlp: worst, index }: MaxUlp = maxUlp(actual, expected, 'float32');
 * ```
 */
export interface MaxUlp {
  readonly maxUlp: number;
  /** Index of the largest distance, -1 for empty arrays. */
  readonly index: number;
}

/**
 * The largest `ulpDistance` between `actual[i]` and `expected[i]`.
 * @example
 * ```ts
 * maxUlp(evaluate(y, feeds).data, referenceEvaluate(y, feeds).values, 'float32'); // { maxUlp: 1, index: 3 }
 * ```
 */
export function maxUlp(actual: ArrayLike<number>, expected: ArrayLike<number>, dtype: DType = 'float64'): MaxUlp {
  if (actual.length !== expected.length) {
    throw new RangeError(`maxUlp: ${actual.length} actual values but ${expected.length} expected ones`);
  }
  let worst = 0;
  let index = actual.length === 0 ? -1 : 0;
  for (let i = 0; i < actual.length; i++) {
    const d = ulpDistance(actual[i]!, expected[i]!, dtype);
    if (d > worst) {
      worst = d;
      index = i;
    }
  }
  return { maxUlp: worst, index };
}

/**
 * The next value of `dtype` above `x` (toward +Infinity); NaN stays NaN, +Infinity stays.
 * @example
 * ```ts
 * nextUp(1, 'float32'); // 1 + 2 ** -23
 * nextUp(0, 'float64'); // Number.MIN_VALUE
 * ```
 */
export function nextUp(x: number, dtype: DType = 'float64'): number {
  return step(x, dtype, 1);
}

/**
 * The next value of `dtype` below `x` (toward -Infinity); NaN stays NaN, -Infinity stays.
 * @example
 * ```ts
 * nextDown(1, 'float64'); // 1 - 2 ** -53
 * ```
 */
export function nextDown(x: number, dtype: DType = 'float64'): number {
  return step(x, dtype, -1);
}

function step(x: number, dtype: DType, direction: 1 | -1): number {
  if (Number.isNaN(x) || x === direction * Infinity) return x;
  switch (dtype) {
    case 'float64': {
      const k = ordered64(x) + BigInt(direction);
      return k === 0n && direction === 1 ? -0 : fromOrdered64(k);
    }
    case 'float32': {
      const x32 = Math.fround(x);
      // x between two float32 values: the neighbour in that direction is its rounding's side.
      if (x32 !== x && Math.sign(x32 - x) === direction) return x32;
      const k = ordered32(x32) + direction;
      return k === 0 && direction === 1 ? -0 : fromOrdered32(k);
    }
    case 'int32':
      return Math.floor(x) + (direction === 1 ? 1 : Number.isInteger(x) ? -1 : 0);
    default:
      return dtype satisfies never;
  }
}

/**
 * The size of one ULP at `x`: the gap from `|x|` to the next value of larger magnitude (at the
 * largest finite value, the gap below it). Infinity for infinite `x`, NaN for NaN, 1 for int32.
 * @example
 * ```ts
 * ulp(1, 'float64');   // 2 ** -52
 * ulp(1, 'float32');   // 2 ** -23
 * ulp(0, 'float32');   // 2 ** -149
 * ```
 */
export function ulp(x: number, dtype: DType = 'float64'): number {
  if (dtype === 'int32') return 1;
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(dtype === 'float32' ? Math.fround(x) : x);
  if (a === Infinity) return Infinity;
  const up = nextUp(a, dtype);
  return up === Infinity ? a - nextDown(a, dtype) : up - a;
}
