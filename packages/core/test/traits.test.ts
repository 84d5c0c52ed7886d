// Op traits are declared on the definitions, and other packages act on them (the rewrite matcher
// tries both orders of a commutative op, the compiled backend shares a view's buffer, rules see
// through movement ops, ...). Each trait must agree with what the op visibly does on a sample
// node, so a new op that forgets a trait (or claims a wrong one) fails here. The sample table is
// typed by OpName: a new op does not compile until it has a sample.
import { describe, expect, it } from 'vitest';
import * as core from '@stablegrad/core';
import {
  constant, evaluate, hasTrait, input, isElementwise, type Node, OP_NAMES, type OpName, opDef, opsWith, type OpTrait, tensor,
} from '@stablegrad/core';
import { referenceEvaluate } from '@stablegrad/testing';

const x = input([2, 3], { dtype: 'float64', name: 'x' });
const y = input([2, 3], { dtype: 'float64', name: 'y' });
const w = input([2, 3], { dtype: 'float64', name: 'w' });
const row = input([3], { dtype: 'float64', name: 'row' });
const labels = input([2], { dtype: 'int32', name: 'labels' });
const square = input([3, 3], { dtype: 'float64', name: 'square' });
const kernel = input([2, 2, 1, 2], { dtype: 'float64', name: 'kernel' });
/** x as one NHWC image [1, 2, 3, 1], and the pooling windows of its rows' neighbours. */
const image = core.reshape(x, [1, 2, 3, 1]);
const pairs = { poolSize: [1, 2], strides: 1 } as const;

/** One node of every op, with x (or the op's first input) in its first place. */
const SAMPLES = {
  input: () => x,
  param: () => core.param(tensor([1.5, -2.25], { dtype: 'float64' })),
  constant: () => constant(tensor([1.5, -2.25], { dtype: 'float64' }), { dtype: 'float64' }),
  neg: () => core.neg(x), abs: () => core.abs(x), sign: () => core.sign(x), exp: () => core.exp(x), log: () => core.log(x),
  log1p: () => core.log1p(x), expm1: () => core.expm1(x), sqrt: () => core.sqrt(x), square: () => core.square(x),
  tanh: () => core.tanh(x), sigmoid: () => core.sigmoid(x), relu: () => core.relu(x), softplus: () => core.softplus(x),
  logSigmoid: () => core.logSigmoid(x), log1mexp: () => core.log1mexp(x), logaddexp: () => core.logaddexp(x, y),
  add: () => core.add(x, y), sub: () => core.sub(x, y), mul: () => core.mul(x, y), div: () => core.div(x, y), pow: () => core.pow(x, y),
  maximum: () => core.maximum(x, y), minimum: () => core.minimum(x, y), equal: () => core.equal(x, y), notEqual: () => core.notEqual(x, y),
  less: () => core.less(x, y), lessEqual: () => core.lessEqual(x, y), greater: () => core.greater(x, y), greaterEqual: () => core.greaterEqual(x, y),
  where: () => core.where(core.less(x, y), x, y), clip: () => core.clip(x, -1, 1), cast: () => core.cast(x, 'float32'),
  sum: () => core.sum(x, { axis: 1 }), mean: () => core.mean(x, { axis: 1 }), max: () => core.max(x, { axis: 1 }), min: () => core.min(x, { axis: 1 }),
  logsumexp: () => core.logsumexp(x, { axis: 1 }), matmul: () => core.matmul(x, square), transpose: () => core.transpose(x),
  reshape: () => core.reshape(x, [3, 2]), broadcastTo: () => core.broadcastTo(row, [2, 3]), concat: () => core.concat([x, y], 0),
  expandDims: () => core.expandDims(x, 0), squeeze: () => core.squeeze(core.expandDims(x, 0), 0), sumTo: () => core.sumTo(x, row),
  broadcastLike: () => core.broadcastLike(row, x), softmax: () => core.softmax(x), logSoftmax: () => core.logSoftmax(x),
  oneHot: () => core.oneHot(labels, 3), gather: () => core.gather(x, labels, { axis: 1 }),
  gatherGrad: () => core.gatherGrad(core.gather(x, labels, { axis: 1 }), labels, x, { axis: 1, batchDims: 0 }),
  reshapeLike: () => core.reshapeLike(core.reshape(x, [3, 2]), x), slice: () => core.slice(x, [0, 1], [2, 2]),
  sliceGrad: () => core.sliceGrad(core.slice(x, [0, 1], [2, 2]), x, [0, 1], [2, 2]),
  sigmoidCrossEntropyWithLogits: () => core.sigmoidCrossEntropyWithLogits(x, y),
  softmaxCrossEntropyWithLogits: () => core.softmaxCrossEntropyWithLogits(x, y),
  sparseSoftmaxCrossEntropyWithLogits: () => core.sparseSoftmaxCrossEntropyWithLogits(x, labels),
  sigmoidCrossEntropyGrad: () => core.sigmoidCrossEntropyGrad(x, y),
  softmaxCrossEntropyGrad: () => core.softmaxCrossEntropyGrad(x, y),
  sparseSoftmaxCrossEntropyGrad: () => core.sparseSoftmaxCrossEntropyGrad(x, labels),
  weightedSigmoidCrossEntropyWithLogits: () => core.weightedSigmoidCrossEntropyWithLogits(x, y, w),
  weightedSigmoidCrossEntropyGrad: () => core.weightedSigmoidCrossEntropyGrad(x, y, w),
  rsqrt: () => core.rsqrt(x), variance: () => core.variance(x, { axis: 1 }),
  conv2d: () => core.conv2d(image, kernel, { padding: 'same' }),
  conv2dBackpropInput: () => core.conv2dBackpropInput(core.conv2d(image, kernel, { padding: 'same' }), kernel, image, { padding: 'same' }),
  conv2dBackpropFilter: () => core.conv2dBackpropFilter(image, core.conv2d(image, kernel, { padding: 'same' }), kernel, { padding: 'same' }),
  maxPool2d: () => core.maxPool2d(image, pairs),
  maxPool2dGrad: () => core.maxPool2dGrad(core.maxPool2d(image, pairs), image, pairs),
  maxPool2dGradGrad: () => core.maxPool2dGradGrad(image, image, pairs),
  avgPool2d: () => core.avgPool2d(image, pairs),
  avgPool2dGrad: () => core.avgPool2dGrad(core.avgPool2d(image, pairs), image, pairs),
} satisfies { readonly [K in OpName]: () => Node };

