/**
 * Losses against Keras' definitions written out here in float64: every loss, from logits and
 * from probabilities (where the eps clip is not active, Keras' clipped formula is the plain one),
 * with label smoothing and each reduction. Then, through a model: the stabilize pass fuses each
 * probability-space loss into its logit op (no `log` left in the compiled graph), the fused loss
 * keeps the exact value where the clip of the written one would bite, and `explain` names the
 * layer and the fused op.
 */
import { fc, test } from '@fast-check/vitest';
import { evaluate, input, type Tensor, tensor } from '@stablegrad/core';
import {
  binaryCrossentropy, categoricalCrossentropy, dense, type Loss, type LossOptions, meanSquaredError, ModelError, type Reduction,
  resolveLoss, sequential, sparseCategoricalCrossentropy,
} from '@stablegrad/nn';
import { propertyParams, referenceEvaluate } from '@stablegrad/testing';
import { describe, expect, it } from 'vitest';
import { expectClose, f64, thrown } from './helpers.js';

// ---- Keras' formulas in float64 ----------------------------------------------------------------

const softplus = (a: number) => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
/** log sigmoid(z) = -softplus(-z). */
const logSigmoid = (z: number) => -softplus(-z);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logSumExp = (z: readonly number[]) => {
  const top = Math.max(...z);
  return top + Math.log(z.reduce((s, v) => s + Math.exp(v - top), 0));
};
const softmax = (z: readonly number[]) => z.map((v) => Math.exp(v - logSumExp(z)));
const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

type Kind = 'binary' | 'categorical' | 'sparse';

/** Labels after smoothing: binary towards 1/2, categorical towards 1/classes. */
function smooth(y: readonly number[], s: number, kind: Kind): number[] {
  return y.map((v) => v * (1 - s) + (kind === 'binary' ? s / 2 : s / y.length));
}

/** Per-example loss of one row, Keras' definitions. `y` is one-hot (or soft) for sparse too. */
function perExample(kind: Kind, y: readonly number[], out: readonly number[], fromLogits: boolean, s: number): number {
  const t = smooth(y, s, kind);
  if (kind === 'binary') {
    // -(y log p + (1 - y) log(1 - p)), mean over the units.
    return mean(out.map((o, i) => fromLogits
      ? -(t[i]! * logSigmoid(o) + (1 - t[i]!) * logSigmoid(-o))
      : -(t[i]! * Math.log(o) + (1 - t[i]!) * Math.log(1 - o))));
  }
  // -sum(y log p) with p = softmax(z), or p renormalised to sum 1.
  const total = out.reduce((a, b) => a + b, 0);
  const logP = fromLogits ? out.map((z) => z - logSumExp(out)) : out.map((p) => Math.log(p / total));
  return -t.reduce((sum, ti, c) => sum + ti * logP[c]!, 0);
}

function reduceByHand(values: readonly number[], reduction: Reduction): number[] {
  if (reduction === 'none') return [...values];
  const sum = values.reduce((a, b) => a + b, 0);
  return [reduction === 'sum' ? sum : sum / values.length];
}

// ---- the cases -----------------------------------------------------------------------------------

const LOGITS = [[2, -1, 0.5], [-3, 0.25, 1], [0.1, 0.2, -0.3], [4, 4, -2]];
const CLASSES = [0, 2, 1, 1];
const ONE_HOT = CLASSES.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
const MULTI_LABEL = [[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]];

const LOSSES: { readonly [kind in Kind]: (options: LossOptions) => Loss } = {
  binary: binaryCrossentropy, categorical: categoricalCrossentropy, sparse: sparseCategoricalCrossentropy,
};

/** The loss graph on float64 inputs `y` and `out`, evaluated as written. */
function evaluateLoss(loss: Loss, y: Tensor, out: readonly (readonly number[])[]): number[] {
  const yPred = input(['batch', out[0]!.length], { name: 'out', dtype: 'float64' });
  const type = loss.labelType(out[0]!.length, 'float64');
  const yTrue = input(type.shape, { name: 'y', dtype: type.dtype });
  return Array.from(evaluate(loss.build(yTrue, yPred), { out: f64(out), y }).data);
}

