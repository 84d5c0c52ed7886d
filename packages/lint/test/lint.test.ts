// The stability lint against graphs whose weak spot is known from numerical analysis: each is
// flagged, with the blame on the op that loses the digits (not on everything downstream), and
// the fixable ones come out clean after stabilize. Graphs built from the fused, stable ops (and
// their gradients) raise no flag. The bits reported for the worst point are recomputed
// independently at 2000 digits.
import { describe, expect, it } from 'vitest';
import {
  add, type DType, exp, expm1, grad, input, log, log1p, logaddexp, logSigmoid, logSoftmax, logsumexp, mean, mul, neg, type Node,
  sigmoid, sigmoidCrossEntropyWithLogits, softmax, softmaxCrossEntropyWithLogits, softplus, sparseSoftmaxCrossEntropyWithLogits, sqrt,
  sub, sum, weightedSigmoidCrossEntropyWithLogits,
} from '@stablegrad/core';
import { formatLint, lint, type LintReport, LintError, lintToJSON } from '@stablegrad/lint';
import { bitsOfError, exactDecimalMath as M, roundToDType, toDecimal } from '@stablegrad/testing';

const SAMPLES = 150;

function scalar(name: string, dtype: DType = 'float64'): Node {
  return input([], { dtype, name });
}

function worstFirst(report: LintReport): Node {
  expect(report.flagged.length).toBeGreaterThan(0);
  return report.flagged[0]!.node;
}

