/**
 * Edge sweep of every fused op (issue 10): a deterministic grid, not random points, of the values
 * where float code breaks (+-MAX, +-MIN_NORMAL, subnormals, +-0, +-1, moderate values, huge
 * spreads with MAX and -MAX in one row, ties of huge and of tiny values, -Infinity logits of
 * masked classes), with one-hot, dense,
 * soft and non-normalised labels and sparse labels, in float32 and float64, run by the
 * interpreter and by the compiled backend, and compared with the 60-digit reference rounded to
 * the dtype:
 * - losses and elementwise ops within 4 ULP (float64) / 2 ULP (float32), gradients within 8 / 2,
 *   where the truth is normal; within a few subnormal steps where it is subnormal;
 * - infinite exactly where the truth is infinite, finite where it is finite, NaN only where it is NaN.
 * The worst ULP per op, dtype and backend is collected, and printed with STABLEGRAD_REPORT=1.
 */
import { describe, expect, it } from 'vitest';
import * as sg from '@stablegrad/core';
import type { DType, Node, Tensor } from '@stablegrad/core';
import { compile } from '@stablegrad/compile';
import { type FloatDType, referenceEvaluate, ulpDistance } from '@stablegrad/testing';

// ---------------------------------------------------------------- the grid

const LIMITS = {
  float64: { max: Number.MAX_VALUE, minNormal: 2 ** -1022, minValue: Number.MIN_VALUE, subnormals: [2 ** -1060, 3 * 2 ** -1070, 2 ** -1030], big: 1e300 },
  float32: { max: 3.4028234663852886e38, minNormal: 2 ** -126, minValue: 2 ** -149, subnormals: [2 ** -140, 3 * 2 ** -146, 2 ** -130], big: 1e38 },
} as const;

/** Scalars where float code breaks, for `dtype`. */
function scalars(dtype: FloatDType): number[] {
  const l = LIMITS[dtype];
  const edges = dtype === 'float64' ? [709.78, -745.1, -708.4, 37, -37] : [88.72, -103.9, -87.3, 17, -17];
  const magnitudes = [l.max, l.big, l.minNormal, l.minValue, ...l.subnormals, 1, 0.5, 2.5, 20, 100, 1e-8, Math.LN2];
  return [0, -0, ...magnitudes.flatMap((m) => [m, -m]), ...edges].map(dtype === 'float32' ? Math.fround : (x) => x);
}

/** Rows of logits of length k: spreads, ties, extremes and moderate values. */
function logitRows(dtype: FloatDType, k: number): number[][] {
  const { max: M, minNormal: N, minValue: S, big: B } = LIMITS[dtype];
  const pad = (row: number[]): number[] => Array.from({ length: k }, (_, i) => row[i % row.length]!);
  const rows = [
    [M, -M], [-M, M], [M, M], [-M, -M], [M, -M, 0], [0, M, -M], [B, -B], [M, 0],
    [N, -N, S], [S, S], [-S, S, 0], [0, -0], [1, -1, 0.5], [20, 0], [0, 20], [1000, 0, -1000], [-745.1, 0],
    [B, B, B, B], [S, S, S, S], [37, 37, -37], [2.5, -3.7, 0.1, 40], [-1e-8, 1e-8], [-50, -50, -50.5],
    [1, 1 + 2 ** -23, 1 - 2 ** -24], [M, M * (1 - 2 ** -23), -M],
    // masked classes
    [-Infinity, 0, 1], [-Infinity, -Infinity, 2], [0, -Infinity], [M, -Infinity],
  ];
  return rows.map(pad).map((row) => row.map(dtype === 'float32' ? Math.fround : (x) => x));
}

