/**
 * Where the lint looks: values for every input of a graph, drawn from a seeded generator. A float
 * input is drawn from its declared range, else from the domain of the ops that read it (log:
 * positive, cross-entropy labels: [0, 1]), else from every finite value of its dtype. Each value
 * is one of: an extreme (the values where float code breaks: +-0, subnormals, the largest finite
 * value, the edges of exp overflow and sigmoid saturation, the range's own bounds), a value of
 * any magnitude (log-uniform over every binade, as Herbie samples bit patterns), a magnitude at
 * the scale of weights and logits (2^-30 to 2^12), or a moderate value (uniform in [-10, 10]).
 * One tensor sample in five is a tight cluster around one value, where sums and differences of
 * its elements cancel (`E[x^2] - E[x]^2`). int32 inputs are uniform integers in their range
 * (default 0 and 1, valid labels and indices for any size).
 * @module
 */
import { type ConcreteShape, type DType, type Node, opDef, sizeOf, type Tensor, toTypedArray } from '@stablegrad/core';
import { extremeFloats, nextDown, nextUp, Random } from '@stablegrad/testing';
import { LintError } from './errors.js';

/**
 * A closed interval `[min, max]` of input values.
 * @example
 * ```ts
 * const labels: Range = [0, 1];
 * lint({ loss }, { ranges: { y: labels } });
 * ```
 */
export type Range = readonly [min: number, max: number];

