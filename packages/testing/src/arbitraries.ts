/**
 * fast-check arbitraries for numerics: floats that include the values where float code breaks
 * (subnormals, the largest finite values, where exp overflows and sigmoid saturates), tensors,
 * logits with huge spreads, probability vectors and class labels.
 * @module
 */
import fc from 'fast-check';
import { type ConcreteShape, type DType, sizeOf, type Tensor, tensor } from '@stablegrad/core';
import { nextDown, nextUp, ulp } from './ulp.js';

/**
 * The float dtypes.
 * @example
 * ```ts
 * const dtypes: FloatDType[] = ['float32', 'float64'];
 * ```
 */
export type FloatDType = Exclude<DType, 'int32'>;

const LIMITS: Record<FloatDType, { minSubnormal: number; maxSubnormal: number; minNormal: number; maxFinite: number }> = {
  float32: { minSubnormal: 2 ** -149, maxSubnormal: 2 ** -126 - 2 ** -149, minNormal: 2 ** -126, maxFinite: (2 - 2 ** -23) * 2 ** 127 },
  float64: { minSubnormal: Number.MIN_VALUE, maxSubnormal: 2 ** -1022 - 2 ** -1074, minNormal: 2 ** -1022, maxFinite: Number.MAX_VALUE },
};

// Where exp overflows (just below and above) and where exp underflows to subnormal and to 0.
const EXP_EDGES: Record<FloatDType, readonly number[]> = {
  float32: [88.7, 88.72, -87.3, -103.9],
  float64: [709.78, 709.8, -708.4, -745.1],
};

// Where sigmoid rounds to 1 in float32 (17) and float64 (37).
const SATURATION = [17, 37, -17, -37];

const roundTo = (dtype: FloatDType): ((x: number) => number) => (dtype === 'float32' ? Math.fround : (x) => x);

/**
 * The values where float code breaks, rounded to `dtype`: +-0, the smallest and largest
 * subnormals, the smallest normal, +-1, the largest finite value, +-1e300 (float64), the edges
 * of exp overflow and underflow (88.7, 88.72, -87.3, -103.9 or 709.78, 709.8, -708.4, -745.1) and
 * of sigmoid saturation (+-17, +-37).
 * @example
 * ```ts
 * extremeFloats('float32').includes(2 ** -149); // true
 * ```
 */
export function extremeFloats(dtype: FloatDType): readonly number[] {
  const l = LIMITS[dtype];
  const magnitudes = [l.minSubnormal, l.maxSubnormal, l.minNormal, 1, l.maxFinite, ...(dtype === 'float64' ? [1e300] : [])];
  const values = [0, -0, ...magnitudes.flatMap((m) => [m, -m]), ...EXP_EDGES[dtype], ...SATURATION];
  return Object.freeze(values.map(roundTo(dtype)));
}

/**
 * Options of `floatOf` and `tensorOf`.
 * @example
 * ```ts
 * const positive: FloatOptions = { min: 0, extremes: true, infinity: true };
 * ```
 */
export interface FloatOptions {
  /** Smallest value (default: the most negative finite value; for int32 tensors -100). */
  readonly min?: number;
  /** Largest value (default: the largest finite value; for int32 tensors 100). */
  readonly max?: number;
  /** Mix in `extremeFloats` and the bounds themselves (default true). */
  readonly extremes?: boolean;
  /** Also produce NaN (default false). */
  readonly nan?: boolean;
  /** Also produce the infinities inside [min, max] (default false). */
  readonly infinity?: boolean;
}

/**
 * Floats of `dtype` in [min, max]: extremes, values over the whole range (all magnitudes),
 * moderate values in [-40, 40] and small integers. No NaN or Infinity unless asked.
 * @example
 * ```ts
 * fc.assert(fc.property(floatOf('float32', { min: -100, max: 100 }), (z) => Number.isFinite(z)));
 * ```
 */