describe('known fragile graphs are flagged, with the blame on the right node', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: (1 + a) - (1 - a) blames the outer subtraction, for small |a|`, () => {
      const a = scalar('a', dtype);
      const outer = sub(add(1, a), sub(1, a));
      const report = lint(outer, { samples: SAMPLES });
      expect(worstFirst(report)).toBe(outer);
      expect(report.flagged).toHaveLength(1);
      expect(report.flagged[0]!.region?.condition).toMatch(/\|a\| < /);
    });

    it(`${dtype}: log(1 + x) blames the log, and stabilize fixes it (log1p)`, () => {
      const x = scalar('x', dtype);
      const y = log(add(1, x));
      const report = lint(y, { samples: SAMPLES });
      expect(worstFirst(report)).toBe(y);
      expect(report.flagged[0]!.stabilize).toBe('fixed');
      expect(report.stabilized?.clean).toBe(true);
    });

    it(`${dtype}: exp(x) - 1 blames the subtraction, and stabilize fixes it (expm1)`, () => {
      const x = scalar('x', dtype);
      const y = sub(exp(x), 1);
      const report = lint(y, { samples: SAMPLES });
      expect(worstFirst(report)).toBe(y);
      expect(report.flagged.map((n) => n.node)).not.toContain(y.inputs[0]);
      expect(report.flagged[0]!.stabilize).toBe('fixed');
    });
  }

  it('sqrt(x^2 + 1) - x blames the subtraction first, where x is large and positive', () => {
    const x = scalar('x');
    const y = sub(sqrt(add(mul(x, x), 1)), x);
    const report = lint(y, { samples: SAMPLES });
    expect(worstFirst(report)).toBe(y);
    expect(report.flagged[0]!.region?.condition).toMatch(/^x > /);
  });

  it('E[x^2] - E[x]^2 blames the subtraction first', () => {
    const x = input([8], { dtype: 'float64', name: 'x' });
    const y = sub(mean(mul(x, x)), mul(mean(x), mean(x)));
    const report = lint(y, { samples: SAMPLES });
    expect(worstFirst(report)).toBe(y);
  });

  it('naive binary cross-entropy: 1 - p where z is large, log(1 - p) where z is very negative; stabilize fixes both', () => {
    const z = input(['batch'], { dtype: 'float64', name: 'z' });
    const y = input(['batch'], { dtype: 'float64', name: 'y' });
    const p = sigmoid(z);
    const oneMinusP = sub(1, p);
    const logOneMinusP = log(oneMinusP);
    const loss = mean(neg(add(mul(y, log(p)), mul(sub(1, y), logOneMinusP))));
    const report = lint({ loss }, { samples: SAMPLES, ranges: { y: [0, 1] } });
    const flagged = report.flagged.map((n) => n.node);
    expect(flagged).toContain(oneMinusP);
    expect(flagged).toContain(logOneMinusP);
    // Blame is local: the sums and products downstream carry the error but do not cause it.
    expect(flagged).not.toContain(loss);
    const region = report.flagged.find((n) => n.node === oneMinusP)!.region!.condition;
    const match = /([-\d.e]+) < z|z > ([-\d.e]+)/.exec(region);
    const bound = Number(match?.[1] ?? match?.[2]);
    // sigmoid(z) rounds to 1 past 36.7; half the bits of 1 - p are gone from about z = 22.
    expect(bound).toBeGreaterThan(15);
    expect(bound).toBeLessThan(37);
    expect(report.flagged.every((n) => n.stabilize === 'fixed')).toBe(true);
    expect(report.stabilized?.clean).toBe(true);
  });

  it('naive softmax cross-entropy blames log(softmax); stabilize fixes it', () => {
    const z = input(['batch', 4], { dtype: 'float64', name: 'z' });
    const y = input(['batch', 4], { dtype: 'float64', name: 'y' });
    const logP = log(softmax(z));
    const loss = mean(neg(sum(mul(y, logP), { axis: -1 })));
    const report = lint({ loss }, { samples: SAMPLES, ranges: { y: [0, 1] } });
    expect(worstFirst(report)).toBe(logP);
    expect(report.stabilized?.clean).toBe(true);
  });
});

describe('no false alarms on the stable ops and their gradients', () => {
  const z = (shape: readonly (number | string)[], dtype: DType): Node => input([...shape], { dtype, name: 'z' });
  const cases: readonly { name: string; build: (dtype: DType) => { y: Node; wrt: Node } }[] = [
    { name: 'sigmoidCrossEntropyWithLogits', build: (d) => { const x = z(['batch'], d); return { y: sigmoidCrossEntropyWithLogits(x, input(['batch'], { dtype: d, name: 'y' })).sum(), wrt: x }; } },
    { name: 'softmaxCrossEntropyWithLogits', build: (d) => { const x = z(['batch', 3], d); return { y: softmaxCrossEntropyWithLogits(x, input(['batch', 3], { dtype: d, name: 'y' })).sum(), wrt: x }; } },
    { name: 'sparseSoftmaxCrossEntropyWithLogits', build: (d) => { const x = z(['batch', 3], d); return { y: sparseSoftmaxCrossEntropyWithLogits(x, input(['batch'], { dtype: 'int32', name: 'label' })).sum(), wrt: x }; } },
    { name: 'weightedSigmoidCrossEntropyWithLogits', build: (d) => { const x = z(['batch'], d); return { y: weightedSigmoidCrossEntropyWithLogits(x, input(['batch'], { dtype: d, name: 'y' }), input(['batch'], { dtype: d, name: 'w' })).sum(), wrt: x }; } },
    { name: 'logSigmoid', build: (d) => { const x = z(['batch'], d); return { y: logSigmoid(x).sum(), wrt: x }; } },
    { name: 'softplus', build: (d) => { const x = z(['batch'], d); return { y: softplus(x).sum(), wrt: x }; } },
    { name: 'logSoftmax', build: (d) => { const x = z(['batch', 3], d); return { y: logSoftmax(x).sum(), wrt: x }; } },
    { name: 'logsumexp', build: (d) => { const x = z(['batch', 3], d); return { y: logsumexp(x, { axis: -1 }).sum(), wrt: x }; } },
    { name: 'log1p', build: (d) => { const x = z(['batch'], d); return { y: log1p(x).sum(), wrt: x }; } },
    { name: 'expm1', build: (d) => { const x = z(['batch'], d); return { y: expm1(x).sum(), wrt: x }; } },
    { name: 'logaddexp', build: (d) => { const x = z(['batch'], d); return { y: logaddexp(x, input(['batch'], { dtype: d, name: 'b' })).sum(), wrt: x }; } },
  ];
  for (const { name, build } of cases) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${name} ${dtype}: the op alone and its gradient graph`, () => {
        const { y, wrt } = build(dtype);
        // The sum over the batch is part of the graph: positive terms, no cancellation.
        const op = y.inputs[0]!;
        // The positive weight of the weighted loss: [0, 100]; the other inputs from their domains.
        const ranges = name.startsWith('weighted') ? { w: [0, 100] as const } : {};
        const forward = lint(op, { samples: 80, stabilize: false, ranges });
        expect(forward.flagged.map((n) => `${n.node.op} ${n.local.mean.toFixed(2)} ${n.region?.condition}`)).toEqual([]);
        const gradient = lint(grad(y, wrt), { samples: 80, stabilize: false, ranges });
        expect(gradient.flagged.map((n) => `${n.node.op} ${n.local.mean.toFixed(2)} ${n.region?.condition}`)).toEqual([]);
      });
    }
  }
});

