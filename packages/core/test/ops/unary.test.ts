// Elementwise unary ops: edge cases against hand math, dtype rules, and seeded properties that
// each float kernel (and each op's `reference`) agrees with decimal.js, plus gradient checks.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  abs, DTypeError, type DType, evaluate, exp, expm1, grad, input, log, log1p, logSigmoid, neg, type Node,
  relu, scope, sigmoid, sign, softplus, sqrt, square, tanh,
} from '@stablegrad/core';
import {
  assertGradClose, createDecimalMath, type Decimal, propertyParams, referenceEvaluate, toDecimal, ulpDistance,
} from '@stablegrad/testing';
import { log1pDec } from './op-check.js';

// ---------------------------------------------------------------- helpers

/** decimal.js at 80 digits: the oracles below never lose more than ~20 of them. */
const D = createDecimalMath(80).Decimal;

/** The float64 x exactly, as a decimal of D. */
const dec = (x: number): Decimal => toDecimal(x, D);

/** e^x - 1, keeping all digits of a tiny x (hand series: the next term is x^3/6). */
function expm1Dec(x: Decimal): Decimal {
  return x.abs().lt('1e-25') ? x.add(x.mul(x).div(2)) : x.exp().sub(1);
}

/** log(1 + e^x); beyond |x| = 1000 the correction e^-|x| is below 1e-434 and cannot show. */
function softplusDec(x: number): Decimal {
  if (x > 1000) return dec(x);
  if (x < -1000) return new D(0);
  const t = dec(x);
  return x > 0 ? t.add(log1pDec(t.neg().exp())) : log1pDec(t.exp());
}

/** tanh: decimal.js's own for |x| <= 1/2, 1 - 2/(e^2x + 1) above (no cancellation there). */
function tanhDec(x: number): Decimal {
  if (Math.abs(x) > 50) return new D(Math.sign(x)); // 1 - tanh(50) = 2e-87 or so
  const t = dec(x);
  if (Math.abs(x) <= 0.5) return t.abs().lt('1e-25') ? t.sub(t.pow(3).div(3)) : t.tanh();
  const y = new D(1).sub(new D(2).div(t.abs().mul(2).exp().add(1)));
  return x < 0 ? y.neg() : y;
}

/** Runs `build` on a rank-1 input of `dtype` fed with `values`. */
function run(build: (x: Node) => Node, values: readonly number[], dtype: DType = 'float64'): number[] {
  const x = input([values.length], { dtype, name: 'x' });
  const y = build(x);
  expect(y.dtype).toBe(dtype);
  return Array.from(evaluate(y, { x: values }).data);
}

/** Runs the op's `reference` on one float64 value at 60 digits (the testing kit's reference evaluator). */
function reference(build: (x: Node) => Node, value: number): number {
  return referenceEvaluate(build(input([1], { dtype: 'float64', name: 'x' })), { x: [value] }).values[0]!;
}

/** d build(x) / dx at one float64 point, through `grad`. */
function derivative(build: (x: Node) => Node, value: number): number {
  const x = input([], { dtype: 'float64', name: 'x' });
  return evaluate(grad(build(x), x), { x: value }).data[0]!;
}

function scalar(build: (x: Node) => Node, value: number): number {
  return run(build, [value])[0]!;
}

// ---------------------------------------------------------------- edge cases

