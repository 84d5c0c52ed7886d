// Seeded property tests: float64 kernels against decimal.js at 60 digits, and each op's
// `reference` (run on decimal.js) against its kernel.
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { evaluate, input, type Node, type Tensor, where } from '@stablegrad/core';
import { decimalMath as M60, type DecimalMath, exactDecimalMath as MExact, propertyParams, referenceEvaluate, ulpDistance } from '@stablegrad/testing';

const params = propertyParams();
const f64 = { dtype: 'float64' } as const;

/** Runs `build(a, b)` on float64 vectors fed as `a` and `b`. */
function run(build: (a: Node, b: Node) => Node, a: number[], b: number[]): number[] {
  const [x, y] = [input([a.length], { ...f64, name: 'a' }), input([b.length], { ...f64, name: 'b' })];
  return Array.from(evaluate(build(x, y), { a, b }).data);
}

/** a / b rounded once to float64 (exact decimal quotient; ties in the subnormal range resolved). */
const exactQuotient = (a: number, b: number): number => MExact.toNumber(MExact.div(MExact.fromNumber(a), MExact.fromNumber(b)));

const pairs = (left: fc.Arbitrary<number>, right: fc.Arbitrary<number>) =>
  fc.array(fc.tuple(left, right), { minLength: 1, maxLength: 8 }).map((ps) => [ps.map((p) => p[0]), ps.map((p) => p[1])] as const);

describe('div and pow in float64 against decimal.js', () => {
  const anyFinite = fc.double({ noNaN: true, noDefaultInfinity: true });
  const nonZero = anyFinite.filter((v) => v !== 0);

  test.prop([pairs(anyFinite, nonZero)], params)('div is correctly rounded (0 ULP), overflow and underflow included', ([a, b]) => {
    const out = run((x, y) => x.div(y), a, b);
    out.forEach((v, i) => expect(ulpDistance(v, exactQuotient(a[i]!, b[i]!))).toBe(0));
  });

  // Bases spread over many binades, exponents where the result stays a normal float64.
  const base = fc.double({ min: 1e-30, max: 1e30, noNaN: true });
  const exponent = fc.double({ min: -9, max: 9, noNaN: true });
  const normalResult = (a: number, b: number): boolean => Math.abs(b * Math.log2(a)) < 1000;

  test.prop([pairs(base, exponent).filter(([a, b]) => a.every((v, i) => normalResult(v, b[i]!)))], params)(
    'pow of a positive base is within 2 ULP',
    ([a, b]) => {
      const out = run((x, y) => x.pow(y), a, b);
      out.forEach((v, i) => expect(ulpDistance(v, M60.toNumber(M60.pow(M60.fromNumber(a[i]!), M60.fromNumber(b[i]!))))).toBeLessThanOrEqual(2));
    },
  );

  test.prop([pairs(fc.double({ min: -100, max: 100, noNaN: true }), fc.integer({ min: -40, max: 40 }))], params)(
    'pow of any finite base with an integer exponent is within 2 ULP and has the right sign',
    ([a, b]) => {
      const out = run((x, y) => x.pow(y), a, b);
      out.forEach((v, i) => {
        const want = M60.toNumber(M60.pow(M60.fromNumber(a[i]!), M60.fromNumber(b[i]!)));
        if (!Number.isFinite(want)) return; // 0^-k
        expect(ulpDistance(v, want)).toBeLessThanOrEqual(2);
      });
    },
  );
});

// ------------------------------------------------------------- reference vs kernel sweep

/** Evaluates the node on the fed values with the kernel, and with the references on decimal.js (rounded to the dtype). */
function kernelAndReference(node: Node, feeds: Map<Node, Tensor>, M: DecimalMath): { kernel: number[]; reference: readonly number[] } {
  return { kernel: Array.from(evaluate(node, feeds).data), reference: referenceEvaluate(node, feeds, { math: M }).values };
}

const special = fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1, -1, 2.5, -2.5, 3);
const element = fc.oneof(special, fc.double(), fc.integer({ min: -5, max: 5 }));
// Broadcast-compatible shape pairs, and an op to apply.
const shapes = fc.constantFrom<[number[], number[]]>([[3], [3]], [[2, 3], [3]], [[2, 1], [1, 4]], [[], [2, 2]], [[3, 1, 2], [2]]);
const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);

const binaryBuilders: Record<string, { build: (a: Node, b: Node) => Node; ulps: number; finitePositive?: boolean }> = {
  sub: { build: (a, b) => a.sub(b), ulps: 0 },
  mul: { build: (a, b) => a.mul(b), ulps: 0 },
  div: { build: (a, b) => a.div(b), ulps: 0 },
  pow: { build: (a, b) => a.pow(b), ulps: 2, finitePositive: true },
  maximum: { build: (a, b) => a.maximum(b), ulps: 0 },
  minimum: { build: (a, b) => a.minimum(b), ulps: 0 },
  equal: { build: (a, b) => a.equal(b), ulps: 0 },
  notEqual: { build: (a, b) => a.notEqual(b), ulps: 0 },
  less: { build: (a, b) => a.less(b), ulps: 0 },
  lessEqual: { build: (a, b) => a.lessEqual(b), ulps: 0 },
  greater: { build: (a, b) => a.greater(b), ulps: 0 },
  greaterEqual: { build: (a, b) => a.greaterEqual(b), ulps: 0 },
  where: { build: (a, b) => where(a, a, b), ulps: 0 }, // a float condition: NaN and -0 included
  clip: { build: (a) => a.clip(-2, 3), ulps: 0 },
  castInt32: { build: (a) => a.cast('int32'), ulps: 0 },
  castFloat32: { build: (a) => a.cast('float32'), ulps: 0 },
};

describe('each op\'s reference agrees with its kernel', () => {
  for (const [name, { build, ulps, finitePositive }] of Object.entries(binaryBuilders)) {
    const positive = fc.double({ min: 1e-3, max: 1e3, noNaN: true });
    const el = finitePositive === true ? positive : element;
    const arb = shapes.chain(([sa, sb]) =>
      fc.tuple(fc.constant([sa, sb] as const), fc.array(el, { minLength: size(sa), maxLength: size(sa) }),
        fc.array(finitePositive === true ? fc.double({ min: -5, max: 5, noNaN: true }) : element, { minLength: size(sb), maxLength: size(sb) })));
    test.prop([arb], params)(`${name} (float64, with NaN, +-Infinity, +-0)`, ([[sa, sb], av, bv]) => {
      const a = input(sa, { ...f64, name: 'a' });
      const b = input(sb, { ...f64, name: 'b' });
      const node = build(a, b);
      const feeds = new Map<Node, Tensor>([
        [a, { dtype: 'float64', shape: sa, data: Float64Array.from(av) }],
        [b, { dtype: 'float64', shape: sb, data: Float64Array.from(bv) }],
      ]);
      // pow is transcendental: 60 digits; the others are exact at 2000 digits, ties included
      const { kernel, reference } = kernelAndReference(node, feeds, name === 'pow' ? M60 : MExact);
      kernel.forEach((k, i) => expect(ulpDistance(k, reference[i]!), `${name} element ${i}: kernel ${k}, reference ${reference[i]}`).toBeLessThanOrEqual(ulps));
    });
  }
});
