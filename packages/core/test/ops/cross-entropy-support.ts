// Support for the fused cross-entropy tests: the ops run with their references (the testing
// kit's reference evaluator, 60 digits), independent plain-math references at adaptive
// precision, input generators and a recorder of the worst ULP errors.
import { fc } from '@fast-check/vitest';
import {
  evaluate, input, type Node, sigmoidCrossEntropyGrad, sigmoidCrossEntropyWithLogits, softmaxCrossEntropyGrad,
  softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyGrad, sparseSoftmaxCrossEntropyWithLogits, type Tensor, tensor,
} from '@stablegrad/core';
import {
  createDecimalMath, type DecimalConstructor, exactDecimalMath, type FloatDType, referenceEvaluate, toDecimal, ulpDistance,
} from '@stablegrad/testing';

export type { FloatDType };

// ---------------------------------------------------------------- dtypes

/** Rounds a float64 value to `dtype` (inputs; references are already rounded by the reference evaluator). */
export function roundTo(x: number, dtype: FloatDType): number {
  return dtype === 'float32' ? Math.fround(x) : x;
}

/** True when |x| is at least the smallest normal number of `dtype`. */
export function isNormal(x: number, dtype: FloatDType): boolean {
  return Math.abs(x) >= (dtype === 'float32' ? 2 ** -126 : 2 ** -1022);
}

// ---------------------------------------------------------------- running the ops

/** The six fused ops, by the names the report uses. */
export type FusedOp = 'sigmoidCE' | 'softmaxCE' | 'sparseCE';

/** Kernel values and reference values (60 digits, rounded to the node's dtype) of one op node. */
export interface Run {
  readonly got: number[];
  readonly want: readonly number[];
}

const tensorOf = (values: readonly number[], shape: number[], dtype: FloatDType | 'int32'): Tensor => tensor(values, { shape, dtype });

/** Evaluates `node` (whose inputs are `input` nodes) on `values`, with the kernels and with the reference evaluator. */
export function runNode(node: Node, values: readonly Tensor[]): Run {
  const feeds = new Map(node.inputs.map((n, i) => [n, values[i]!]));
  return { got: Array.from(evaluate(node, feeds).data), want: referenceEvaluate(node, feeds).values };
}

/** sigmoidCE loss and grad (kernel and reference) on equal-shaped 1-D z and y. */
export function runSigmoid(z: readonly number[], y: readonly number[], dtype: FloatDType): { loss: Run; grad: Run } {
  const zi = input([z.length], { dtype, name: 'z' });
  const yi = input([y.length], { dtype, name: 'y' });
  const values = [tensorOf(z, [z.length], dtype), tensorOf(y, [y.length], dtype)];
  return { loss: runNode(sigmoidCrossEntropyWithLogits(zi, yi), values), grad: runNode(sigmoidCrossEntropyGrad(zi, yi), values) };
}

/** softmaxCE loss and grad of one row. */
export function runSoftmax(z: readonly number[], y: readonly number[], dtype: FloatDType): { loss: Run; grad: Run } {
  const zi = input([1, z.length], { dtype, name: 'z' });
  const yi = input([1, y.length], { dtype, name: 'y' });
  const values = [tensorOf(z, [1, z.length], dtype), tensorOf(y, [1, y.length], dtype)];
  return { loss: runNode(softmaxCrossEntropyWithLogits(zi, yi), values), grad: runNode(softmaxCrossEntropyGrad(zi, yi), values) };
}

/** sparseCE loss and grad of one row. */
export function runSparse(z: readonly number[], label: number, dtype: FloatDType): { loss: Run; grad: Run } {
  const zi = input([1, z.length], { dtype, name: 'z' });
  const li = input([1], { dtype: 'int32', name: 'labels' });
  const values = [tensorOf(z, [1, z.length], dtype), tensorOf([label], [1], 'int32')];
  return { loss: runNode(sparseSoftmaxCrossEntropyWithLogits(zi, li), values), grad: runNode(sparseSoftmaxCrossEntropyGrad(zi, li), values) };
}

// ---------------------------------------------------------------- plain references

/**
 * Enough digits for the plain formulas: `1 + e^-t` keeps e^-t only with about t / 2.3 extra
 * digits, and `sigmoid(z) - 1/2` or `softmax(z)_i - 1/k` for logits within d of each other need
 * about log10(1/d) more. Exponentials below e^-900 are dropped (they are below every float's
 * resolution of the terms they are added to).
 */
