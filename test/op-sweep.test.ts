/**
 * The registry sweep: for every op, on seeded random points,
 * - the kernel's output has the shape the shape rule promised,
 * - the kernel agrees with the op's high-precision reference (float64 and float32),
 * - the VJP agrees with high-precision central differences (checkGrad), and so does the JVP (checkJvp).
 * The table is typed by OpName, so a new op does not compile until it has a case here.
 */
import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import * as sg from '@stablegrad/core';
import type { Node, OpName, Tensor } from '@stablegrad/core';
import { checkGrad, checkJvp, type FloatDType, labelsOf, maxUlp, probabilityVector, propertyParams, referenceEvaluate, tensorOf } from '@stablegrad/testing';

type Feed = readonly [Node, fc.Arbitrary<Tensor>];

interface Built {
  /** The op's output. */
  readonly out: Node;
  /** Inputs and how to draw their values. */
  readonly feeds: readonly Feed[];
  /** Float inputs whose gradient is checked. */
  readonly wrt: readonly Node[];
}

interface SweepCase {
  build(dtype: FloatDType): Built;
  /** Largest ULP distance allowed between kernel and reference in float64 (float32: 2). */
  readonly ulp?: number;
  /**
   * Relative tolerance of the gradient check (default 1e-8). Looser only for VJPs that are
   * composed of several graph ops with cancellation, such as the second derivative of softmax.
   */
  readonly gradRtol?: number;
}

const values = (shape: readonly number[], dtype: FloatDType, min: number, max: number) =>
  tensorOf(shape, dtype, { min, max, extremes: false });

/** An input of `dtype` with values drawn from [min, max]. */
function x(shape: readonly number[], dtype: FloatDType, min = -3, max = 3, name = 'x'): Feed {
  return [sg.input(shape, { dtype, name }), values(shape, dtype, min, max)];
}

/**
 * An input of `dtype` whose values are distinct, 1/8 apart, in a random order: max pooling's
 * winners then never tie, and no finite-difference step moves one past another.
 */
function distinct(shape: readonly number[], dtype: FloatDType, name = 'x'): Feed {
  const size = shape.reduce((a, b) => a * b, 1);
  const order = fc.shuffledSubarray(Array.from({ length: size }, (_, i) => i), { minLength: size, maxLength: size });
  return [sg.input(shape, { dtype, name }), order.map((ks) => sg.tensor(ks.map((k) => (k - size / 2) / 8 + 1 / 16), { dtype, shape: [...shape] }))];
}

function unary(build: (x: Node) => Node, min = -3, max = 3): SweepCase {
  return {
    build: (dtype) => {
      const a = x([2, 3], dtype, min, max);
      return { out: build(a[0]), feeds: [a], wrt: [a[0]] };
    },
  };
}

function binary(build: (a: Node, b: Node) => Node, domainA: [number, number] = [-3, 3], domainB: [number, number] = [-3, 3]): SweepCase {
  return {
    build: (dtype) => {
      // [2, 3] against [3]: every binary op is swept with broadcasting.
      const a = x([2, 3], dtype, domainA[0], domainA[1], 'a');
      const b = x([3], dtype, domainB[0], domainB[1], 'b');
      return { out: build(a[0], b[0]), feeds: [a, b], wrt: [a[0], b[0]] };
    },
  };
}

function comparison(build: (a: Node, b: Node) => Node): SweepCase {
  return {
    build: (dtype) => {
      const a = x([2, 3], dtype, -2, 2, 'a');
      const b = x([3], dtype, -2, 2, 'b');
      return { out: build(a[0], b[0]), feeds: [a, b], wrt: [] };
    },
  };
}

function labels(count: number, classes: number, name = 'labels'): Feed {
  return [sg.input([count], { dtype: 'int32', name }), labelsOf(count, classes)];
}

function probabilities(dtype: FloatDType, name = 'y'): Feed {
  return [sg.input([2, 3], { dtype, name }), probabilityVector(3, { dtype, batch: 2 })];
}

