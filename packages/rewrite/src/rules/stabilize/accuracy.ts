/**
 * Accuracy rules: forms that lose digits to rounding become the functions made for them
 * (`log(1 + x) -> log1p(x)`, `exp(x) - 1 -> expm1(x)`, `log(1 + exp(x)) -> softplus(x)`), and
 * differences whose terms cancel are simplified before any number is computed
 * (`(c + a) - (c - a) -> 2a`, `(a + b) - a -> b`): `(1 + 1e-4) - (1 - 1e-4)` is not `2e-4` in
 * floating point, but `2 * 1e-4` is.
 * Patterns see the canonical forms: `a - b` arrives as `add(a, neg(b))`, `log1p(x)` as
 * `log(add(1, x))`. These rules come last in the stabilize phase, after the families that look
 * for `log(1 - p)` of a probability. Constant folding runs later, in simplify, so the
 * cancellation rules still see `1 + 1e-4` as a sum.
 * @module
 */
import { add, constant, exp, expm1, input, log, log1p, mul, neg, type Node, softplus, sub } from '@stablegrad/core';
import { bind, c, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { broadcastFits, keepsShape, sameValue } from '../_guards.js';

const x = v('x');
const one = bind('one', c(1));
const named = (name: string): Node => input([3], { name });
const float64 = (value: number): Node => constant(value, { dtype: 'float64' });
// Examples that use each of two inputs more than once.
const two = (first: string, second: string, f: (a: Node, b: Node) => Node): Node => f(named(first), named(second));

/** log(1 + exp(x)) -> softplus(x). */
export const logOnePlusExp = rule({
  name: 'log-one-plus-exp',
  doc: 'log(1 + exp(x)) is softplus(x), finite where exp(x) overflows and exact where exp(x) is below 1 ULP of 1',
  // log(1 + e^x) = softplus(x) = max(x, 0) + log1p(e^-|x|)
  pattern: P.log(P.add(one, P.exp(x))),
  guard: (m) => keepsShape(m.x, m.$root, [m.one]),
  replace: (m) => softplus(m.x),
  examples: [
    { before: () => log(add(1, exp(named('x')))), after: 'softplus(x)' },
    { before: () => log1p(exp(named('x'))), after: 'softplus(x)' },
  ],
});

/** log(1 + x) -> log1p(x). */
export const logOnePlus = rule({
  name: 'log-one-plus',
  doc: 'log(1 + x) is log1p(x), which keeps the digits of a small x that 1 + x rounds away',
  // log(1 + x) = log1p(x); for |x| < 1 ULP of 1, 1 + x is 1 and log gives 0 instead of ~x
  pattern: P.log(P.add(one, x)),
  // Not 1 - sigmoid(z) (fresh from a rule's replacement, not yet rewritten): the next pass makes
  // it sigmoid(-z), whose log is logSigmoid(-z), finite where log1p(-sigmoid(z)) is -Infinity.
  guard: (m) => keepsShape(m.x, m.$root, [m.one]) && !(m.x.op === 'neg' && m.x.inputs[0]!.op === 'sigmoid'),
  replace: (m) => log1p(m.x),
  examples: [
    { before: () => log(add(named('x'), 1)), after: 'log1p(x)' },
    { before: () => log1p(named('x')), after: 'log1p(x)' },
    { before: () => log(sub(1, named('x'))), after: 'log1p(neg(x))' },
  ],
});

/** exp(x) - 1 -> expm1(x), with the 1 subtracted (canonical `add(exp(x), neg(1))`). */
export const expMinusOne = rule({
  name: 'exp-minus-one',
  doc: 'exp(x) - 1 is expm1(x), which keeps the digits of a small x that exp(x) - 1 cancels away',
  // e^x - 1 = expm1(x); for small x, e^x rounds near 1 and the difference keeps only its error
  pattern: P.add(P.exp(x), P.neg(one)),
  guard: (m) => keepsShape(m.x, m.$root, [m.one]),
  replace: (m) => expm1(m.x),
  examples: [{ before: () => sub(exp(named('x')), 1), after: 'expm1(x)' }],
});

/** exp(x) + (-1) -> expm1(x), with the -1 added as a constant. */
export const expPlusMinusOne = rule({
  name: 'exp-plus-minus-one',
  doc: 'exp(x) + (-1) is expm1(x), which keeps the digits of a small x that exp(x) - 1 cancels away',
  // e^x + (-1) = expm1(x)
  pattern: P.add(P.exp(x), bind('minusOne', c(-1))),
  guard: (m) => keepsShape(m.x, m.$root, [m.minusOne]),
  replace: (m) => expm1(m.x),
  examples: [{ before: () => add(-1, exp(named('x'))), after: 'expm1(x)' }],
});

/** log(exp(x)) -> x. */
export const logOfExp = rule({
  name: 'log-of-exp',
  doc: 'log(exp(x)) is x, also where exp(x) overflows to Infinity or underflows to 0',
  // log(e^x) = x for every real x
  pattern: P.log(P.exp(x)),
  replace: (m) => m.x,
  examples: [{ before: () => log(exp(named('x'))), after: 'x' }],
});

// The sum `p + q` of a match, split into the term equal to `term` and the other one.
function otherTerm(p: Node, q: Node, term: Node): Node | undefined {
  if (sameValue(p, term)) return q;
  if (sameValue(q, term)) return p;
  return undefined;
}

// The two sums `p + q` and `r + s` of a match, split into a common term and the two others.
function commonTerm(p: Node, q: Node, r: Node, s: Node): { left: Node; right: Node; common: Node } | undefined {
  for (const [common, left] of [[p, q], [q, p]] as const) {
    const right = otherTerm(r, s, common);
    if (right !== undefined) return { left, right, common };
  }
  return undefined;
}

const p = v('p');
const q = v('q');
const r = v('r');

/** (c + a) - (c - a) -> 2a. */
export const sumMinusDifference = rule({
  name: 'sum-minus-difference',
  doc: '(c + a) - (c - a) is 2a: the rounding of c + a and c - a cancels nothing away',
  // (c + a) - (c - a) = 2a, and 2a is exact in binary floating point
  pattern: P.add(P.add(p, q), P.neg(P.add(r, P.neg(v('a'))))),
  guard: (m) => {
    const left = otherTerm(m.p, m.q, m.r);
    return left !== undefined && sameValue(left, m.a) && keepsShape(m.a, m.$root, [m.r]);
  },
  replace: (m) => mul(2, m.a),
  examples: [
    { before: () => two('c', 'a', (c, a) => sub(add(c, a), sub(c, a))), after: 'mul(2, a)' },
    { before: () => sub(float64(1).add(1e-4), float64(1).sub(1e-4)), after: 'mul(2, 0.0001)' },
  ],
});

/** (c + a) - (c + b) -> a - b. */
export const commonTermDifference = rule({
  name: 'common-term-difference',
  doc: '(c + a) - (c + b) is a - b, without the rounding of the two sums',
  // (c + a) - (c + b) = a - b
  pattern: P.add(P.add(p, q), P.neg(P.add(r, v('s')))),
  guard: (m) => {
    const split = commonTerm(m.p, m.q, m.r, m.s);
    if (split === undefined) return false;
    return broadcastFits([split.left, split.right], m.$root, [split.common]);
  },
  replace: (m) => {
    const { left, right } = commonTerm(m.p, m.q, m.r, m.s)!;
    return add(left, neg(right));
  },
  examples: [{ before: () => two('c', 'a', (c, a) => sub(add(c, a), add(named('b'), c))), after: 'add(a, neg(b))' }],
});

/** (a + b) - a -> b, and (a + b) - b -> a. */
export const sumMinusTerm = rule({
  name: 'sum-minus-term',
  doc: '(a + b) - a is b, exactly, where the float form keeps only the rounding error of a + b',
  // (a + b) - a = b
  pattern: P.add(P.add(p, q), P.neg(v('a'))),
  guard: (m) => {
    const kept = otherTerm(m.p, m.q, m.a);
    return kept !== undefined && keepsShape(kept, m.$root, [m.a]);
  },
  replace: (m) => otherTerm(m.p, m.q, m.a)!,
  examples: [
    { before: () => two('a', 'b', (a, b) => sub(add(a, b), a)), after: 'b' },
    { before: () => two('a', 'b', (a, b) => sub(add(a, b), b)), after: 'a' },
    { before: () => sub(float64(1e-20).add(1), float64(1)), after: '1e-20' },
  ],
});

/** (a - b) + b -> a. */
export const differencePlusTerm = rule({
  name: 'difference-plus-term',
  doc: '(a - b) + b is a, exactly, where the float form keeps only the rounding error of a - b',
  // (a - b) + b = a
  pattern: P.add(P.add(v('a'), P.neg(v('b'))), r),
  guard: (m) => sameValue(m.b, m.r) && keepsShape(m.a, m.$root, [m.b]),
  replace: (m) => m.a,
  examples: [{ before: () => two('a', 'b', (a, b) => add(sub(a, b), b)), after: 'a' }],
});

/** The accuracy rules, in the order they are tried (softplus before the general log1p). */
export const accuracyRules = [
  logOnePlusExp, logOnePlus, expMinusOne, expPlusMinusOne, logOfExp,
  sumMinusDifference, commonTermDifference, sumMinusTerm, differencePlusTerm,
];