/** A seeded generator of numbers in [0, 1): the testing kit's mulberry32. */
export function seededRandom(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

const LARGEST: Record<'float32' | 'float64', number> = { float32: (2 - 2 ** -23) * 2 ** 127, float64: Number.MAX_VALUE };
const SMALLEST: Record<'float32' | 'float64', number> = { float32: 2 ** -149, float64: Number.MIN_VALUE };
const MODERATE = 10;
const DEFAULT_INT_RANGE: Range = [0, 1];

/**
 * The range each input is drawn from: `declared` (by name or path) first, else the intersection
 * of the domains of the ops that read it, else the whole finite range of its dtype.
 */
export function rangeOf(input: Node, readers: readonly Node[], declared: ReadonlyMap<string, Range>): Range {
  const own = declared.get(input.path) ?? declared.get(input.name);
  if (own !== undefined) return representable(input, own);
  if (input.dtype === 'int32') return DEFAULT_INT_RANGE;
  let lo = -LARGEST[input.dtype];
  let hi = LARGEST[input.dtype];
  for (const reader of readers) {
    const domains = opDef(reader.op).domains ?? [];
    reader.inputs.forEach((node, k) => {
      const domain = domains[k];
      if (node !== input || domain === undefined || domain === null) return;
      lo = Math.max(lo, domain[0]);
      hi = Math.min(hi, domain[1]);
    });
  }
  // Domains that do not overlap (an input read by log and by log1mexp) constrain nothing useful.
  return lo <= hi ? [lo, hi] : [-LARGEST[input.dtype], LARGEST[input.dtype]];
}

/**
 * A declared range narrowed to what the input's dtype holds (integers for int32, finite values
 * rounded inward for floats); a LintError when nothing is left, e.g. int32 in [0.5, 0.7] or
 * float32 in [1e39, 1e40].
 */
function representable(input: Node, [lo, hi]: Range): Range {
  const where = `lint: ranges.${input.name} = [${lo}, ${hi}]`;
  if (input.dtype === 'int32') {
    const a = Math.ceil(Math.max(lo, -(2 ** 31)));
    const b = Math.floor(Math.min(hi, 2 ** 31 - 1));
    if (a > b) throw new LintError(`${where} holds no int32 value`);
    return [a, b];
  }
  const dtype = input.dtype as 'float32' | 'float64';
  const a = roundUp(Math.max(lo, -LARGEST[dtype]), dtype);
  const b = roundDown(Math.min(hi, LARGEST[dtype]), dtype);
  if (!(a <= b)) throw new LintError(`${where} holds no finite ${dtype} value`);
  return [a, b];
}

/** Draws one tensor for `input` of `shape`, values in `range`. */
export function sampleTensor(dtype: DType, shape: ConcreteShape, range: Range, random: () => number): Tensor {
  const size = sizeOf(shape);
  const values = new Array<number>(size);
  if (dtype === 'int32') {
    const [lo, hi] = [Math.ceil(range[0]), Math.floor(range[1])];
    for (let i = 0; i < size; i++) values[i] = lo + Math.floor(random() * (hi - lo + 1));
  } else if (size > 1 && random() < 0.2) {
    // One relative width per tensor, 2^-1 ... 2^-45: the closer the cluster, the more cancels.
    const centre = sampleFloat(dtype, range, random);
    const width = 2 ** -(1 + random() * 44);
    for (let i = 0; i < size; i++) values[i] = nearby(centre, width * (2 * random() - 1), dtype, range);
  } else {
    for (let i = 0; i < size; i++) values[i] = sampleFloat(dtype, range, random);
  }
  return { dtype, shape, data: toTypedArray(dtype, values) };
}

/**
 * One float of `dtype` in `range`: an extreme (15%), any magnitude the dtype has (25%), a
 * magnitude at the scale of weights, activations and logits, 2^-30 to 2^12 (30%), or a moderate
 * value, uniform in [-10, 10] (30%).
 */
export function sampleFloat(dtype: 'float32' | 'float64', range: Range, random: () => number): number {
  const [lo, hi] = range;
  const pick = random();
  let x: number;
  if (pick < 0.15) {
    const candidates = [...extremeFloats(dtype), lo, hi].filter((v) => v >= lo && v <= hi && Number.isFinite(v));
    x = candidates.length > 0 ? candidates[Math.floor(random() * candidates.length)]! : lo;
  } else if (pick < 0.4) {
    x = logUniform(lo, hi, SMALLEST[dtype], LARGEST[dtype], random);
  } else if (pick < 0.7) {
    x = logUniform(lo, hi, 2 ** -30, 2 ** 12, random);
  } else {
    const a = Math.min(Math.max(-MODERATE, lo), hi);
    const b = Math.max(Math.min(MODERATE, hi), lo);
    x = a === b ? logUniform(lo, hi, SMALLEST[dtype], LARGEST[dtype], random) : a + random() * (b - a);
  }
  return clampTo(dtype === 'float32' ? Math.fround(x) : x, dtype, lo, hi);
}

/**
 * A value in [lo, hi] whose magnitude is log-uniform in [smallest, largest] (every binade as
 * likely, as Herbie samples bit patterns), with a sign the range allows.
 */
function logUniform(lo: number, hi: number, smallest: number, largest: number, random: () => number): number {
  const negative = hi <= 0 || (lo < 0 && random() < 0.5);
  // The magnitudes this sign allows, within [smallest, largest].
  const big = Math.min(negative ? -lo : hi, largest);
  const small = Math.max(negative ? Math.max(-hi, 0) : Math.max(lo, 0), smallest);
  if (!(big >= small)) return negative ? hi : lo;
  const magnitude = Math.min(2 ** (Math.log2(small) + random() * (Math.log2(big) - Math.log2(small))), big);
  return negative ? -magnitude : magnitude;
}

/** `centre * (1 + delta)`, or `delta` itself when the centre is 0, in the range. */
function nearby(centre: number, delta: number, dtype: 'float32' | 'float64', range: Range): number {
  const x = centre === 0 ? delta : centre + centre * delta;
  return clampTo(dtype === 'float32' ? Math.fround(x) : x, dtype, range[0], range[1]);
}

function clampTo(x: number, dtype: 'float32' | 'float64', lo: number, hi: number): number {
  if (!Number.isFinite(x)) return x > 0 ? Math.min(hi, LARGEST[dtype]) : Math.max(lo, -LARGEST[dtype]);
  if (x < lo) return roundUp(lo, dtype);
  if (x > hi) return roundDown(hi, dtype);
  return x;
}

// Bounds given as float64 may not be float32 values: the nearest float32 inside the range.
function roundUp(x: number, dtype: DType): number {
  const r = dtype === 'float32' ? Math.fround(x) : x;
  return r < x ? nextUp(r, 'float32') : r;
}

function roundDown(x: number, dtype: DType): number {
  const r = dtype === 'float32' ? Math.fround(x) : x;
  return r > x ? nextDown(r, 'float32') : r;
}

/** Checks a declared range: two numbers, min <= max. */
export function checkRange(name: string, range: unknown): Range {
  if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && !Number.isNaN(v)) || range[0] > range[1]) {
    throw new LintError(`lint: ranges.${name} must be [min, max] with min <= max, got ${JSON.stringify(range)}`);
  }
  return [range[0] as number, range[1] as number];
}
