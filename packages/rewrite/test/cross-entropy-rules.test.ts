/**
 * Cross-entropy recognition and the reduction canonical forms: structure after the whole
 * `stabilize` pipeline on graphs written as a user writes them (expected expressions worked
 * out by hand from the math, double negations cancelled), the cases that must not fire, and
 * seeded properties on values: at extreme logits the stabilized loss is finite and within a few
 * ULP of the high-precision reference, where the naive one reaches Infinity or NaN; for fed
 * categorical labels, the stabilized gradient against central differences of the exact loss.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  add, cast, constant, div, evaluate, type Feeds, gather, grad, input, log, log1p, logSigmoid, logSoftmax, mean, mul, neg, Node,
  oneHot, sigmoid, softmax, sub, sum, type Tensor, tensor,
} from '@stablegrad/core';
import { formatExpression, match, PHASES, prepareTraining, rewrite, type RewriteRule, stabilize, stabilizeRules } from '@stablegrad/rewrite';
import {
  checkGrad, compareRewrite, decimalMath, floatOf, type FloatDType, labelsOf, logitVector, probabilityVector, propertyParams, roundToDType, tensorOf,
  ulpDistance,
} from '@stablegrad/testing';

const ruleNamed = (name: string): RewriteRule => stabilizeRules.find((r) => r.name === name)!;

/** The whole pipeline's output as an expression, and the rules that fired. */
function stabilized(loss: Node): { sexpr: string; node: Node; rules: string[] } {
  const { graph, report } = stabilize({ loss });
  const node = graph.outputs[0]!;
  return { sexpr: formatExpression(node), node, rules: report.firings.map((f) => f.rule) };
}
const sexpr = (loss: Node) => stabilized(loss).sexpr;

type Dims = readonly (number | string)[];
const floats = (name: string, shape: Dims = ['batch'], dtype: FloatDType = 'float32') => input(shape, { name, dtype });
const ints = (name: string, shape: Dims = ['batch']) => input(shape, { name, dtype: 'int32' });

/** y log(p) + (1 - y) log(1 - p), p = sigmoid(z): the binary log-likelihood, as written by hand. */
const likelihood = (z: Node, y: Node) => {
  const p = sigmoid(z);
  return add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))));
};