describe('edge cases against hand math (float64)', () => {
  it('neg, abs, sign, square, relu are exact and keep signed zeros where they should', () => {
    expect(run(neg, [1.5, -2, 0, -0])).toEqual([-1.5, 2, -0, 0]);
    expect(Object.is(scalar(neg, 0), -0)).toBe(true);
    expect(run(abs, [-3, 3, -0, -Infinity])).toEqual([3, 3, 0, Infinity]);
    expect(Object.is(scalar(abs, -0), 0)).toBe(true);
    expect(run(sign, [-5, 0, 7, -1e-320, Infinity])).toEqual([-1, 0, 1, -1, 1]);
    expect(Object.is(scalar(sign, -0), -0)).toBe(true);
    expect(scalar(sign, NaN)).toBeNaN();
    expect(run(square, [3, -0.5, 1e200])).toEqual([9, 0.25, Infinity]);
    expect(run(relu, [-3, 2.5, -Infinity, Infinity])).toEqual([0, 2.5, 0, Infinity]);
    expect(Object.is(scalar(relu, -0), 0)).toBe(true); // max(-0, 0) is +0
    expect(scalar(relu, NaN)).toBeNaN();
  });

  it('references of the exact ops agree with the kernels, signed zeros and NaN included', () => {
    for (const build of [neg, abs, sign, square, relu]) {
      for (const v of [-2.5, -0, 0, 3, 1e-310, -Infinity, NaN]) {
        const want = scalar(build, v);
        const got = reference(build, v);
        expect(Number.isNaN(got) ? 'NaN' : Object.is(got, -0) ? '-0' : got, `${build.name}(${v})`).toEqual(
          Number.isNaN(want) ? 'NaN' : Object.is(want, -0) ? '-0' : want);
      }
    }
  });

  it('log, log1p, expm1, sqrt at the ends of their domains', () => {
    expect(run(log, [1, 0, -1, Infinity])).toEqual([0, -Infinity, NaN, Infinity]);
    expect(scalar(log, Math.E)).toBe(1);
    // log1p(x) = x - x^2/2 + ...: x^2/2 = 5e-41 is far below half an ULP of 1e-20
    expect(run(log1p, [1e-20, -1e-300, 5e-324, -1, -2])).toEqual([1e-20, -1e-300, 5e-324, -Infinity, NaN]);
    expect(Object.is(scalar(log1p, -0), -0)).toBe(true);
    expect(run(expm1, [1e-20, -1e-300, 0, -Infinity, 800])).toEqual([1e-20, -1e-300, 0, -1, Infinity]);
    // e^-40 = 4.2e-18 is below half an ULP of 1 (1.1e-16)
    expect(scalar(expm1, -40)).toBe(-1);
    expect(run(sqrt, [4, 2, 0, Infinity])).toEqual([2, Math.SQRT2, 0, Infinity]);
    expect(Object.is(scalar(sqrt, -0), -0)).toBe(true);
    expect(scalar(sqrt, -1)).toBeNaN();
  });

  it('tanh is odd, linear near 0 and saturates exactly', () => {
    expect(run(tanh, [0, 1e-300, -1e-300, 20, -20, 1e300, -Infinity])).toEqual([0, 1e-300, -1e-300, 1, -1, 1, -1]);
    expect(Object.is(scalar(tanh, -0), -0)).toBe(true);
  });

  it('sigmoid is finite for every finite x and keeps its left tail', () => {
    expect(scalar(sigmoid, 0)).toBe(0.5);
    // sigmoid(-700) = e^-700 / (1 + e^-700) = e^-700 (1 - 1e-304): e^-700 to within an ULP
    const s700 = scalar(sigmoid, -700);
    expect(s700).toBeGreaterThan(0);
    expect(ulpDistance(s700, Math.exp(-700))).toBeLessThanOrEqual(1);
    // e^-800 = 3.7e-348 is below the smallest subnormal (4.9e-324): the correctly rounded value is +0
    expect(Object.is(scalar(sigmoid, -800), 0)).toBe(true);
    expect(run(sigmoid, [-1e300, 1e300, 40, -Infinity, Infinity])).toEqual([0, 1, 1, 0, 1]);
    expect(scalar(sigmoid, NaN)).toBeNaN();
    // float32: e^-100 = 3.7e-44 is a float32 subnormal, still above 0
    const f32 = run(sigmoid, [-100, 100], 'float32');
    expect(f32[0]).toBeGreaterThan(0);
    expect(f32[1]).toBe(1);
  });

  it('softplus and logSigmoid are finite and exact-looking at the extremes', () => {
    // softplus(x) = x + log1p(e^-x): e^-1e300 underflows, so the result is x itself
    expect(run(softplus, [1e300, -1e300, 0, 40, -800, Infinity, -Infinity])).toEqual([1e300, 0, Math.LN2, 40, 0, Infinity, 0]);
    expect(ulpDistance(scalar(softplus, -700), Math.exp(-700))).toBeLessThanOrEqual(1); // log1p(y) = y(1 - y/2)
    expect(scalar(softplus, 1e-20)).toBe(Math.LN2); // log 2 + x/2: x/2 is below half an ULP
    expect(run(logSigmoid, [-1e300, 0, -40, -Infinity])).toEqual([-1e300, -Math.LN2, -40, -Infinity]);
    // logSigmoid(40) = -log1p(e^-40) = -e^-40 (1 - e^-40/2): -e^-40 to within an ULP
    expect(ulpDistance(scalar(logSigmoid, 40), -Math.exp(-40))).toBeLessThanOrEqual(1);
    expect(scalar(logSigmoid, 1e300)).toBe(0);
    expect(scalar(softplus, NaN)).toBeNaN();
    expect(scalar(logSigmoid, NaN)).toBeNaN();
  });
});