/** Label rows of length k: one-hot at each position, dense and soft distributions, non-normalised. */
function labelRows(dtype: FloatDType, k: number): number[][] {
  const oneHot = Array.from({ length: k }, (_, j) => Array.from({ length: k }, (_, i) => (i === j ? 1 : 0)));
  const uniform = Array.from({ length: k }, () => 1 / k);
  const soft = Array.from({ length: k }, (_, i) => (i === 0 ? 0.7 : 0.3 / (k - 1)));
  const nonNormalised = Array.from({ length: k }, (_, i) => [0.5, 0.9, 2, 0.25][i % 4]!);
  const tiny = Array.from({ length: k }, (_, i) => (i === k - 1 ? 1 - 1e-12 : 1e-12 / (k - 1)));
  const zeros = Array.from({ length: k }, () => 0);
  // labels summing past the largest value (float64 and float32 alike)
  const huge = Array.from({ length: k }, (_, i) => LIMITS[dtype].max / (i + 1));
  return [...oneHot, uniform, soft, nonNormalised, tiny, zeros, huge];
}

// ---------------------------------------------------------------- comparison

type Kind = 'value' | 'grad';
type Backend = 'interpreter' | 'compiled';

/** Worst ULP (where the truth is normal) per `op dtype kind backend`. */
const worst = new Map<string, number>();

/** Checks one output against the reference values; returns the failures. */
function compare(label: string, got: ArrayLike<number>, want: readonly number[], dtype: FloatDType, kind: Kind, where: (i: number) => string): string[] {
  const allowed = kind === 'value' ? (dtype === 'float64' ? 4 : 2) : (dtype === 'float64' ? 8 : 2);
  const { minNormal, minValue } = LIMITS[dtype];
  let max = worst.get(label) ?? 0;
  const failures: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i]!, want[i]!];
    const say = (why: string) => `${label} at ${where(i)}: got ${g}, reference ${w} (${why})`;
    if (Number.isNaN(w)) {
      if (!Number.isNaN(g)) failures.push(say('truth is NaN'));
      continue;
    }
    if (Number.isNaN(g)) failures.push(say('NaN where the truth is not'));
    else if (!Number.isFinite(w)) {
      if (g !== w) failures.push(say('truth is infinite'));
    } else if (!Number.isFinite(g)) failures.push(say('infinite where the truth is finite'));
    else if (Math.abs(w) >= minNormal) {
      const d = ulpDistance(g, w, dtype);
      max = Math.max(max, d);
      if (d > allowed) failures.push(say(`${d} ULP > ${allowed}`));
    } else if (Math.abs(g - w) > 4 * minValue) failures.push(say('subnormal truth, more than 4 subnormal steps off'));
  }
  worst.set(label, max);
  return failures;
}

/** One case: outputs to check, with their kind, fed from `feeds`. */
interface Case {
  readonly op: string;
  readonly outputs: readonly { readonly node: Node; readonly kind: Kind; readonly name: string }[];
  readonly feeds: ReadonlyMap<Node, Tensor>;
  /** Describes element i of output o for failure messages. */
  readonly where: (o: number, i: number) => string;
}

/** Runs a case on both backends against the reference; returns the failures. */
function runCase(c: Case, dtype: FloatDType): string[] {
  const nodes = c.outputs.map((o) => o.node);
  const reference = referenceEvaluate(nodes, c.feeds);
  const results: Record<Backend, Tensor[]> = {
    interpreter: sg.evaluate(nodes, c.feeds),
    compiled: compile(nodes, { matmul: 'exact' }).run(c.feeds),
  };
  const failures: string[] = [];
  for (const backend of ['interpreter', 'compiled'] as const) {
    c.outputs.forEach((o, k) => {
      failures.push(...compare(`${o.name} ${dtype} ${o.kind} ${backend}`, results[backend][k]!.data, reference[k]!.values, dtype, o.kind, (i) => c.where(k, i)));
    });
  }
  return failures;
}

const t = (data: readonly number[], shape: readonly number[], dtype: DType): Tensor => sg.tensor(data as number[], { dtype, shape });
const show = (xs: readonly number[]) => `[${xs.map((x) => (Object.is(x, -0) ? '-0' : String(x))).join(', ')}]`;

// ---------------------------------------------------------------- the cases