const cases: { readonly [K in OpName]: SweepCase } = {
  input: unary((a) => a),
  param: {
    build: (dtype) => {
      const p = sg.param(sg.tensor([[0.5, -1.25, 2], [3, -0.75, 1]], { dtype }), { name: 'p' });
      return { out: p, feeds: [], wrt: [p] };
    },
  },
  constant: {
    build: (dtype) => {
      const a = x([2, 3], dtype);
      return { out: a[0].add(sg.constant([1.5, -2, 0.25], { dtype })), feeds: [a], wrt: [a[0]] };
    },
  },
  neg: unary(sg.neg),
  abs: unary(sg.abs),
  sign: unary(sg.sign),
  exp: unary(sg.exp, -5, 5),
  log: unary(sg.log, 0.01, 10),
  log1p: unary(sg.log1p, -0.9, 10),
  expm1: unary(sg.expm1, -5, 5),
  sqrt: unary(sg.sqrt, 0.01, 10),
  square: unary(sg.square),
  tanh: unary(sg.tanh),
  sigmoid: unary(sg.sigmoid, -8, 8),
  relu: unary(sg.relu),
  softplus: unary(sg.softplus, -8, 8),
  logSigmoid: unary(sg.logSigmoid, -8, 8),
  log1mexp: unary(sg.log1mexp, -8, -1e-3),
  logaddexp: binary(sg.logaddexp, [-8, 8], [-8, 8]),
  add: binary(sg.add),
  sub: binary(sg.sub),
  mul: binary(sg.mul),
  div: binary(sg.div, [-3, 3], [0.5, 3]),
  pow: binary(sg.pow, [0.1, 4], [-2, 2]),
  maximum: binary(sg.maximum),
  minimum: binary(sg.minimum),
  equal: comparison(sg.equal),
  notEqual: comparison(sg.notEqual),
  less: comparison(sg.less),
  lessEqual: comparison(sg.lessEqual),
  greater: comparison(sg.greater),
  greaterEqual: comparison(sg.greaterEqual),
  where: {
    build: (dtype) => {
      const cond: Feed = [sg.input([2, 3], { dtype: 'int32', name: 'cond' }), tensorOf([2, 3], 'int32', { min: 0, max: 1 })];
      const a = x([2, 3], dtype, -3, 3, 'a');
      const b = x([3], dtype, -3, 3, 'b');
      return { out: sg.where(cond[0], a[0], b[0]), feeds: [cond, a, b], wrt: [a[0], b[0]] };
    },
  },
  // Bounds no generator favours, so no point lands on a kink of clip.
  clip: unary((a) => sg.clip(a, -1.2345678, 1.4142136)),
  cast: {
    build: (dtype) => {
      // float64 -> float32 rounds (compared in float32 ULP); float32 -> float64 is exact.
      const a = x([2, 3], dtype);
      return { out: a[0].cast(dtype === 'float64' ? 'float32' : 'float64'), feeds: [a], wrt: [a[0]] };
    },
  },
  sum: unary((a) => sg.sum(a, { axis: 1 })),
  mean: unary((a) => sg.mean(a, { axis: 0, keepDims: true })),
  max: unary((a) => sg.max(a, { axis: 1 })),
  min: unary((a) => sg.min(a)),
  logsumexp: unary((a) => sg.logsumexp(a, { axis: 1 }), -30, 30),
  matmul: {
    build: (dtype) => {
      const a = x([2, 3], dtype, -2, 2, 'a');
      const b = x([3, 4], dtype, -2, 2, 'b');
      return { out: sg.matmul(a[0], b[0]), feeds: [a, b], wrt: [a[0], b[0]] };
    },
    ulp: 64, // sums of products can cancel; each product and the float64 sum round
  },
  transpose: unary((a) => sg.transpose(a)),
  reshape: unary((a) => sg.reshape(a, [3, -1])),
  broadcastTo: {
    build: (dtype) => {
      const a = x([3], dtype);
      return { out: sg.broadcastTo(a[0], [2, 3]), feeds: [a], wrt: [a[0]] };
    },
  },
  concat: {
    build: (dtype) => {
      const a = x([2, 1], dtype, -3, 3, 'a');
      const b = x([2, 2], dtype, -3, 3, 'b');
      return { out: sg.concat([a[0], b[0]], 1), feeds: [a, b], wrt: [a[0], b[0]] };
    },
  },
  expandDims: unary((a) => sg.expandDims(a, 1)),
  squeeze: {
    build: (dtype) => {
      const a = x([2, 1, 3], dtype);
      return { out: sg.squeeze(a[0], 1), feeds: [a], wrt: [a[0]] };
    },
  },
  sumTo: {
    build: (dtype) => {
      const g = x([2, 3], dtype, -3, 3, 'g');
      const like = x([1, 3], dtype, -3, 3, 'like');
      return { out: sg.sumTo(g[0], like[0]), feeds: [g, like], wrt: [g[0]] };
    },
  },
  broadcastLike: {
    build: (dtype) => {
      const a = x([3], dtype, -3, 3, 'a');
      const like = x([2, 3], dtype, -3, 3, 'like');
      return { out: sg.broadcastLike(a[0], like[0]), feeds: [a, like], wrt: [a[0]] };
    },
  },
  reshapeLike: {
    build: (dtype) => {
      const a = x([2, 3], dtype, -3, 3, 'a');
      const like = x([3, 2], dtype, -3, 3, 'like');
      return { out: sg.reshapeLike(a[0], like[0]), feeds: [a, like], wrt: [a[0]] };
    },
  },
  slice: unary((a) => sg.slice(a, [0, 1], [2, 2])),
  sliceGrad: {
    build: (dtype) => {
      const g = x([2, 2], dtype, -3, 3, 'g');
      const like = x([2, 3], dtype, -3, 3, 'like');
      return { out: sg.sliceGrad(g[0], like[0], [0, 1], [2, 2]), feeds: [g, like], wrt: [g[0]] };
    },
  },
  gatherGrad: {
    build: (dtype) => {
      const g = x([2], dtype, -3, 3, 'g');
      const l = labels(2, 3);
      const like = x([2, 3], dtype, -3, 3, 'like');
      return { out: sg.gatherGrad(g[0], l[0], like[0], { axis: 1, batchDims: 1 }), feeds: [g, l, like], wrt: [g[0]] };
    },
  },
  softmax: unary((a) => sg.softmax(a, 1), -10, 10),
  logSoftmax: unary((a) => sg.logSoftmax(a, 0), -10, 10),
  oneHot: {
    build: () => {
      const l = labels(4, 3);
      return { out: sg.oneHot(l[0], 3, { dtype: 'float64' }), feeds: [l], wrt: [] };
    },
  },
  gather: {
    build: (dtype) => {
      const a = x([2, 3], dtype);
      const l = labels(2, 3);
      return { out: sg.gather(a[0], l[0], { axis: 1, batchDims: 1 }), feeds: [a, l], wrt: [a[0]] };
    },
  },
  sigmoidCrossEntropyWithLogits: {
    build: (dtype) => {
      const z = x([2, 3], dtype, -20, 20, 'z');
      const y = x([3], dtype, 0, 1, 'y');
      return { out: sg.sigmoidCrossEntropyWithLogits(z[0], y[0]), feeds: [z, y], wrt: [z[0], y[0]] };
    },
  },
  softmaxCrossEntropyWithLogits: {
    build: (dtype) => {
      const z = x([2, 3], dtype, -20, 20, 'z');
      const y = probabilities(dtype);
      return { out: sg.softmaxCrossEntropyWithLogits(z[0], y[0], -1), feeds: [z, y], wrt: [z[0], y[0]] };
    },
  },
  sparseSoftmaxCrossEntropyWithLogits: {
    build: (dtype) => {
      const z = x([2, 3], dtype, -20, 20, 'z');
      const l = labels(2, 3);
      return { out: sg.sparseSoftmaxCrossEntropyWithLogits(z[0], l[0]), feeds: [z, l], wrt: [z[0]] };
    },
  },
  sigmoidCrossEntropyGrad: {
    build: (dtype) => {
      const z = x([2, 3], dtype, -20, 20, 'z');
      const y = x([2, 3], dtype, 0, 1, 'y');
      return { out: sg.sigmoidCrossEntropyGrad(z[0], y[0]), feeds: [z, y], wrt: [z[0], y[0]] };
    },
  },
  softmaxCrossEntropyGrad: {
    build: (dtype) => {
      const z = x([2, 3], dtype, -20, 20, 'z');
      const y = probabilities(dtype);
      return { out: sg.softmaxCrossEntropyGrad(z[0], y[0], 1), feeds: [z, y], wrt: [z[0], y[0]] };
    },
    gradRtol: 1e-6,
  },
  sparseSoftmaxCrossEntropyGrad: {
    build: (dtype) => {
      const z = x([2, 3], dtype, -20, 20, 'z');
      const l = labels(2, 3);
      return { out: sg.sparseSoftmaxCrossEntropyGrad(z[0], l[0]), feeds: [z, l], wrt: [z[0]] };
    },
    gradRtol: 1e-6,
  },
  weightedSigmoidCrossEntropyWithLogits: {
    build: (dtype) => {
      const z = x([2, 3], dtype, -20, 20, 'z');
      const y = x([3], dtype, 0, 1, 'y');
      const pw = x([3], dtype, 0.1, 5, 'pw');
      return { out: sg.weightedSigmoidCrossEntropyWithLogits(z[0], y[0], pw[0]), feeds: [z, y, pw], wrt: [z[0], y[0], pw[0]] };
    },
  },
  weightedSigmoidCrossEntropyGrad: {
    build: (dtype) => {
      const z = x([2, 3], dtype, -20, 20, 'z');
      const y = x([2, 3], dtype, 0, 1, 'y');
      const pw = x([3], dtype, 0.1, 5, 'pw');
      return { out: sg.weightedSigmoidCrossEntropyGrad(z[0], y[0], pw[0]), feeds: [z, y, pw], wrt: [z[0], y[0], pw[0]] };
    },
  },
  rsqrt: unary(sg.rsqrt, 0.01, 10),
  variance: unary((a) => sg.variance(a, { axis: 1 })),
  // Convolutions and pooling on small odd sizes with strides, dilations and both paddings.
  // Positive values: no cancellation, so the float64 sums stay within a few ULP of exact.
  conv2d: {
    build: (dtype) => {
      const a = x([2, 5, 4, 2], dtype, 0.25, 2, 'x');
      const f = x([3, 2, 2, 3], dtype, 0.25, 2, 'filter');
      return { out: sg.conv2d(a[0], f[0], { strides: [2, 1], padding: 'same', dilations: [1, 2] }), feeds: [a, f], wrt: [a[0], f[0]] };
    },
    ulp: 16,
  },
  conv2dBackpropInput: {
    build: (dtype) => {
      const dy = x([2, 3, 4, 3], dtype, 0.25, 2, 'dy');
      const f = x([3, 2, 2, 3], dtype, 0.25, 2, 'filter');
      const like = x([2, 5, 4, 2], dtype, -1, 1, 'like');
      return { out: sg.conv2dBackpropInput(dy[0], f[0], like[0], { strides: [2, 1], padding: 'same', dilations: [1, 2] }), feeds: [dy, f, like], wrt: [dy[0], f[0]] };
    },
    ulp: 16,
  },
  conv2dBackpropFilter: {
    build: (dtype) => {
      const a = x([2, 5, 4, 2], dtype, 0.25, 2, 'x');
      const dy = x([2, 2, 2, 3], dtype, 0.25, 2, 'dy');
      const like = x([3, 2, 2, 3], dtype, -1, 1, 'like');
      return { out: sg.conv2dBackpropFilter(a[0], dy[0], like[0], { strides: 2, padding: 'valid' }), feeds: [a, dy, like], wrt: [a[0], dy[0]] };
    },
    ulp: 16,
  },
  maxPool2d: {
    build: (dtype) => {
      const a = distinct([2, 5, 4, 2], dtype);
      return { out: sg.maxPool2d(a[0], { poolSize: [3, 2], strides: [2, 1], padding: 'same' }), feeds: [a], wrt: [a[0]] };
    },
  },
  maxPool2dGrad: {
    build: (dtype) => {
      const dy = x([2, 3, 4, 2], dtype, -3, 3, 'dy');
      const a = distinct([2, 5, 4, 2], dtype);
      return { out: sg.maxPool2dGrad(dy[0], a[0], { poolSize: [3, 2], strides: [2, 1], padding: 'same' }), feeds: [dy, a], wrt: [dy[0]] };
    },
  },
  maxPool2dGradGrad: {
    build: (dtype) => {
      const g = x([2, 5, 4, 2], dtype, -3, 3, 'g');
      const a = distinct([2, 5, 4, 2], dtype);
      return { out: sg.maxPool2dGradGrad(g[0], a[0], { poolSize: 2, strides: 1, padding: 'valid' }), feeds: [g, a], wrt: [g[0]] };
    },
  },
  avgPool2d: {
    build: (dtype) => {
      const a = x([2, 5, 4, 2], dtype, 0.25, 2);
      return { out: sg.avgPool2d(a[0], { poolSize: [3, 2], strides: [2, 1], padding: 'same' }), feeds: [a], wrt: [a[0]] };
    },
  },
  avgPool2dGrad: {
    build: (dtype) => {
      const dy = x([2, 2, 2, 2], dtype, 0.25, 2, 'dy');
      const like = x([2, 5, 4, 2], dtype, -1, 1, 'like');
      return { out: sg.avgPool2dGrad(dy[0], like[0], { poolSize: 2, padding: 'valid' }), feeds: [dy, like], wrt: [dy[0]] };
    },
  },
};