// ---------------------------------------------------------------- dtypes

describe('dtypes', () => {
  const floatOnly: [string, (x: Node) => Node][] = [
    ['exp', exp], ['log', log], ['log1p', log1p], ['expm1', expm1], ['sqrt', sqrt], ['tanh', tanh],
    ['sigmoid', sigmoid], ['softplus', softplus], ['logSigmoid', logSigmoid],
  ];
  it.each(floatOnly)('%s of an int32 input throws a DTypeError naming the node', (name, build) => {
    const k = input([2], { dtype: 'int32', name: 'k' });
    const attempt = (): Node => scope('layer', () => build(k));
    expect(attempt).toThrow(DTypeError);
    expect(attempt).toThrow(`${name} 'layer/${name}'`);
    expect(attempt).toThrow(/int32/);
  });

  it('neg, abs, sign, square and relu accept int32 and keep it', () => {
    expect(run(neg, [-3, 0, 2147483647], 'int32')).toEqual([3, 0, -2147483647]);
    expect(run(neg, [-2147483648], 'int32')).toEqual([-2147483648]); // two's complement wraps
    expect(run(abs, [-3, 4, 0], 'int32')).toEqual([3, 4, 0]);
    expect(run(sign, [-4, 0, 9], 'int32')).toEqual([-1, 0, 1]);
    // 46341^2 = 2147488281 = 2^31 + 4633 wraps to -2^31 + 4633
    expect(run(square, [-7, 46341, 65536], 'int32')).toEqual([49, -2147479015, 0]);
    expect(run(relu, [-2, 0, 5], 'int32')).toEqual([0, 0, 5]);
  });

  it('float32 outputs are the float64 results rounded once', () => {
    const xs = [0.1, -3.7, 12.5];
    expect(run(sigmoid, xs, 'float32')).toEqual(xs.map((v) => Math.fround(1 / (1 + Math.exp(-Math.fround(v))))));
  });
});

// ---------------------------------------------------------------- accuracy properties

const anyDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
const moderate = fc.double({ min: -60, max: 60, noNaN: true });
const nearZero = fc.double({ min: -1e-6, max: 1e-6, noNaN: true });
const doubles = fc.oneof(anyDouble, moderate, nearZero);
const positive = doubles.map(Math.abs);

interface FloatCase {
  readonly name: string;
  readonly build: (x: Node) => Node;
  readonly inputs: fc.Arbitrary<number>;
  /** The exact value, by an independent route (decimal.js built-ins and identities). */
  readonly exact: (x: number) => Decimal;
  /** Allowed float64 error of the kernel. */
  readonly ulps: number;
}

const cases: FloatCase[] = [
  { name: 'log', build: log, inputs: positive, exact: (x) => dec(x).ln(), ulps: 1 },
  {
    name: 'log1p', build: log1p, inputs: fc.oneof(doubles.filter((x) => x > -1), fc.double({ min: -1, max: -0.5, noNaN: true })),
    exact: (x) => log1pDec(dec(x)), ulps: 1,
  },
  { name: 'expm1', build: expm1, inputs: fc.oneof(doubles.filter((x) => x < 1e4), fc.double({ min: -800, max: 800, noNaN: true })), exact: (x) => expm1Dec(dec(x)), ulps: 1 },
  { name: 'sqrt', build: sqrt, inputs: positive, exact: (x) => dec(x).sqrt(), ulps: 0 },
  { name: 'tanh', build: tanh, inputs: doubles, exact: tanhDec, ulps: 1 },
  {
    name: 'sigmoid', build: sigmoid, inputs: fc.oneof(doubles, fc.double({ min: -800, max: 40, noNaN: true })),
    exact: (x) => (Math.abs(x) > 1e4 ? new D(x > 0 ? 1 : 0) : new D(1).div(dec(x).neg().exp().add(1))), ulps: 3,
  },
  { name: 'softplus', build: softplus, inputs: fc.oneof(doubles, fc.double({ min: -800, max: 800, noNaN: true })), exact: softplusDec, ulps: 3 },
  {
    name: 'logSigmoid', build: logSigmoid, inputs: fc.oneof(doubles, fc.double({ min: -800, max: 800, noNaN: true })),
    exact: (x) => softplusDec(-x).neg(), ulps: 3,
  },
];