/** Elementwise unary ops on every grid scalar, with the gradient of their sum. */
function unaryCase(name: string, f: (x: Node) => Node, dtype: FloatDType, domain: (x: number) => boolean = () => true): Case {
  // the gradient graph is checked only on the op's domain (log1mexp's e^x / expm1(x) is Inf / Inf above 88 in float32)
  const xs = scalars(dtype).filter(domain);
  const x = sg.input([xs.length], { dtype, name: 'x' });
  const out = f(x);
  return {
    op: name,
    outputs: [{ node: out, kind: 'value', name }, { node: sg.grad(out.sum(), x), kind: 'grad', name: `d ${name}` }],
    feeds: new Map([[x, t(xs, [xs.length], dtype)]]),
    where: (_, i) => `x = ${show([xs[i]!])}`,
  };
}

/** logaddexp on every pair of grid scalars, with both gradients. */
function logaddexpCase(dtype: FloatDType): Case {
  const s = scalars(dtype);
  const as = s.flatMap((a) => s.map(() => a));
  const bs = s.flatMap(() => s);
  const a = sg.input([as.length], { dtype, name: 'a' });
  const b = sg.input([bs.length], { dtype, name: 'b' });
  const out = sg.logaddexp(a, b);
  const [ga, gb] = sg.grad(out.sum(), [a, b]);
  // the same pairs by broadcasting a column [s, 1] against a row [s]
  const column = sg.input([s.length, 1], { dtype, name: 'column' });
  const row = sg.input([s.length], { dtype, name: 'row' });
  return {
    op: 'logaddexp',
    outputs: [
      { node: out, kind: 'value', name: 'logaddexp' }, { node: ga!, kind: 'grad', name: 'd logaddexp' }, { node: gb!, kind: 'grad', name: 'd logaddexp' },
      { node: sg.logaddexp(column, row), kind: 'value', name: 'logaddexp' },
    ],
    feeds: new Map([[a, t(as, [as.length], dtype)], [b, t(bs, [bs.length], dtype)], [column, t(s, [s.length, 1], dtype)], [row, t(s, [s.length], dtype)]]),
    where: (_, i) => `(a, b) = ${show([as[i]!, bs[i]!])}`,
  };
}

/** Sigmoid cross-entropy and its gradient op on every grid logit against labels in [0, 1]. */
function sigmoidCase(dtype: FloatDType): Case {
  const zs = scalars(dtype);
  const labels = [0, 1, 0.5, 0.25, 0.7, 1e-20, 1 - 2 ** -40, LIMITS[dtype].minValue, 2, -0.5].map(dtype === 'float32' ? Math.fround : (v) => v);
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  // labels equal to the rounded probability: sigmoid(z) - y is then sigmoid's own rounding error
  const onProbability = [1, -1, 20, -20, 0.5, 3.7].map(round).map((z) => [z, round(1 / (1 + Math.exp(-z)))] as const);
  const zd = [...zs.flatMap((z) => labels.map(() => z)), ...onProbability.map((p) => p[0])];
  const yd = [...zs.flatMap(() => labels), ...onProbability.map((p) => p[1])];
  const z = sg.input([zd.length], { dtype, name: 'z' });
  const y = sg.input([yd.length], { dtype, name: 'y' });
  return {
    op: 'sigmoidCrossEntropy',
    outputs: [
      { node: sg.sigmoidCrossEntropyWithLogits(z, y), kind: 'value', name: 'sigmoidCrossEntropyWithLogits' },
      { node: sg.sigmoidCrossEntropyGrad(z, y), kind: 'grad', name: 'sigmoidCrossEntropyGrad' },
    ],
    feeds: new Map([[z, t(zd, [zd.length], dtype)], [y, t(yd, [yd.length], dtype)]]),
    where: (_, i) => `(z, y) = ${show([zd[i]!, yd[i]!])}`,
  };
}