export function floatOf(dtype: FloatDType, options: FloatOptions = {}): fc.Arbitrary<number> {
  const l = LIMITS[dtype];
  const round = roundTo(dtype);
  const min = options.min ?? -l.maxFinite;
  const max = options.max ?? l.maxFinite;
  // The range's ends as finite values of the dtype, inside [min, max].
  const lo = Math.max(round(min) < min ? nextUp(round(min), dtype) : round(min), -l.maxFinite);
  const hi = Math.min(round(max) > max ? nextDown(round(max), dtype) : round(max), l.maxFinite);
  if (!(lo <= hi)) throw new RangeError(`floatOf: no ${dtype} value in [${min}, ${max}]`);

  const branches: fc.WeightedArbitrary<number>[] = [];
  const full = dtype === 'float32'
    ? fc.float({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true })
    : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
  branches.push({ arbitrary: full, weight: 3 });
  const [mLo, mHi] = [Math.max(lo, -40), Math.min(hi, 40)];
  if (mLo <= mHi) branches.push({ arbitrary: fc.double({ min: mLo, max: mHi, noNaN: true }).map(round), weight: 3 });
  const [iLo, iHi] = [Math.ceil(Math.max(lo, -5)), Math.floor(Math.min(hi, 5))];
  if (iLo <= iHi) branches.push({ arbitrary: fc.integer({ min: iLo, max: iHi }), weight: 1 });
  const specials = [
    ...((options.extremes ?? true) ? [...extremeFloats(dtype).filter((x) => x >= lo && x <= hi), lo, hi] : []),
    ...(options.nan === true ? [NaN] : []),
    ...(options.infinity === true ? [-Infinity, Infinity].filter((x) => x >= (options.min ?? -Infinity) && x <= (options.max ?? Infinity)) : []),
  ];
  if (specials.length > 0) branches.push({ arbitrary: fc.constantFrom(...specials), weight: 2 });
  return fc.oneof(...branches);
}

/**
 * Tensors of a fixed shape: elements from `floatOf(dtype, options)`, or integers in
 * [min, max] (default [-100, 100]) for int32.
 * @example
 * ```ts
 * test.prop([tensorOf([2, 3], 'float64', { min: -50, max: 50 })])('...', (x) => { ... });
 * ```
 */
export function tensorOf(shape: ConcreteShape, dtype: DType = 'float64', options: FloatOptions = {}): fc.Arbitrary<Tensor> {
  const size = sizeOf(shape);
  const element = dtype === 'int32' ? fc.integer({ min: options.min ?? -100, max: options.max ?? 100 }) : floatOf(dtype, options);
  return fc.array(element, { minLength: size, maxLength: size }).map((values) => tensor(values, { dtype, shape }));
}

/**
 * Options of `logitVector`.
 * @example
 * ```ts
 * logitVector(10, 'float32', { batch: 8, maxMagnitude: 1e6 } satisfies LogitOptions);
 * ```
 */
export interface LogitOptions {
  /** Rows of logits: shape `[batch, length]` instead of `[length]`. */
  readonly batch?: number;
  /** Largest |logit| (default 1e30 for float32, 1e300 for float64). */
  readonly maxMagnitude?: number;
}

/**
 * Logit vectors that stress softmax and sigmoid code: moderate values, values mixed from very
 * different magnitudes (huge spreads), ties, one dominant logit (tiny losses) and near-equal
 * logits a few ULP apart.
 * @example
 * ```ts
 * test.prop([logitVector(5, 'float32', { batch: 3 })])('finite loss', (z) => { ... }); // z: [3, 5]
 * ```
 */