/** Distinct, non-integer values of both signs, exact in float32, none of them 0 or +-1. */
const first = [-1.25, 2.5, -3.75, 4.125, 5.5, -6.0625];
const second = [7.25, -8.5, 9.75, -10.125, 11.5, -12.0625];

function feedsFor(node: Node, xValues: readonly number[]): Map<Node, core.Tensor> {
  const all: [Node, core.Tensor][] = [
    [x, tensor(xValues, { dtype: 'float64', shape: [2, 3] })],
    [y, tensor([0.5, 0.25, 0.125, 0.75, 0.375, 0.625], { dtype: 'float64', shape: [2, 3] })],
    [w, tensor([2, 3, 0.5, 1, 4, 0.25], { dtype: 'float64', shape: [2, 3] })],
    [row, tensor(xValues.slice(0, 3), { dtype: 'float64' })],
    [labels, tensor([2, 0], { dtype: 'int32' })],
    [square, tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { dtype: 'float64', shape: [3, 3] })],
    [kernel, tensor([0.5, -1.5, 2.25, 0.75, -0.25, 1.25, 3.5, -2], { dtype: 'float64', shape: [2, 2, 1, 2] })],
  ];
  const used = new Set(core.topoSort([node]));
  return new Map(all.filter(([n]) => used.has(n)));
}

/** The data of `node`'s first input and of node itself, for the x values given. */
function run(node: Node, xValues: readonly number[]): { from: Float64Array; out: ArrayLike<number> } {
  const source = node.inputs[0]!;
  const [from, out] = evaluate([source, node], feedsFor(node, xValues));
  return { from: Float64Array.from(from!.data), out: out!.data };
}

/**
 * Where each output element comes from in the first input, when every output element is one of
 * its elements chosen by position alone (the same positions for two unrelated inputs); else null.
 */
function positionsOf(node: Node): number[] | null {
  if (node.inputs.length === 0 || node.inputs[0]!.dtype !== node.dtype) return null;
  const a = run(node, first);
  const b = run(node, second);
  const positions: number[] = [];
  for (let i = 0; i < a.out.length; i++) {
    const at = a.from.indexOf(a.out[i]!);
    if (at < 0 || !Object.is(b.out[i], b.from[at])) return null;
    positions.push(at);
  }
  return positions;
}