/** Draws one set of feeds for a built case. */
function drawFeeds(built: Built, seed: number): Map<Node, Tensor>[] {
  const { numRuns } = propertyParams(4);
  const arb = fc.tuple(...built.feeds.map(([, a]) => a));
  return fc.sample(arb, { numRuns, seed }).map((tensors) => new Map(built.feeds.map(([node], i) => [node, tensors[i]!])));
}

/** Weights that make the scalar `sum(out * w)` sensitive to every output element. */
function weighted(out: Node): Node {
  const size = out.shape.reduce<number>((n, d) => n * (d as number), 1);
  const w = Array.from({ length: size }, (_, i) => ((i * 7) % 11) / 4 - 1.125);
  return sg.sum(out.mul(sg.constant(sg.tensor(w, { shape: out.shape as number[], dtype: out.dtype }))));
}

const opNames = Object.keys(sg.registry) as OpName[];

describe('op registry sweep', () => {
  it('has a case for every op and every op is registered under its own name', () => {
    expect(Object.keys(cases).sort()).toEqual([...opNames].sort());
    for (const name of opNames) expect(sg.opDef(name).name).toBe(name);
  });

  describe.each(opNames)('%s', (name) => {
    const sweep = cases[name];
    const { seed } = propertyParams();

    it.each(['float64', 'float32'] as const)('kernel matches shape rule and reference (%s)', (dtype) => {
      const built = sweep.build(dtype);
      const allowed = dtype === 'float64' ? (sweep.ulp ?? 4) : Math.min(sweep.ulp ?? 2, 2 ** 20);
      for (const feeds of drawFeeds(built, seed)) {
        const value = sg.evaluate(built.out, feeds);
        expect(value.shape).toEqual(built.out.shape);
        expect(value.dtype).toBe(built.out.dtype);
        const ref = referenceEvaluate(built.out, feeds);
        expect(ref.shape).toEqual(value.shape);
        const { maxUlp: err, index } = maxUlp(value.data, ref.values, value.dtype);
        expect(err, `${name} ${dtype}: element ${index} is ${value.data[index]}, reference ${ref.values[index]}`).toBeLessThanOrEqual(allowed);
      }
    });

    it('VJP matches high-precision central differences (float64)', () => {
      const built = sweep.build('float64');
      if (built.wrt.length === 0) {
        // Integer-valued ops and integer inputs carry no gradient: the VJP gives null for each input.
        const out = built.out;
        const cotangent = sg.constant(0, { dtype: out.dtype });
        const grads = sg.opDef(out.op).vjp({ inputs: out.inputs, output: out, attrs: out.attrs, cotangent });
        expect(grads.length).toBe(out.inputs.length);
        expect(grads.every((g) => g === null)).toBe(true);
        return;
      }
      const report = checkGrad(weighted(built.out), built.wrt, drawFeeds(built, seed + 1), { rtol: sweep.gradRtol ?? 1e-8 });
      expect(report.ok, `${name}: ${JSON.stringify({ ...report.worst, node: report.worst?.node.path })}`).toBe(true);
      expect(report.checked).toBeGreaterThan(0);
    });

    // Ops whose output carries no derivative (comparisons, int results) have nothing to move along.
    if (sweep.build('float64').wrt.length > 0) {
      it('JVP matches high-precision central differences (float64)', () => {
        const built = sweep.build('float64');
        // The VJP test's points: kinks (relu at 0, ties of max) are avoided there, and the JVP,
        // as the VJP's transpose, makes the same choice at them.
        const report = checkJvp(weighted(built.out), built.wrt, drawFeeds(built, seed + 1), { rtol: sweep.gradRtol ?? 1e-8 });
        expect(report.ok, `${name}: ${JSON.stringify({ ...report.worst, node: report.worst?.node.path })}`).toBe(true);
        expect(report.checked).toBeGreaterThan(0);
      });
    }
  });
});