function labelsFor(kind: Kind): { tensor: Tensor; rows: number[][] } {
  if (kind === 'sparse') return { tensor: tensor(CLASSES, { dtype: 'int32' }), rows: ONE_HOT };
  const rows = kind === 'binary' ? MULTI_LABEL : ONE_HOT;
  return { tensor: f64(rows), rows };
}

/** Model outputs: logits as they are, or probabilities (sigmoid per unit, softmax per row). */
function outputsFor(kind: Kind, fromLogits: boolean): number[][] {
  if (fromLogits) return LOGITS;
  return LOGITS.map((z) => (kind === 'binary' ? z.map(sigmoid) : softmax(z)));
}

const CASES = (['binary', 'categorical', 'sparse'] as const).flatMap((kind) =>
  [true, false].flatMap((fromLogits) => [0, 0.1].flatMap((labelSmoothing) =>
    (['mean', 'sum', 'none'] as const).map((reduction) => ({ kind, fromLogits, labelSmoothing, reduction })))));

describe('loss values against Keras\' formulas (float64, as written)', () => {
  it.each(CASES)('$kind fromLogits=$fromLogits labelSmoothing=$labelSmoothing reduction=$reduction', ({ kind, fromLogits, labelSmoothing, reduction }) => {
    const loss = LOSSES[kind]({ fromLogits, labelSmoothing, reduction });
    const labels = labelsFor(kind);
    const out = outputsFor(kind, fromLogits);
    const actual = evaluateLoss(loss, labels.tensor, out);
    const expected = reduceByHand(out.map((row, r) => perExample(kind, labels.rows[r]!, row, fromLogits, labelSmoothing)), reduction);
    expect(actual.length).toBe(expected.length);
    actual.forEach((v, i) => expectClose(v, expected[i]!, 1e-13, `value ${i}`));
  });

  it.each(['mean', 'sum', 'none'] as const)('meanSquaredError, reduction %s: mean over units of (p - y)^2', (reduction) => {
    const y = [[1, 0.5, -2], [0, 0, 0], [3, -1, 2], [0.25, 1, 1]];
    const actual = evaluateLoss(meanSquaredError({ reduction }), f64(y), LOGITS);
    const expected = reduceByHand(LOGITS.map((p, r) => mean(p.map((v, i) => (v - y[r]![i]!) ** 2))), reduction);
    actual.forEach((v, i) => expectClose(v, expected[i]!, 1e-14, `value ${i}`));
  });

  it('categorical and sparse renormalise probabilities that do not sum to 1 (Keras)', () => {
    const p = [[0.2, 0.2, 0.6], [0.5, 0.25, 0.25]];
    const doubled = p.map((row) => row.map((v) => 2 * v));
    for (const kind of ['categorical', 'sparse'] as const) {
      const y = kind === 'sparse' ? tensor([2, 0], { dtype: 'int32' }) : f64([[0, 0, 1], [1, 0, 0]]);
      const [value] = evaluateLoss(LOSSES[kind]({}), y, doubled);
      expectClose(value!, mean([-Math.log(0.6), -Math.log(0.5)]), 1e-14, kind);
    }
  });

  it('soft labels: categorical cross-entropy is -sum(y log p) for any label distribution', () => {
    const y = [[0.2, 0.3, 0.5]];
    const p = [[0.1, 0.6, 0.3]];
    const [value] = evaluateLoss(categoricalCrossentropy(), f64(y), p);
    expectClose(value!, -(0.2 * Math.log(0.1) + 0.3 * Math.log(0.6) + 0.5 * Math.log(0.3)), 1e-14);
  });

  it('probabilities of exactly 0 and 1 are clipped to [1e-7, 1 - 1e-7] before the log (Keras)', () => {
    const [binary] = evaluateLoss(binaryCrossentropy(), f64([[1, 0]]), [[0, 1]]);
    // Each unit: -log(clip) = -log(1e-7), and -log(1 - (1 - 1e-7)) for the other.
    expectClose(binary!, mean([-Math.log(1e-7), -Math.log(1 - (1 - 1e-7))]), 1e-12);
    const [sparse] = evaluateLoss(sparseCategoricalCrossentropy(), tensor([1], { dtype: 'int32' }), [[1, 0, 0]]);
    expectClose(sparse!, -Math.log(1e-7), 1e-12);
  });
});

// ---- through a model: fused by compile --------------------------------------------------------