function plainDigits(spread: number, closest: number): DecimalConstructor {
  const far = Math.ceil(Math.min(Math.max(spread, 0), 900) / 2.3);
  const near = closest > 0 && closest < 1 ? Math.ceil(-Math.log10(closest)) : 0;
  return createDecimalMath(50 + far + near).Decimal;
}

/** Textbook `max(z, 0) - z y + log(1 + exp(-|z|))` and `1 / (1 + exp(-z)) - y`. */
export function plainSigmoid(z: number, y: number): { loss: number; grad: number } {
  const D = plainDigits(Math.abs(z), Math.abs(z));
  // inputs rounded once to the working precision, so that z - z y is 0 when y = 1
  const Z = toDecimal(z, D).add(0);
  const Y = toDecimal(y, D).add(0);
  const tail = Z.abs().gt(900) ? new D(0) : Z.abs().neg().exp();
  const loss = D.max(Z, 0).sub(Z.mul(Y)).add(tail.add(1).ln());
  const sig = Z.gte(0) ? new D(1).div(tail.add(1)) : tail.div(tail.add(1));
  return { loss: Number(loss.toString()), grad: Number(sig.sub(Y).toString()) };
}

/**
 * Textbook `sum_i y_i (log(sum_j exp(z_j - m)) + m - z_i)` and its z-gradient
 * `exp(z_i - m) / sum_j exp(z_j - m) * sum_j y_j - y_i` (any labels, not only distributions).
 */
export function plainSoftmax(z: readonly number[], y: readonly number[]): { loss: number; grad: number[] } {
  const m = Math.max(...z);
  const gaps = z.map((v) => m - v).filter((d) => d > 0);
  const D = plainDigits(Math.max(0, ...gaps), gaps.length === 0 ? 0 : Math.min(...gaps));
  const Z = z.map((v) => toDecimal(v, D).add(0));
  const M = toDecimal(m, D).add(0);
  const e = Z.map((v) => (v.sub(M).lt(-900) ? new D(0) : v.sub(M).exp()));
  const S = e.reduce((a, b) => a.add(b));
  const logS = S.ln();
  let loss = new D(0);
  y.forEach((yi, i) => {
    if (yi !== 0) loss = loss.add(toDecimal(yi, D).mul(logS.add(M.sub(Z[i]!))));
  });
  // the labels' sum exactly (2000 digits hold any sum of a few doubles)
  const X = exactDecimalMath.Decimal;
  const total = y.reduce((a, v) => a.add(toDecimal(v, X)), new X(0));
  // (e_i sum(y) - y_i S) / S: the same quotient, without rounding e_i / S before the difference
  const grad = e.map((ei, i) => Number(ei.mul(total).sub(toDecimal(y[i]!, D).mul(S)).div(S).toString()));
  return { loss: Number(loss.toString()), grad };
}

// ---------------------------------------------------------------- generators

/** Logits: moderate, large, huge, subnormal, and the exp overflow/underflow edges of both dtypes. */
export function logit(dtype: FloatDType): fc.Arbitrary<number> {
  const limit = dtype === 'float32' ? 3e38 : 1e300;
  const edges = [0, 20, 36.7, 40, 88.72, 103.97, 709.78, 709.8, 745.13, 745.2, 1e10, limit];
  const values = fc.oneof(
    fc.double({ min: -8, max: 8, noNaN: true }),
    fc.double({ min: -120, max: 120, noNaN: true }),
    fc.double({ min: -2000, max: 2000, noNaN: true }),
    fc.double({ min: -limit, max: limit, noNaN: true }),
    fc.double({ min: -1e-300, max: 1e-300, noNaN: true }),
    fc.tuple(fc.constantFrom(...edges), fc.boolean(), fc.double({ min: -1e-3, max: 1e-3, noNaN: true }))
      .map(([e, negative, jitter]) => (negative ? -e : e) + (e > 1 && e < 1e10 ? jitter : 0)),
  );
  return values.map((v) => roundTo(v, dtype));
}

/** A label in [0, 1]: hard, half, uniform, tiny, or within a few ULP of 1. */
export function label(dtype: FloatDType): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(0, 1, 0.5),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1e-20, noNaN: true }),
    fc.integer({ min: 1, max: 1000 }).map((k) => 1 - k * 2 ** -53),
  ).map((v) => roundTo(v, dtype));
}