/** Whether swapping the two inputs gives the same bits, on values with ties, signs, zeros, infinities and NaN. */
function swapsExactly(name: OpName): boolean {
  const def = opDef(name);
  if (def.arity !== 2 || def.elementwise === undefined) return false;
  const values = [-2, -0.5, 0, -0, 1, 3.5, Infinity, -Infinity, NaN, 1e300, -1e-300];
  return values.every((a) => values.every((b) => Object.is(def.elementwise!.scalar(a, b), def.elementwise!.scalar(b, a))));
}

function comparesFloats(name: OpName): boolean {
  const def = opDef(name);
  if (def.arity !== 2) return false;
  const floatScalar = { shape: [] as number[], dtype: 'float32' as const };
  try {
    return def.infer([floatScalar, floatScalar], {}).dtype === 'int32';
  } catch {
    return false;
  }
}

describe('op traits', () => {
  describe.each([...OP_NAMES])('%s', (name) => {
    const node = SAMPLES[name]();

    it('builds its sample', () => {
      expect(node.op).toBe(name);
    });

    it('declares source, commutative, comparison, reduction and the fused-loss traits exactly when it has them', () => {
      const def = opDef(name);
      expect(hasTrait(name, 'source'), 'source: no inputs').toBe(def.arity === 0);
      expect(hasTrait(name, 'commutative'), 'commutative: its inputs swap bit for bit').toBe(swapsExactly(name));
      expect(hasTrait(name, 'comparison'), 'comparison: two floats in, int32 0/1 out').toBe(comparesFloats(name));
      expect(hasTrait(name, 'reduction'), 'reduction: reduces over axes with keepDims').toBe('axes' in def.attrs && 'keepDims' in def.attrs);
      expect(hasTrait(name, 'fusedLoss'), 'fusedLoss: a cross-entropy on logits').toBe(name.endsWith('CrossEntropyWithLogits'));
      expect(hasTrait(name, 'fusedLossGrad'), 'fusedLossGrad: the fused gradient of one').toBe(name.endsWith('CrossEntropyGrad'));
      if (hasTrait(name, 'comparison')) expect(isElementwise(name), 'a comparison is elementwise').toBe(true);
    });

    it('declares movement and view exactly when its output is its first input\'s elements chosen by position', () => {
      const positions = hasTrait(name, 'source') ? null : positionsOf(node);
      expect(hasTrait(name, 'movement'), `movement: positions ${JSON.stringify(positions)}`).toBe(positions !== null);
      const identity = positions !== null && positions.length === sizeOfFirst(node) && positions.every((p, i) => p === i);
      expect(hasTrait(name, 'view'), 'view: the same elements in the same order').toBe(identity);
    });

    it('is finite wherever its exact value rounds to a finite float, if it claims to be a stable form', () => {
      if (!hasTrait(name, 'stable')) return;
      const feeds = feedsFor(node, [-1000, 1000, -50, 50, -1e-10, 1e-10]);
      const [out] = evaluate([node], feeds);
      const exact = referenceEvaluate(node, feeds).values;
      for (let i = 0; i < exact.length; i++) {
        if (Number.isFinite(exact[i])) expect(Number.isFinite(out!.data[i]), `${name} element ${i}: ${out!.data[i]}, exactly ${exact[i]}`).toBe(true);
      }
    });

    it('is a logarithm only if it is a unary log-something', () => {
      if (!hasTrait(name, 'logarithm')) return;
      expect(name.startsWith('log')).toBe(true);
      expect(opDef(name).arity).toBe(1);
    });
  });

  it('derives each group from the definitions, in registry order', () => {
    const traits: OpTrait[] = ['source', 'commutative', 'comparison', 'reduction', 'view', 'movement', 'logarithm', 'stable', 'fusedLoss', 'fusedLossGrad'];
    for (const trait of traits) expect(opsWith(trait)).toEqual(OP_NAMES.filter((name) => opDef(name).traits?.includes(trait)));
    expect(opsWith('source')).toEqual(['input', 'param', 'constant']);
  });

  it('is false for names that are not ops', () => {
    expect(hasTrait('nope', 'reduction')).toBe(false);
    expect(isElementwise('nope')).toBe(false);
  });
});

function sizeOfFirst(node: Node): number {
  return node.inputs[0]!.shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
}