const W = [[0.5, -1, 2], [1.5, 0.25, -0.5]];
const B = [0.1, -0.2, 0.3];
const X = [[1, 2], [-1, 0.5], [0.3, -2], [2, 2]];
/** z = x W + b by hand. */
const logitsOf = (x: readonly (readonly number[])[]) => x.map((row) => B.map((b, j) => b + row[0]! * W[0]![j]! + row[1]! * W[1]![j]!));

function probabilityModel(kind: Kind, options: LossOptions, stabilize: boolean) {
  const m = sequential([dense({ units: 3, activation: kind === 'binary' ? 'sigmoid' : 'softmax' })], { inputShape: [2], dtype: 'float64', seed: 1 });
  m.setWeights([f64(W), tensor(B, { dtype: 'float64' })]);
  m.compile({ loss: LOSSES[kind](options), optimizer: 'sgd', stabilize });
  return m;
}

const FUSED_OP: { readonly [kind in Kind]: (smoothing: number) => string } = {
  binary: () => 'sigmoidCrossEntropyWithLogits',
  categorical: () => 'softmaxCrossEntropyWithLogits',
  // Smoothed integer labels become soft one-hot rows: the dense softmax form.
  sparse: (s) => (s === 0 ? 'sparseSoftmaxCrossEntropyWithLogits' : 'softmaxCrossEntropyWithLogits'),
};

const FUSION_CASES = (['binary', 'categorical', 'sparse'] as const).flatMap((kind) => [0, 0.2].map((labelSmoothing) => ({ kind, labelSmoothing })));

describe('compile fuses each probability-space loss', () => {
  it.each(FUSION_CASES)('$kind with labelSmoothing $labelSmoothing: the fused op and no log in the compiled graph', ({ kind, labelSmoothing }) => {
    const m = probabilityModel(kind, { labelSmoothing }, true);
    const ops = m.toGraph({ stage: 'compiled' }).nodes.map((n) => n.op);
    expect(ops).toContain(FUSED_OP[kind](labelSmoothing));
    expect(ops).not.toContain('log');
    // The written loss does take a log: the fusion is the pass's doing, not the loss's.
    expect(m.toGraph().nodes.map((n) => n.op)).toContain('log');
    expect(m.explain()).toContain(`dense_1: ${kind === 'binary' ? 'sigmoid' : 'softmax'} + `);
    expect(m.explain()).toContain(`fused into ${FUSED_OP[kind](labelSmoothing)}`);
  });

  it('explain names a named layer', () => {
    const m = sequential([dense({ units: 4, activation: 'relu' }), dense({ units: 3, activation: 'softmax', name: 'classifier' })], { inputShape: [2], seed: 1 });
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' });
    expect(m.explain()).toMatch(/^classifier: softmax \+ sparse categorical cross-entropy fused into sparseSoftmaxCrossEntropyWithLogits/);
  });

  it('with stabilize: false the compiled graph keeps the log, and explain says the pass is off', () => {
    const m = probabilityModel('categorical', {}, false);
    const ops = m.toGraph({ stage: 'compiled' }).nodes.map((n) => n.op);
    expect(ops).toContain('log');
    expect(ops).not.toContain('softmaxCrossEntropyWithLogits');
    expect(m.explain()).toMatch(/stabilize pass is off/);
  });

  it('fromLogits on a linear layer runs the logit op directly, and explain says so', () => {
    const m = sequential([dense({ units: 3, name: 'logits' })], { inputShape: [2], seed: 1 });
    m.compile({ loss: sparseCategoricalCrossentropy({ fromLogits: true }), optimizer: 'adam' });
    expect(m.toGraph({ stage: 'compiled' }).nodes.map((n) => n.op)).toContain('sparseSoftmaxCrossEntropyWithLogits');
    expect(m.explain()).toMatch(/^logits: the loss is computed from logits/);
  });

  const valueCases = FUSION_CASES.flatMap((c) => [true, false].map((stabilize) => ({ ...c, stabilize })));
  it.each(valueCases)('$kind, labelSmoothing $labelSmoothing, stabilize $stabilize: evaluate equals the hand formula on the logits', ({ kind, labelSmoothing, stabilize }) => {
    const m = probabilityModel(kind, { labelSmoothing }, stabilize);
    const labels = kind === 'binary' ? MULTI_LABEL : kind === 'categorical' ? ONE_HOT : CLASSES;
    const { loss } = m.evaluate(X, labels);
    const rows = kind === 'binary' ? MULTI_LABEL : ONE_HOT;
    const expected = mean(logitsOf(X).map((z, r) => perExample(kind, rows[r]!, z, true, labelSmoothing)));
    expectClose(loss!, expected, 1e-12);
  });

  it('where the written loss is clipped, the fused one keeps the exact value', () => {
    // Logits 200 times larger: softmax gives exact zeros, the written loss clips them at 1e-7.
    const big = X.map((row) => row.map((v) => 200 * v));
    const fused = probabilityModel('sparse', {}, true).evaluate(big, CLASSES).loss!;
    const written = probabilityModel('sparse', {}, false).evaluate(big, CLASSES).loss!;
    const exact = mean(logitsOf(big).map((z, r) => logSumExp(z) - z[CLASSES[r]!]!));
    expectClose(fused, exact, 1e-12);
    expect(exact).toBeGreaterThan(100);
    expect(written).toBeLessThanOrEqual(-Math.log(1e-7) * (1 + 1e-9)); // capped by the clip
  });
});