/** sigmoid(z) in float64, for labels that nearly equal the probability. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** softmax(z) in float64. */
export function softmax(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/**
 * A (z, y) pair for sigmoidCE. A third of the labels are the rounded probability sigmoid(z),
 * possibly nudged by a few ULP: there `sigmoid(z) - y` is the rounding error of sigmoid itself,
 * the hardest case for the gradient.
 */
export function sigmoidCase(dtype: FloatDType): fc.Arbitrary<[number, number]> {
  return fc.tuple(logit(dtype), label(dtype), fc.integer({ min: 0, max: 2 }), fc.integer({ min: -3, max: 3 }))
    .map(([z, y, mode, nudge]): [number, number] => {
      if (mode !== 0) return [z, y];
      const p = roundTo(sigmoid(z), dtype);
      const step = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
      const near = roundTo(p * (1 + nudge * step), dtype);
      return [z, Math.min(1, Math.max(0, near))];
    });
}

/**
 * A softmax row and its labels: one-hot, label-smoothed, random soft, or the rounded softmax
 * itself (every entry then cancels). Soft labels are non-negative and sum to 1 up to rounding.
 */
export function softmaxCase(dtype: FloatDType): fc.Arbitrary<[number[], number[]]> {
  const row = fc.array(logit(dtype), { minLength: 1, maxLength: 6 });
  return fc.tuple(row, fc.integer({ min: 0, max: 3 }), fc.nat(), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }))
    .map(([z, mode, pick, weights]): [number[], number[]] => {
      const k = z.length;
      const target = pick % k;
      let y: number[];
      if (mode === 0) y = z.map((_, i) => (i === target ? 1 : 0));
      else if (mode === 1) y = z.map((_, i) => (i === target ? 0.9 : 0) + 0.1 / k);
      else if (mode === 2) {
        const w = weights.slice(0, k);
        const s = w.reduce((a, b) => a + b, 0);
        y = s > 0 ? w.map((v) => v / s) : z.map((_, i) => (i === target ? 1 : 0));
      } else y = softmax(z);
      return [z, y.map((v) => roundTo(v, dtype))];
    });
}

/** A softmax row and a class label. */
export function sparseCase(dtype: FloatDType): fc.Arbitrary<[number[], number]> {
  return fc.tuple(fc.array(logit(dtype), { minLength: 1, maxLength: 6 }), fc.nat()).map(([z, l]): [number[], number] => [z, l % z.length]);
}

// ---------------------------------------------------------------- recording

/** The contract: loss 4 ULP (float64) / 2 ULP (float32); gradients 8 ULP where the true value is normal. */
export function contract(quantity: 'loss' | 'grad', dtype: FloatDType): number {
  if (quantity === 'grad') return 8;
  return dtype === 'float64' ? 4 : 2;
}

/** Worst ULP error seen per op, dtype and quantity, and how many values were checked. */
export class UlpRecorder {
  private readonly worst = new Map<string, { ulp: number; count: number; at: string }>();

  /**
   * Records the ULP errors of one run and returns the failures: values farther than the contract
   * (for gradients, only where the reference is a normal number), or non-finite where the
   * reference is finite.
   */
  check(op: FusedOp, quantity: 'loss' | 'grad', dtype: FloatDType, run: Run, inputs: unknown): string[] {
    const key = `${op} ${dtype} ${quantity}`;
    const entry = this.worst.get(key) ?? { ulp: 0, count: 0, at: '' };
    const failures: string[] = [];
    run.got.forEach((got, i) => {
      const want = roundTo(run.want[i]!, dtype);
      if (Number.isFinite(want) && !Number.isFinite(got)) failures.push(`${key}[${i}]: got ${got}, want ${want} for ${JSON.stringify(inputs)}`);
      if (quantity === 'grad' && !isNormal(want, dtype)) return;
      const d = ulpDistance(got, want, dtype);
      entry.count++;
      if (d > entry.ulp) Object.assign(entry, { ulp: d, at: `${JSON.stringify(inputs)}[${i}]: got ${got}, want ${want}` });
      if (d > contract(quantity, dtype)) failures.push(`${key}[${i}]: ${d} ULP (got ${got}, want ${want}) for ${JSON.stringify(inputs)}`);
    });
    this.worst.set(key, entry);
    return failures;
  }

  /** A table of the worst errors, one line per op, dtype and quantity. */
  table(): string {
    const lines = [...this.worst.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, { ulp, count }]) => {
      const [op, dtype, quantity] = key.split(' ') as [FusedOp, FloatDType, 'loss' | 'grad'];
      return `${op.padEnd(10)} ${dtype.padEnd(8)} ${quantity.padEnd(5)} max ${String(ulp).padStart(2)} ULP (contract ${contract(quantity, dtype)}) over ${count} values`;
    });
    return lines.join('\n');
  }

  /** Where the worst error of each key occurred. */
  worstCases(): string {
    return [...this.worst.entries()].map(([key, { ulp, at }]) => `${key}: ${ulp} ULP at ${at}`).join('\n');
  }
}