describe('binary cross-entropy', () => {
  const SCE = 'sigmoidCrossEntropyWithLogits(z, y)';

  it('-(y log p + (1-y) log(1-p)), reduced or not, becomes the fused op', () => {
    const [z, y] = [floats('z'), floats('y')];
    expect(sexpr(neg(likelihood(z, y)))).toBe(SCE);
    expect(sexpr(mean(neg(likelihood(z, y))))).toBe(`mean{axes=[0]}(${SCE})`);
    expect(sexpr(neg(mean(likelihood(z, y))))).toBe(`mean{axes=[0]}(${SCE})`);
    expect(sexpr(neg(sum(likelihood(z, y))))).toBe(`sum{axes=[0]}(${SCE})`);
    // A log-likelihood (no minus sign) is the negated loss.
    expect(sexpr(mean(likelihood(z, y)))).toBe(`neg(mean{axes=[0]}(${SCE}))`);
  });

  it('covers the algebraic spellings', () => {
    const [z, y] = [floats('z'), floats('y')];
    const p = sigmoid(z);
    const spellings = [
      // terms negated separately, operands in other orders, 1 - y as -y + 1, log1p(-p), sigmoid(-z)
      sub(mul(neg(y), log(p)), mul(sub(1, y), log(sub(1, p)))),
      neg(add(mul(log(sub(1, p)), add(neg(y), 1)), mul(log(p), y))),
      neg(add(mul(y, log(p)), mul(sub(1, y), log1p(neg(p))))),
      neg(add(mul(sub(1, y), log(sigmoid(neg(z)))), mul(y, log(p)))),
      sub(neg(mul(y, log(p))), mul(sub(1, y), log(sub(1, p)))),
    ];
    for (const loss of spellings) expect(sexpr(mean(loss))).toBe(`mean{axes=[0]}(${SCE})`);
  });

  it('merges the two terms when they are reduced separately', () => {
    const [z, y] = [floats('z'), floats('y')];
    const p = sigmoid(z);
    const separately = sub(neg(mean(mul(y, log(p)))), mean(mul(sub(1, y), log(sub(1, p)))));
    const result = stabilized(separately);
    expect(result.sexpr).toBe(`mean{axes=[0]}(${SCE})`);
    expect(result.rules).toContain('merge-added-reductions');
    const summed = neg(add(sum(mul(y, log(p))), sum(mul(sub(1, y), log(sub(1, p))))));
    expect(sexpr(summed)).toBe(`sum{axes=[0]}(${SCE})`);
  });

  it('keeps sample weights, outside the bracket or on both terms', () => {
    const [z, y, w] = [floats('z'), floats('y'), floats('w')];
    const p = sigmoid(z);
    expect(sexpr(neg(mean(mul(w, likelihood(z, y)))))).toBe(`mean{axes=[0]}(mul(w, ${SCE}))`);
    const onBoth = add(mul(mul(w, y), log(p)), mul(mul(w, sub(1, y)), log(sub(1, p))));
    const result = stabilized(neg(mean(onBoth)));
    expect(result.sexpr).toBe(`mean{axes=[0]}(mul(w, ${SCE}))`);
    expect(result.rules).toContain('weighted-binary-cross-entropy');
    // Two weights, in other associations.
    const v = floats('v');
    const twoWeights = add(mul(w, mul(log(p), mul(y, v))), mul(mul(sub(1, y), w), mul(v, log(sub(1, p)))));
    expect(sexpr(neg(twoWeights))).toBe(`mul(mul(w, v), ${SCE})`);
  });

  it('is elementwise: a multi-label loss (sigmoid over k outputs) fuses, summed or averaged', () => {
    const [z, y] = [floats('z', ['batch', 3]), floats('y', ['batch', 3])];
    expect(sexpr(neg(mean(sum(likelihood(z, y), { axis: 1 }))))).toBe(`mean{axes=[0]}(sum{axes=[1]}(${SCE}))`);
    expect(sexpr(neg(mean(likelihood(z, y))))).toBe(`mean{axes=[0,1]}(${SCE})`);
    // A sum of a sum is one sum.
    expect(sexpr(neg(sum(sum(likelihood(z, y), { axis: 1 }))))).toBe(`sum{axes=[0,1]}(${SCE})`);
  });

  it('keeps the broadcast shape of labels and logits', () => {
    const [z, y] = [floats('z', ['batch', 1]), floats('y', ['batch'])];
    const result = stabilized(neg(likelihood(z, y)));
    expect(result.sexpr).toBe(SCE);
    expect(result.node.shape).toEqual(['batch', 'batch']);
  });

  it('does not fire when the two logSigmoids see different logits', () => {
    const [z, w, y] = [floats('z'), floats('w'), floats('y')];
    const loss = neg(add(mul(y, log(sigmoid(z))), mul(sub(1, y), log(sub(1, sigmoid(w))))));
    expect(sexpr(loss)).toBe('neg(add(mul(y, logSigmoid(z)), mul(sub(1, y), logSigmoid(neg(w)))))');
  });

  it('does not fire for int labels', () => {
    // A graph cannot mix int labels into float products (mul checks dtypes); a cast fuses.
    const [z, labels] = [floats('z'), ints('labels')];
    expect(() => mul(labels, log(sigmoid(z)))).toThrow(/dtype/);
    expect(sexpr(neg(likelihood(z, cast(labels, 'float32'))))).toBe('sigmoidCrossEntropyWithLogits(z, cast{dtype=float32}(labels))');
    // The rule itself refuses int labels even in a graph built around the checks.
    const raw = (op: 'mul' | 'add', inputs: Node[]) =>
      new Node({ op, inputs, attrs: {}, shape: ['batch'], dtype: 'float32', name: op, scope: [] });
    const one = constant(1, { dtype: 'int32' });
    const ill = raw('add', [raw('mul', [labels, logSigmoid(z)]), raw('mul', [raw('add', [one, neg(labels)]), logSigmoid(neg(z))])]);
    expect(match(ruleNamed('binary-cross-entropy').pattern, ill)).toBeNull();
    const weighted = ruleNamed('weighted-binary-cross-entropy');
    expect(weighted.guard!(match(weighted.pattern, ill)!)).toBe(false);
  });
});