/** Weighted sigmoid cross-entropy (posWeight) and its gradient op on every grid logit, labels in [0, 1] and weights from 1e-3 to 1e3. */
function weightedSigmoidCase(dtype: FloatDType): Case {
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const zs = scalars(dtype);
  const labels = [0, 1, 0.5, 0.25, 0.7, 1e-20, 1 - 2 ** -40, LIMITS[dtype].minValue].map(round);
  const weights = [0.5, 3, 1e-3, 1e3].map(round);
  const pairs = labels.flatMap((y) => weights.map((w) => [y, w] as const));
  // labels at the optimum sigmoid(z) = pw y / (1 + (pw - 1) y): the gradient's two terms cancel
  const optimum = [1, -1, 20, -20, 0.5].map(round).flatMap((z) => weights.map((w) => {
    const s = 1 / (1 + Math.exp(-z));
    return [z, round(s / (w * (1 - s) + s)), w] as const;
  }));
  const zd = [...zs.flatMap((z) => pairs.map(() => z)), ...optimum.map((o) => o[0])];
  const yd = [...zs.flatMap(() => pairs.map((p) => p[0])), ...optimum.map((o) => o[1])];
  const wd = [...zs.flatMap(() => pairs.map((p) => p[1])), ...optimum.map((o) => o[2])];
  const [z, y, pw] = (['z', 'y', 'pw'] as const).map((name) => sg.input([zd.length], { dtype, name })) as [Node, Node, Node];
  return {
    op: 'weightedSigmoidCrossEntropy',
    outputs: [
      { node: sg.weightedSigmoidCrossEntropyWithLogits(z, y, pw), kind: 'value', name: 'weightedSigmoidCrossEntropyWithLogits' },
      { node: sg.weightedSigmoidCrossEntropyGrad(z, y, pw), kind: 'grad', name: 'weightedSigmoidCrossEntropyGrad' },
    ],
    feeds: new Map([[z, t(zd, [zd.length], dtype)], [y, t(yd, [yd.length], dtype)], [pw, t(wd, [wd.length], dtype)]]),
    where: (_, i) => `(z, y, pw) = ${show([zd[i]!, yd[i]!, wd[i]!])}`,
  };
}

/** Every logit row of length k against every label row: dense softmax cross-entropy and its gradient. */
function softmaxCase(dtype: FloatDType, k: number): Case {
  const zRows = logitRows(dtype, k);
  const yRows = labelRows(dtype, k).map((r) => r.map(dtype === 'float32' ? Math.fround : (v) => v));
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  // labels equal to the rounded softmax of their logits: the gradient is softmax's own rounding error
  const onProbability = [[1, 0, -1, 2], [20, 0, 3, 3], [0.5, 0.25, -0.125, 1e-8]].map((row) => {
    const zr = row.slice(0, k).map(round);
    const m = Math.max(...zr);
    const e = zr.map((v) => Math.exp(v - m));
    const total = e.reduce((a, b) => a + b, 0);
    return [zr, e.map((v) => round(v / total))] as const;
  });
  const pairs = [...zRows.flatMap((zr) => yRows.map((yr) => [zr, yr] as const)), ...onProbability];
  const n = pairs.length;
  const z = sg.input([n, k], { dtype, name: 'z' });
  const y = sg.input([n, k], { dtype, name: 'y' });
  return {
    op: 'softmaxCrossEntropy',
    outputs: [
      { node: sg.softmaxCrossEntropyWithLogits(z, y), kind: 'value', name: 'softmaxCrossEntropyWithLogits' },
      { node: sg.softmaxCrossEntropyGrad(z, y), kind: 'grad', name: 'softmaxCrossEntropyGrad' },
    ],
    feeds: new Map([[z, t(pairs.flatMap((p) => p[0]), [n, k], dtype)], [y, t(pairs.flatMap((p) => p[1]), [n, k], dtype)]]),
    where: (o, i) => {
      const p = pairs[o === 0 ? i : Math.floor(i / k)]!;
      return `z = ${show(p[0])}, y = ${show(p[1])}${o === 0 ? '' : `, entry ${i % k}`}`;
    },
  };
}