describe('the fused loss against the 60-digit reference of the loss from logits', () => {
  // A softmax layer with an identity kernel: its logits are the inputs.
  const identity = (k: number) => f64(Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0))));
  const model = sequential([dense({ units: 3, activation: 'softmax' })], { inputShape: [3], dtype: 'float64', seed: 1 });
  model.setWeights([identity(3), tensor([0, 0, 0], { dtype: 'float64' })]);
  model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: 'sgd' });
  const z = input(['batch', 3], { name: 'z', dtype: 'float64' });
  const y = input(['batch'], { name: 'y', dtype: 'int32' });
  const fromLogits = sparseCategoricalCrossentropy({ fromLogits: true }).build(y, z);

  const row = fc.array(fc.double({ min: -60, max: 60, noNaN: true }), { minLength: 3, maxLength: 3 });
  test.prop([fc.array(fc.tuple(row, fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 4 })], propertyParams(40))(
    'within 1e-12 (relative) for logits in [-60, 60]', (examples) => {
      const logits = examples.map(([r]) => r);
      const labels = examples.map(([, c]) => c);
      const reference = referenceEvaluate(fromLogits, { z: f64(logits), y: tensor(labels, { dtype: 'int32' }) }).values[0]!;
      const { loss } = model.evaluate(logits, labels);
      expect(Math.abs(loss! - reference)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(reference)));
    },
  );
});

describe('loss options', () => {
  it('the config fills Keras\' defaults', () => {
    expect(binaryCrossentropy().config).toEqual({ name: 'binaryCrossentropy', fromLogits: false, labelSmoothing: 0, axis: -1, reduction: 'mean' });
    expect(resolveLoss({ name: 'categoricalCrossentropy', fromLogits: true }).config.fromLogits).toBe(true);
  });

  const bad: readonly [string, () => unknown, RegExp][] = [
    ['labelSmoothing 1.5', () => binaryCrossentropy({ labelSmoothing: 1.5 }), /binaryCrossentropy: labelSmoothing must be in \[0, 1\], got 1.5/],
    ['labelSmoothing -0.1', () => categoricalCrossentropy({ labelSmoothing: -0.1 }), /categoricalCrossentropy: labelSmoothing/],
    ['labelSmoothing "0.1"', () => categoricalCrossentropy({ labelSmoothing: '0.1' as unknown as number }), /categoricalCrossentropy: labelSmoothing/],
    ['axis 0', () => sparseCategoricalCrossentropy({ axis: 0 }), /sparseCategoricalCrossentropy: axis/],
    ['reduction "avg"', () => meanSquaredError({ reduction: 'avg' as Reduction }), /meanSquaredError: reduction/],
    ['fromLogits "yes"', () => binaryCrossentropy({ fromLogits: 'yes' as unknown as boolean }), /binaryCrossentropy: fromLogits/],
    ['an unknown name', () => resolveLoss('hinge' as 'binaryCrossentropy'), /unknown loss "hinge"/],
    ['a prototype name', () => resolveLoss('toString' as 'binaryCrossentropy'), /unknown loss "toString"/],
  ];
  it.each(bad)('%s is a ModelError', (_name, make, message) => {
    const error = thrown(make);
    expect(error).toBeInstanceOf(ModelError);
    expect(error.message).toMatch(message);
  });
});