describe('categorical cross-entropy', () => {
  const z = () => floats('z', ['batch', 3]);
  const labels = () => ints('labels');

  it('one-hot labels end as the sparse op, summed, averaged or gathered', () => {
    const loss = neg(mean(sum(mul(oneHot(labels(), 3), log(softmax(z()))), { axis: -1 })));
    const result = stabilized(loss);
    expect(result.sexpr).toBe('mean{axes=[0]}(sparseSoftmaxCrossEntropyWithLogits(z, labels))');
    expect(result.rules).toEqual(expect.arrayContaining(['categorical-cross-entropy', 'one-hot-cross-entropy-to-sparse']));
    // A sum over every axis keeps the sum over the batch.
    expect(sexpr(neg(sum(mul(oneHot(labels(), 3), log(softmax(z()))))))).toBe('sum{axes=[0]}(sparseSoftmaxCrossEntropyWithLogits(z, labels))');
    // A mean over every axis also divides by the 3 classes.
    expect(sexpr(neg(mean(mul(oneHot(labels(), 3), log(softmax(z()))))))).toBe('div(mean{axes=[0]}(sparseSoftmaxCrossEntropyWithLogits(z, labels)), 3)');
    const picked = gather(log(softmax(z())), labels(), { axis: 1, batchDims: 1 });
    expect(sexpr(neg(mean(picked)))).toBe('mean{axes=[0]}(sparseSoftmaxCrossEntropyWithLogits(z, labels))');
    const z3 = floats('z', [2, 'batch', 4]);
    expect(sexpr(neg(gather(logSoftmax(z3), ints('labels', [2, 'batch']), { axis: 2, batchDims: 2 }))))
      .toBe('sparseSoftmaxCrossEntropyWithLogits(z, labels)');
  });

  it('labels known to sum to 1 give softmaxCrossEntropyWithLogits', () => {
    const t = floats('t', ['batch', 3]);
    expect(sexpr(neg(sum(mul(softmax(t), log(softmax(z()))), { axis: 1 }))))
      .toBe('softmaxCrossEntropyWithLogits{axis=1}(z, softmax{axis=1}(t))');
    const fixed = constant([[0.2, 0.3, 0.5], [1, 0, 0]], { dtype: 'float32', name: 'fixed' });
    expect(sexpr(neg(sum(mul(fixed, log(softmax(floats('z', [2, 3])))), { axis: 1 }))))
      .toBe('softmaxCrossEntropyWithLogits{axis=1}(z, const[2,3])');
    const normalized = div(t, sum(t, { axis: 1, keepDims: true }));
    expect(sexpr(neg(sum(mul(normalized, log(softmax(z()))), { axis: 1 }))))
      .toBe('softmaxCrossEntropyWithLogits{axis=1}(z, div(t, sum{axes=[1], keepDims=true}(t)))');
    // Label smoothing y (1 - a) + a / k with a = 0.3 and k = 3, spelled with constant nodes.
    const a = constant(0.3, { dtype: 'float32', name: 'a' });
    const smoothed = add(mul(oneHot(labels(), 3), sub(1, a)), div(a, 3));
    expect(stabilized(neg(sum(mul(smoothed, log(softmax(z()))), { axis: 1 }))).sexpr)
      .toMatch(/^softmaxCrossEntropyWithLogits\{axis=1\}\(z, add\(mul\(oneHot/);
    // keepDims keeps the class axis as size 1.
    expect(sexpr(neg(sum(mul(softmax(t), logSoftmax(z())), { axis: 1, keepDims: true }))))
      .toBe('expandDims{axis=1}(softmaxCrossEntropyWithLogits{axis=1}(z, softmax{axis=1}(t)))');
  });

  it('labels not known to sum to 1 fuse too: the fused gradient softmax(z) sum(y) - y is exact for any labels', () => {
    const y = floats('y', ['batch', 3]);
    expect(sexpr(neg(sum(mul(y, log(softmax(z()))), { axis: 1 })))).toBe('softmaxCrossEntropyWithLogits{axis=1}(z, y)');
    const off = constant([[0.5, 0.6, 0], [1, 0, 0]], { dtype: 'float32', name: 'off' });
    expect(sexpr(neg(sum(mul(off, logSoftmax(floats('z', [2, 3]))), { axis: 1 })))).toBe('softmaxCrossEntropyWithLogits{axis=1}(z, const[2,3])');
    // 0.5 oneHot + 0.25 sums to 1.25 over 3 classes
    const badSmoothing = add(mul(oneHot(labels(), 3), 0.5), 0.25);
    expect(sexpr(neg(sum(mul(badSmoothing, logSoftmax(z())), { axis: 1 }))))
      .toBe('softmaxCrossEntropyWithLogits{axis=1}(z, add(mul(oneHot{depth=3, dtype=float32}(labels), 0.5), 0.25))');
    // Softmax labels along the other axis do not sum to 1 along the class axis.
    const t = floats('t', [3, 3]);
    expect(sexpr(neg(sum(mul(softmax(t, 0), log(softmax(floats('z', [3, 3]), 1))), { axis: 1 }))))
      .toBe('softmaxCrossEntropyWithLogits{axis=1}(z, softmax{axis=0}(t))');
  });

  it('z = [20, 0, 0], y = [1, 0, 0] fed as an input: the fused gradient keeps -2 e^-20 / (1 + 2 e^-20), and so does the logSoftmax one', () => {
    const e = decimalMath.exp(decimalMath.fromNumber(-20));
    const S = e.mul(2).add(1);
    const exact = [e.mul(-2).div(S), e.div(S), e.div(S)];
    for (const dtype of ['float32', 'float64'] as const) {
      const [zz, yy] = [floats('z', [1, 3], dtype), floats('y', [1, 3], dtype)];
      const loss = neg(sum(mul(yy, log(softmax(zz))), { axis: 1 }));
      const feeds = { z: tensor([[20, 0, 0]], { dtype }), y: tensor([[1, 0, 0]], { dtype }) };
      const want = exact.map((v) => roundToDType(v, dtype));
      const fused = evaluate(prepareTraining({ loss: sum(loss), params: [zz] }).gradients[0]!, feeds).data;
      want.forEach((w, i) => expect(ulpDistance(fused[i]!, w, dtype), `${dtype} [${i}]`).toBeLessThanOrEqual(1));
      // What the rule used to leave for these labels: the graph gradient of -sum(y logSoftmax(z)).
      // It was softmax(z) sum(y) - y as separate ops, which cancelled at the dominant class (over
      // 1000 ULP off); logSoftmax's VJP is now the fused softmaxCrossEntropyGrad of its cotangent.
      const unfused = evaluate(grad(sum(neg(sum(mul(yy, logSoftmax(zz)), { axis: 1 }))), zz), feeds).data;
      want.forEach((w, i) => expect(ulpDistance(unfused[i]!, w, dtype), `${dtype} logSoftmax [${i}]`).toBeLessThanOrEqual(1));
    }
  });

  it('does not fire when the softmax and the sum are on different axes', () => {
    const square = () => floats('z', [3, 3]);
    const hot = () => oneHot(ints('labels', [3]), 3);
    // The one-hot sum over the last axis still picks one entry per row (one-hot-pick), but the
    // log-probabilities are over axis 0, so no cross-entropy is fused.
    expect(sexpr(neg(sum(mul(hot(), log(softmax(square(), 0))), { axis: 1 }))))
      .toBe('neg(gather{axis=1, batchDims=1}(logSoftmax{axis=0}(z), labels))');
    expect(sexpr(neg(sum(mul(hot(), log(softmax(square(), 1))), { axis: 0 }))))
      .toBe('neg(sum{axes=[0]}(mul(oneHot{depth=3, dtype=float32}(labels), logSoftmax{axis=1}(z))))');
  });
});

describe('reduction canonical forms', () => {
  it('merge nested reductions with the right axes', () => {
    const x = floats('x', [2, 3, 4, 5]);
    // Inner over axis 1 (gone), outer over axes 0 and 2 of the result, which are axes 0 and 3 of x.
    expect(sexpr(sum(sum(x, { axis: 1 }), { axis: [0, 2] }))).toBe('sum{axes=[0,1,3]}(x)');
    expect(sexpr(sum(sum(x, { axis: 1, keepDims: true }), { axis: [1, 2], keepDims: true }))).toBe('sum{axes=[1,2], keepDims=true}(x)');
    expect(sexpr(sum(sum(x, { axis: 1, keepDims: true }), { axis: [1, 2] }))).toBe('sum{axes=[1,2]}(x)');
    // Axis 1 would stay as size 1 in the original, and vanish in one sum over [1, 2]: not merged.
    expect(sexpr(sum(sum(x, { axis: 1, keepDims: true }), { axis: 2 }))).toBe('sum{axes=[2]}(sum{axes=[1], keepDims=true}(x))');
    // Axis 3 would stay as size 1 while axis 1 is gone: not merged.
    expect(sexpr(sum(sum(x, { axis: 1 }), { axis: 2, keepDims: true }))).toBe('sum{axes=[2], keepDims=true}(sum{axes=[1]}(x))');
    expect(sexpr(mean(mean(x, { axis: 3 }), { axis: 0 }))).toBe('mean{axes=[0,3]}(x)');
    expect(sexpr(sum(mean(x, { axis: 3 }), { axis: 0 }))).toBe('sum{axes=[0]}(mean{axes=[3]}(x))');
    const a = floats('a', [2, 3]);
    const b = floats('b', [3]);
    // Different shapes or axes: not merged.
    expect(sexpr(add(sum(a, { axis: 0 }), sum(b, { axis: 0 })))).toBe('add(sum{axes=[0]}(a), sum{axes=[0]}(b))');
    expect(sexpr(add(sum(a, { axis: 0 }), mean(floats('c', [2, 3]), { axis: 0 })))).toBe('add(sum{axes=[0]}(a), mean{axes=[0]}(c))');
  });

  // Non-negative data: with cancellation the 60-digit references of the two orders could differ in the last digit.
  test.prop([tensorOf([2, 3, 2], 'float64', { min: 0, max: 1e6 })], propertyParams(20))('merged reductions mean the same', (data) => {
    const x = floats('x', [2, 3, 2], 'float64');
    const cases = [
      sum(sum(x, { axis: 2 }), { axis: [0, 1] }), mean(mean(x, { axis: 1 }), { axis: 1 }),
      mean(mean(x, { axis: [0, 2], keepDims: true }), { axis: [1], keepDims: true }),
      add(mean(x, { axis: 1 }), mean(mul(x, x), { axis: 1 })),
    ];
    for (const original of cases) {
      const merged = rewrite(original, [PHASES[0]!]).graph.outputs[0]!;
      expect(merged.inputs[0]!.op === 'sum' || merged.inputs[0]!.op === 'mean').toBe(false);
      // Same meaning: the exact references agree (the kernels may round differently).
      expect(compareRewrite(original, merged, { x: data }, 8).semanticUlp).toBe(0);
    }
  });
});

// ---------------------------------------------------------------- values

/**
 * Stabilizes `naive` and checks the result on `feeds`: finite where the truth is, within `ulp`
 * of its high-precision reference, and (when `sameMeaning`) equal in meaning to the naive graph,
 * whose own reference is only precise for moderate logits.
 */
function checkValues(naive: Node, feeds: Feeds, ulp: number, expectOp: string, sameMeaning: boolean): void {
  const { node, sexpr: printed } = stabilized(naive);
  expect(printed).toContain(expectOp);
  const c = compareRewrite(naive, node, feeds, ulp);
  expect(c.finite, `not finite: ${JSON.stringify(c.worst)}`).toBe(true);
  expect(c.rewrittenUlp, JSON.stringify(c.worst)).toBeLessThanOrEqual(ulp);
  if (sameMeaning) expect(c.semanticUlp).toBeLessThanOrEqual(ulp);
}

const moderate = (t: Tensor) => Array.from(t.data).every((v) => Math.abs(v) <= 30);
const labelValues = (dtype: FloatDType) => fc.oneof(fc.constantFrom(0, 1), floatOf(dtype, { min: 0, max: 1 }));
const labelTensor = (n: number, dtype: FloatDType) => fc.array(labelValues(dtype), { minLength: n, maxLength: n }).map((v) => tensor(v, { dtype, shape: [n] }));

describe.each(['float32', 'float64'] as const)('values, %s', (dtype) => {
  const ulp = dtype === 'float32' ? 2 : 4;
  // Any magnitude (with the extremes), or only moderate values, where the naive graph's reference is precise enough to compare meanings.
  const logits = (n: number) => fc.oneof(
    tensorOf([n], dtype, { min: dtype === 'float32' ? -3e38 : -1e300, max: dtype === 'float32' ? 3e38 : 1e300 }),
    tensorOf([n], dtype, { min: -30, max: 30 }),
  );

  it('the naive loss overflows where the fused one stays finite', () => {
    const [z, y] = [floats('z', [4], dtype), floats('y', [4], dtype)];
    const naive = neg(likelihood(z, y));
    const big = dtype === 'float32' ? 120 : 800;
    const feeds = { z: tensor([big, -big, 40, -1e4], { dtype }), y: tensor([0, 1, 0, 1], { dtype }) };
    expect(Array.from(evaluate(naive, feeds).data).some((v) => !Number.isFinite(v))).toBe(true);
    const stable = evaluate(stabilized(naive).node, feeds);
    // max(z, 0) - z y + log1p(e^-|z|): the log1p term is below half an ULP of each value.
    expect(Array.from(stable.data)).toEqual([big, big, 40, 1e4]);
  });

  test.prop([logits(4), labelTensor(4, dtype)], propertyParams(40))('binary, elementwise', (zs, ys) => {
    const [z, y] = [floats('z', [4], dtype), floats('y', [4], dtype)];
    checkValues(neg(likelihood(z, y)), { z: zs, y: ys }, ulp, 'sigmoidCrossEntropyWithLogits', moderate(zs));
  });

  test.prop([logits(4), labelTensor(4, dtype), tensorOf([4], dtype, { min: 0, max: 1 })], propertyParams(30))('binary, weighted and averaged', (zs, ys, ws) => {
    const [z, y, w] = [floats('z', [4], dtype), floats('y', [4], dtype), floats('w', [4], dtype)];
    const p = sigmoid(z);
    const naive = neg(mean(add(mul(mul(w, y), log(p)), mul(mul(w, sub(1, y)), log(sub(1, p))))));
    checkValues(naive, { z: zs, y: ys, w: ws }, 2 * ulp, 'sigmoidCrossEntropyWithLogits', moderate(zs));
  });

  test.prop([logitVector(3, dtype, { batch: 2 }), fc.array(labelValues(dtype), { minLength: 6, maxLength: 6 })], propertyParams(30))(
    'multi-label, -mean(sum(..., axis 1))',
    (zs, ys) => {
      const [z, y] = [floats('z', [2, 3], dtype), floats('y', [2, 3], dtype)];
      const naive = neg(mean(sum(likelihood(z, y), { axis: 1 })));
      checkValues(naive, { z: zs, y: tensor(ys, { dtype, shape: [2, 3] }) }, 2 * ulp, 'sum{axes=[1]}(sigmoidCrossEntropyWithLogits(z, y))', moderate(zs));
    },
  );

  test.prop([logitVector(4, dtype, { batch: 3 }), labelsOf(3, 4)], propertyParams(30))('categorical with one-hot labels (sparse)', (zs, ls) => {
    const [z, labels] = [floats('z', [3, 4], dtype), ints('labels', [3])];
    const naive = neg(sum(mul(oneHot(labels, 4, { dtype }), log(softmax(z))), { axis: 1 }));
    checkValues(naive, { z: zs, labels: ls }, ulp, 'sparseSoftmaxCrossEntropyWithLogits', moderate(zs));
  });

  test.prop([logitVector(4, dtype, { batch: 3 }), labelsOf(3, 4)], propertyParams(30))('sparse through gather', (zs, ls) => {
    const [z, labels] = [floats('z', [3, 4], dtype), ints('labels', [3])];
    const naive = neg(gather(log(softmax(z)), labels, { axis: 1, batchDims: 1 }));
    checkValues(naive, { z: zs, labels: ls }, ulp, 'sparseSoftmaxCrossEntropyWithLogits', moderate(zs));
  });

  test.prop([logitVector(3, dtype, { batch: 2 }), tensorOf([2, 3], dtype, { min: 0, max: 2 })], propertyParams(10))(
    'categorical with fed labels that need not sum to 1: loss, and gradient against central differences of the exact loss',
    (zs, ys) => {
      const [z, y] = [floats('z', [2, 3], dtype), floats('y', [2, 3], dtype)];
      const naive = neg(sum(mul(y, log(softmax(z))), { axis: 1 }));
      checkValues(naive, { z: zs, y: ys }, ulp, 'softmaxCrossEntropyWithLogits', moderate(zs));
      // each component within 8 half-ULPs of itself wherever it is a normal number (the fused gradient op's contract)
      const [rtol, atol] = dtype === 'float32' ? [8 * 2 ** -24, 2 ** -126] : [8 * 2 ** -53, 2 ** -1022];
      const report = checkGrad(stabilized(sum(naive)).node, [z], [{ z: zs, y: ys }], { rtol, atol });
      expect(report.ok, JSON.stringify({ ...report.worst, node: report.worst?.node.path })).toBe(true);
    },
  );

  test.prop([logitVector(4, dtype, { batch: 2 }), probabilityVector(4, { dtype, batch: 2 })], propertyParams(30))('categorical with constant soft labels', (zs, ps) => {
    const z = floats('z', [2, 4], dtype);
    const naive = neg(sum(mul(constant(ps, { dtype }), log(softmax(z))), { axis: 1 }));
    checkValues(naive, { z: zs }, ulp, 'softmaxCrossEntropyWithLogits', moderate(zs));
  });
});