/** Every logit row of length k with the label at each class: sparse cross-entropy, its gradient op, and the gradient of the mean loss (the compiled backend folds the 1/n into its kernel). */
function sparseCase(dtype: FloatDType, k: number): Case {
  const zRows = logitRows(dtype, k);
  const pairs = zRows.flatMap((zr) => Array.from({ length: k }, (_, c) => [zr, c] as const));
  const n = pairs.length;
  const z = sg.input([n, k], { dtype, name: 'z' });
  const labels = sg.input([n], { dtype: 'int32', name: 'labels' });
  const loss = sg.sparseSoftmaxCrossEntropyWithLogits(z, labels);
  return {
    op: 'sparseSoftmaxCrossEntropy',
    outputs: [
      { node: loss, kind: 'value', name: 'sparseSoftmaxCrossEntropyWithLogits' },
      { node: sg.sparseSoftmaxCrossEntropyGrad(z, labels), kind: 'grad', name: 'sparseSoftmaxCrossEntropyGrad' },
      { node: sg.grad(loss.mean(), z), kind: 'grad', name: 'd mean sparseSoftmaxCrossEntropy' },
    ],
    feeds: new Map([[z, t(pairs.flatMap((p) => p[0]), [n, k], dtype)], [labels, t(pairs.map((p) => p[1]), [n], 'int32')]]),
    where: (o, i) => {
      const p = pairs[o === 0 ? i : Math.floor(i / k)]!;
      return `z = ${show(p[0])}, label ${p[1]}${o === 0 ? '' : `, entry ${i % k}`}`;
    },
  };
}

/** The softmax family along the last axis of every logit row of length k. */
function rowCase(name: string, f: (z: Node) => Node, dtype: FloatDType, k: number, gradient: boolean): Case {
  const rows = logitRows(dtype, k);
  const z = sg.input([rows.length, k], { dtype, name: 'z' });
  const out = f(z);
  // fixed distinct weights, so that every output element reaches the gradient
  const size = out.shape.reduce<number>((p, d) => p * (d as number), 1);
  const w = sg.constant(sg.tensor(Array.from({ length: size }, (_, i) => 0.5 + ((i * 7) % 5) / 4), { dtype, shape: out.shape as number[] }));
  const outputs = [{ node: out, kind: 'value' as const, name }];
  if (gradient) outputs.push({ node: sg.grad(out.mul(w).sum(), z), kind: 'grad' as const, name: `d ${name}` } as never);
  return {
    op: name,
    outputs,
    feeds: new Map([[z, t(rows.flat(), [rows.length, k], dtype)]]),
    where: (o, i) => (o === 0 && out.rank === 1 ? `z = ${show(rows[i]!)}` : `z = ${show(rows[Math.floor(i / k)]!)}, entry ${i % k}`),
  };
}

const UNARY: readonly [string, (x: Node) => Node, ((x: number) => boolean)?][] = [
  ['logSigmoid', sg.logSigmoid], ['softplus', sg.softplus], ['log1p', sg.log1p], ['expm1', sg.expm1], ['log1mexp', sg.log1mexp, (x) => x <= 0],
];

function cases(dtype: FloatDType): Case[] {
  return [
    ...UNARY.map(([name, f, domain]) => unaryCase(name, f, dtype, domain)),
    logaddexpCase(dtype),
    sigmoidCase(dtype),
    weightedSigmoidCase(dtype),
    ...[2, 3, 4].flatMap((k) => [
      softmaxCase(dtype, k),
      sparseCase(dtype, k),
      rowCase('logsumexp', (z) => sg.logsumexp(z, { axis: -1 }), dtype, k, true),
      rowCase('logSoftmax', (z) => sg.logSoftmax(z, -1), dtype, k, true),
      rowCase('softmax', (z) => sg.softmax(z, -1), dtype, k, false),
    ]),
  ];
}

describe('fused ops on the edge grid, interpreter and compiled, against the 60-digit reference', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`every fused op (${dtype})`, () => {
      const failures = cases(dtype).flatMap((c) => runCase(c, dtype));
      expect(failures.slice(0, 20).join('\n'), `${failures.length} failures`).toBe('');
    }, 60_000);
  }

  it('reports the worst ULP per op, dtype and backend', () => {
    if (process.env.STABLEGRAD_REPORT === '1') {
      const lines = [...worst.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([label, ulps]) => `${label.padEnd(70)} ${ulps}`);
      console.info(lines.join('\n'));
    }
    expect(worst.size).toBeGreaterThan(0);
  });
});