describe.each(cases)('$name agrees with decimal.js', ({ build, inputs, exact, ulps: allowed }) => {
  const params = propertyParams();

  test.prop([inputs], params)(`float64 kernel within ${allowed} ULP`, (x) => {
    const want = exact(x).toNumber();
    expect(ulpDistance(scalar(build, x), want), `x = ${x}, want ${want}`).toBeLessThanOrEqual(allowed);
  });

  test.prop([inputs.map(Math.fround).filter(Number.isFinite)], params)('float32 kernel within 1 ULP', (x) => {
    const want = Math.fround(exact(x).toNumber());
    expect(ulpDistance(run(build, [x], 'float32')[0]!, want, 'float32'), `x = ${x}, want ${want}`).toBeLessThanOrEqual(1);
  });

  test.prop([inputs], params)('reference rounds to the exact value', (x) => {
    expect(ulpDistance(reference(build, x), exact(x).toNumber()), `x = ${x}`).toBe(0);
  });
});

// ---------------------------------------------------------------- gradients

describe('VJPs', () => {
  const all: [string, (x: Node) => Node, readonly number[]][] = [
    ['neg', neg, [-3, -0.7, 0.3, 1.5, 4]],
    ['abs', abs, [-3, -0.7, 0.3, 1.5, 4]],
    ['sign', sign, [-3, -0.7, 0.3, 1.5, 4]],
    ['log', log, [0.3, 1.5, 4]],
    ['log1p', log1p, [-0.7, 0.3, 1.5, 4]],
    ['expm1', expm1, [-3, -0.7, 0.3, 1.5, 4]],
    ['sqrt', sqrt, [0.3, 1.5, 4]],
    ['square', square, [-3, -0.7, 0.3, 1.5, 4]],
    ['tanh', tanh, [-3, -0.7, 0.3, 1.5, 4]],
    ['sigmoid', sigmoid, [-3, -0.7, 0.3, 1.5, 4]],
    ['relu', relu, [-3, -0.7, 0.3, 1.5, 4]],
    ['softplus', softplus, [-3, -0.7, 0.3, 1.5, 4]],
    ['logSigmoid', logSigmoid, [-3, -0.7, 0.3, 1.5, 4]],
  ];
  it.each(all)('%s matches central finite differences', (_name, build, points) => {
    const x = input([], { dtype: 'float64', name: 'x' });
    assertGradClose(build(x), [x], points.map((v) => ({ x: v })));
  });

  it('stay accurate where the textbook forms cancel or underflow', () => {
    const s = (x: number): Decimal => new D(1).div(dec(-x).exp().add(1)); // sigmoid, exactly
    const sPrime = (x: number): number => s(x).mul(s(-x)).toNumber();
    // 1 - tanh(x)^2 with tanh(20) rounded to 1 would be 0; the true value is 4 s(40) s(-40)
    expect(ulpDistance(derivative(tanh, 20), 4 * sPrime(40))).toBeLessThanOrEqual(4);
    expect(ulpDistance(derivative(tanh, -20), 4 * sPrime(40))).toBeLessThanOrEqual(4);
    // s (1 - s) with s = sigmoid(40) rounded to 1 would be 0
    expect(ulpDistance(derivative(sigmoid, 40), sPrime(40))).toBeLessThanOrEqual(4);
    expect(ulpDistance(derivative(sigmoid, -700), sPrime(-700))).toBeLessThanOrEqual(4);
    // expm1(-40) rounds to -1, so output + 1 would be 0; e^-40 is the derivative
    expect(ulpDistance(derivative(expm1, -40), Math.exp(-40))).toBeLessThanOrEqual(1);
    expect(ulpDistance(derivative(softplus, -700), s(-700).toNumber())).toBeLessThanOrEqual(4);
    expect(ulpDistance(derivative(logSigmoid, 40), s(-40).toNumber())).toBeLessThanOrEqual(4);
    expect(derivative(log1p, 1e-20)).toBe(1);
  });

  it('take the conventional values at kinks', () => {
    expect(derivative(relu, 0)).toBe(0);
    expect(derivative(relu, -0)).toBe(0);
    expect(derivative(relu, 2)).toBe(1);
    expect(derivative(abs, 0)).toBe(0);
    expect(derivative(abs, -2)).toBe(-1);
    expect(derivative(sign, 0)).toBe(0);
    expect(derivative(neg, 5)).toBe(-1);
    expect(derivative(square, 3)).toBe(6);
    expect(derivative(sqrt, 4)).toBe(0.25);
  });
});