describe('the bits reported agree with an independent computation', () => {
  it('the worst point of 1 - sigmoid(z), recomputed at 2000 digits', () => {
    const z = scalar('z');
    const y = sub(1, sigmoid(z));
    const report = lint(y, { samples: SAMPLES, stabilize: false });
    const worst = report.flagged[0]!.worst!;
    const at = toDecimal(worst.at['z']!, M.Decimal);
    const p = M.div(M.fromNumber(1), M.add(M.fromNumber(1), M.exp(M.neg(at))));
    // Local error: the op (1 - .) on its exact input rounded once, against the exact result.
    const alone = 1 - roundToDType(p, 'float64');
    const exact = roundToDType(M.sub(M.fromNumber(1), p), 'float64');
    expect(worst.exact).toBe(exact);
    expect(worst.bits).toBeCloseTo(Math.min(bitsOfError(alone, exact, 'float64'), 64), 9);
    expect(worst.bits).toBeGreaterThan(32);
  });
});

describe('reports', () => {
  it('are deterministic for a seed and change with it', () => {
    const x = scalar('x');
    const y = sub(exp(x), 1);
    const strip = (r: LintReport): unknown => ({ ...lintToJSON(r), elapsedMs: 0 });
    expect(strip(lint(y, { samples: 60, seed: 3 }))).toEqual(strip(lint(y, { samples: 60, seed: 3 })));
    expect(strip(lint(y, { samples: 60, seed: 3 }))).not.toEqual(strip(lint(y, { samples: 60, seed: 4 })));
  });

  it('print a table naming the flagged node, where, and what stabilize does', () => {
    const x = scalar('x');
    const y = log(add(1, x));
    const text = formatLint(lint(y, { samples: 60 }));
    expect(text).toMatch(/1 of 2 nodes flagged/);
    expect(text).toMatch(/!\s+log\s+log\s+[\d.]+ \/ [\d.]+/);
    expect(text).toMatch(/\|x\| < /);
    expect(text).toMatch(/fixes it/);
    expect(text).toMatch(/stabilize: rules /);
  });

  it('as JSON: plain data that survives JSON.stringify (infinities as strings)', () => {
    const z = scalar('z');
    const report = lint(log(sigmoid(z)), { samples: 60 });
    const json = JSON.parse(JSON.stringify(lintToJSON(report))) as ReturnType<typeof lintToJSON>;
    expect(json.flagged).toEqual(report.flagged.map((n) => n.node.path));
    expect(json.nodes.map((n) => n.op)).toEqual(['sigmoid', 'log']);
    expect(json.stabilized?.clean).toBe(true);
  });

  it('use given points (rows of a data set) instead of drawn samples', () => {
    const x = scalar('x');
    const y = sub(exp(x), 1);
    const points = [1e-20, 2e-30, 3].map((v) => ({ x: v }));
    const report = lint(y, { points, stabilize: false });
    expect(report.samples).toBe(3);
    // Two of three points lose every bit.
    expect(report.nodes.at(-1)!.lostHalfShare).toBeCloseTo(2 / 3, 9);
  });
});

describe('bad options are typed errors naming the option', () => {
  const x = scalar('x');
  const bad: readonly [string, object, RegExp][] = [
    ['samples 0', { samples: 0 }, /samples must be a whole number >= 1/],
    ['samples 1.5', { samples: 1.5 }, /samples must be a whole number/],
    ['threshold', { threshold: -1 }, /threshold must be a number of bits/],
    ['range order', { ranges: { x: [2, 1] } }, /ranges\.x must be \[min, max\]/],
    ['range NaN', { ranges: { x: [Number.NaN, 1] } }, /ranges\.x/],
    ['unknown option', { sample: 3 }, /unknown option 'sample'/],
    ['digits', { digits: 5 }, /digits must be a whole number in \[20, 200\]/],
    ['dims', { dims: { batch: 0 } }, /dims\.batch/],
    ['stabilize', { stabilize: 'yes' }, /stabilize must be true, false or a function/],
  ];
  for (const [name, options, message] of bad) {
    it(name, () => {
      expect(() => lint(log(x), options)).toThrow(LintError);
      expect(() => lint(log(x), options)).toThrow(message);
    });
  }

  it('a graph with no real-valued sample says to declare ranges', () => {
    const y = log(neg(add(mul(x, x), 1)));
    expect(() => lint(y, { samples: 5 })).toThrow(/declare input ranges.*x: \[min, max\]/);
  });
});
