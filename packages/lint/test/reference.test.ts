// The lint's reference (double-double, with the decimal fallback where it cannot be trusted)
// against decimal.js at 100 digits, node by node: every true value, rounded to its dtype, must be
// the same. The inputs stay where 100 digits are enough for the graph (no cancellation deeper
// than 60 digits), so the decimal reference is the truth there.
import { describe, expect, it } from 'vitest';
import {
  add, div, type DType, exp, input, log, logsumexp, matmul, mul, type Node, pow, sigmoid, softmax, sqrt, sub, sum, tanh, type Tensor,
  topoSort,
} from '@stablegrad/core';
import { createDecimalMath, createMixedPrecisionMath, type Decimal, exactDecimalMath, referenceEvaluate } from '@stablegrad/testing';
import { trueValues } from '../src/reference.js';
import { sampleTensor, seededRandom } from '../src/sampling.js';
import { createDoubleDoubleMath } from '../src/dd-math.js';

const D100 = createDecimalMath(100);

// 100 digits see exp(1e-300) as 1: tiny inputs (other than 0) become 1/4.
function awayFromZero(t: Tensor): Tensor {
  return { ...t, data: t.data.map((x) => (x !== 0 && Math.abs(x) < 1e-30 ? 0.25 : x)) };
}

function nearTie(exact: Decimal, a: number, b: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const E = exactDecimalMath;
  const middle = E.div(E.add(E.fromNumber(a), E.fromNumber(b)), E.fromNumber(2));
  return E.abs(E.sub(new E.Decimal(exact), middle)).lte(E.abs(middle).mul(1e-90));
}
const FALLBACK = createMixedPrecisionMath(30);

interface Case {
  readonly name: string;
  readonly build: (dtype: DType) => { output: Node; ranges: Map<Node, readonly [number, number]> };
}

const v = (name: string, dtype: DType, shape: number[] = [3]): Node => input(shape, { dtype, name });
const cases: readonly Case[] = [
  { name: 'tanh, sigmoid and products', build: (d) => { const x = v('x', d); return { output: mul(tanh(x), sigmoid(mul(x, 3))), ranges: new Map([[x, [-40, 40]]]) }; } },
  { name: 'log(1 + x^2) and exp(x) - 1', build: (d) => { const x = v('x', d); return { output: add(log(add(1, mul(x, x))), sub(exp(x), 1)), ranges: new Map([[x, [-30, 30]]]) }; } },
  { name: 'softmax and logsumexp', build: (d) => { const x = v('x', d, [2, 4]); return { output: add(softmax(x), logsumexp(x, { axis: -1, keepDims: true })), ranges: new Map([[x, [-200, 200]]]) }; } },
  { name: 'sqrt(x^2 + 1) - x', build: (d) => { const x = v('x', d); return { output: sub(sqrt(add(mul(x, x), 1)), x), ranges: new Map([[x, [-1e12, 1e12]]]) }; } },
  { name: '(1 + a) - (1 - a)', build: (d) => { const a = v('a', d); return { output: sub(add(1, a), sub(1, a)), ranges: new Map([[a, [1e-40, 1]]]) }; } },
  { name: 'matmul, division, powers', build: (d) => {
    const a = v('a', d, [2, 3]);
    const b = v('b', d, [3, 2]);
    return { output: div(sum(pow(matmul(a, b), 3)), add(1, sum(mul(a, a)))), ranges: new Map([[a, [-20, 20]], [b, [-20, 20]]]) };
  } },
];

describe('the lint reference agrees with 100-digit decimal arithmetic', () => {
  for (const { name, build } of cases) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${name} (${dtype}), 60 samples, every node`, () => {
        const { output, ranges } = build(dtype);
        const nodes = topoSort([output]);
        const random = seededRandom(11);
        let compared = 0;
        for (let s = 0; s < 60; s++) {
          const feeds = new Map<Node, Tensor>([...ranges].map(([x, range]) => [x, awayFromZero(sampleTensor(dtype, x.shape as number[], range, random))]));
          const want = referenceEvaluate(nodes, feeds, { math: D100 });
          const got = trueValues(nodes, feeds, FALLBACK).values;
          nodes.forEach((node, i) => {
            const mine = got.get(node)!.values;
            want[i]!.values.forEach((w, k) => {
              const g = mine[k]!;
              // 100 digits cannot round a value that lies exactly halfway between two floats
              // (3 x can): disagreement is allowed only there, a tie to 90 digits.
              const tie = g !== w && nearTie(want[i]!.exact[k]!, g, w);
              if (!tie) expect(g, `${node}[${k}] in sample ${s}: ${want[i]!.exact[k]!.toString()}`).toBe(w);
              compared++;
            });
          });
        }
        expect(compared).toBeGreaterThan(60 * nodes.length);
      });
    }
  }
});

describe('double-double knows when it cannot be trusted', () => {
  const M = createDoubleDoubleMath();
  const n = (x: number): readonly [number, number] => M.fromNumber(x);
  const check = (what: string, f: () => unknown, unreliable: boolean): void => {
    it(`${what}: ${unreliable ? 'unreliable' : 'trusted'}`, () => {
      M.reset();
      f();
      expect(M.unreliable).toBe(unreliable);
    });
  };
  check('1 + 1e-20 - 1 (cancels 66 bits)', () => M.sub(M.add(n(1), n(1e-20)), n(1)), true);
  check('1 + 1e-10 - 1 (cancels 33 bits)', () => M.sub(M.add(n(1), n(1e-10)), n(1)), false);
  check('x - x exactly', () => M.sub(n(0.3), n(0.3)), false);
  check('1e200 * 1e200 (overflow), then sqrt', () => M.sqrt(M.mul(n(1e200), n(1e200))), true);
  check('1e200 * 1e200 (overflow), times 2 (stays out of range)', () => M.mul(M.mul(n(1e200), n(1e200)), n(2)), false);
  check('1e-200 * 1e-200 (underflow), then log', () => M.log(M.mul(n(1e-200), n(1e-200))), true);
  check('1e-200 * 1e-200 (underflow), times 1e300 (back in range)', () => M.mul(M.mul(n(1e-200), n(1e-200)), n(1e300)), true);
  check('1e-200 * 1e-200 (underflow), plus 1', () => M.add(M.mul(n(1e-200), n(1e-200)), n(1)), false);
  check('underflow times underflow (stays tiny)', () => M.mul(M.mul(n(1e-200), n(1e-200)), M.mul(n(1e-200), n(1e-200))), false);
  check('underflow times overflow (anything)', () => M.mul(M.mul(n(1e-200), n(1e-200)), M.mul(n(1e200), n(1e200))), true);
  check('0 + underflow (all tiny: nothing to expose)', () => M.add(n(0), M.mul(n(1e-200), n(1e-200))), false);
  check('(1 + underflow) - 1 (exposes it)', () => M.sub(M.add(n(1), M.mul(n(1e-200), n(1e-200))), n(1)), true);
  check('exp(800), then log', () => M.log(M.exp(n(800))), true);
  check('exp(3), log, sqrt, division', () => M.div(M.sqrt(M.log(M.exp(n(3)))), n(7)), false);
});