export function logitVector(length: number, dtype: FloatDType = 'float64', options: LogitOptions = {}): fc.Arbitrary<Tensor> {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`logitVector: length must be an integer >= 1, got ${length}`);
  const round = roundTo(dtype);
  const maxMagnitude = Math.min(options.maxMagnitude ?? (dtype === 'float32' ? 1e30 : 1e300), LIMITS[dtype].maxFinite);
  const topPower = Math.floor(Math.log10(maxMagnitude));
  const cap = round(maxMagnitude) > maxMagnitude ? nextDown(round(maxMagnitude), dtype) : round(maxMagnitude);
  const row = (element: fc.Arbitrary<number>): fc.Arbitrary<number[]> => fc.array(element, { minLength: length, maxLength: length });
  const moderate = fc.double({ min: -10, max: 10, noNaN: true }).map(round);
  // A mantissa in [-1, 1] times a power of ten from 1e-3 to maxMagnitude.
  const anyMagnitude = fc.tuple(fc.integer({ min: -3, max: topPower }), fc.double({ min: -1, max: 1, noNaN: true }))
    .map(([k, m]) => round(Math.max(-maxMagnitude, Math.min(maxMagnitude, m * 10 ** k))));
  const spread = fc.oneof(anyMagnitude, floatOf(dtype, { min: -maxMagnitude, max: maxMagnitude }), moderate);

  const ties = fc.array(spread, { minLength: 1, maxLength: 3 }).chain((pool) => row(fc.constantFrom(...pool)));
  const dominant = fc.tuple(row(moderate), fc.nat(length - 1), fc.oneof(fc.double({ min: 15, max: 60, noNaN: true }), fc.double({ min: 60, max: 1e4, noNaN: true })))
    .map(([z, k, gap]) => z.map((v, i) => (i === k ? round(Math.max(...z) + gap) : v)));
  const nearEqual = fc.tuple(spread, row(fc.integer({ min: -3, max: 3 })))
    .map(([c, steps]) => steps.map((s) => round(c + s * ulp(c, dtype))));
  const rows = fc.oneof(row(moderate), row(spread), ties, dominant, nearEqual)
    .map((z) => z.map((v) => Math.max(-cap, Math.min(cap, v))));

  if (options.batch === undefined) return rows.map((z) => tensor(z, { dtype, shape: [length] }));
  return fc.array(rows, { minLength: options.batch, maxLength: options.batch })
    .map((zs) => tensor(zs.flat(), { dtype, shape: [options.batch!, length] }));
}

/**
 * Options of `probabilityVector`.
 * @example
 * ```ts
 * probabilityVector(10, { dtype: 'float32', batch: 8 } satisfies ProbabilityOptions);
 * ```
 */
export interface ProbabilityOptions {
  /** Storage dtype (default float64). */
  readonly dtype?: FloatDType;
  /** Rows of distributions: shape `[batch, length]` instead of `[length]`. */
  readonly batch?: number;
}

/**
 * Probability vectors: non-negative, summing to 1 (the largest entry is set to 1 minus the
 * others, so the float64 sum is 1 to rounding). One-hot vectors, smoothed one-hot vectors
 * (others as small as 1e-30) and random mixtures with zeros.
 * @example
 * ```ts
 * test.prop([logitVector(4), probabilityVector(4)])('soft labels', (z, y) => { ... });
 * ```
 */
export function probabilityVector(length: number, options: ProbabilityOptions = {}): fc.Arbitrary<Tensor> {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`probabilityVector: length must be an integer >= 1, got ${length}`);
  const dtype = options.dtype ?? 'float64';
  const round = roundTo(dtype);
  const oneHot = fc.nat(length - 1).map((k) => Array.from({ length }, (_, i) => (i === k ? 1 : 0)));
  const smoothed = fc.tuple(fc.nat(length - 1), fc.double({ min: 1e-30, max: 0.5 / length, noNaN: true }))
    .map(([k, eps]) => Array.from({ length }, (_, i) => (i === k ? 1 : eps)));
  const weight = fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 4 });
  const mixture = fc.array(weight, { minLength: length, maxLength: length });
  const rows = fc.oneof(oneHot, smoothed, mixture).map((w) => normalize(w, round));

  if (options.batch === undefined) return rows.map((p) => tensor(p, { dtype, shape: [length] }));
  return fc.array(rows, { minLength: options.batch, maxLength: options.batch })
    .map((ps) => tensor(ps.flat(), { dtype, shape: [options.batch!, length] }));
}

/** Scales weights to sum 1, then sets the largest to 1 minus the others. */
function normalize(weights: readonly number[], round: (x: number) => number): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  const p = total > 0 ? weights.map((w) => round(w / total)) : weights.map((_, i) => (i === 0 ? 1 : 0));
  const largest = p.indexOf(Math.max(...p));
  const others = p.reduce((s, v, i) => (i === largest ? s : s + v), 0);
  p[largest] = Math.max(0, round(1 - others));
  return p;
}

/**
 * int32 class labels in [0, classes), shape `[count]`.
 * @example
 * ```ts
 * test.prop([logitVector(10, 'float32', { batch: 4 }), labelsOf(4, 10)])('...', (z, labels) => { ... });
 * ```
 */
export function labelsOf(count: number, classes: number): fc.Arbitrary<Tensor> {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`labelsOf: classes must be an integer >= 1, got ${classes}`);
  return fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: count, maxLength: count })
    .map((labels) => tensor(labels, { dtype: 'int32', shape: [count] }));
}
