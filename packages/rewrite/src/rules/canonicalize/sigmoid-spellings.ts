/**
 * Sigmoid, logSigmoid and softplus from their elementary spellings, so that every later rule
 * sees the primitive whatever the user wrote: `1 / (1 + exp(-z))` (the numpy and course
 * default), `exp(z) / (1 + exp(z))`, `0.5 * (1 + tanh(z / 2))`, `log(1 + exp(z))`,
 * `-log(1 + exp(-z))`, `z - log(1 + exp(z))`, and the stable softplus written out,
 * `max(z, 0) + log(1 + exp(-|z|))`. Each is an identity of real numbers; the primitives compute
 * it without the overflow of `exp(-z)` and the cancellation of `z - log(1 + exp(z))`.
 * Patterns see the canonical forms: `a - b` arrives as `add(a, neg(b))`, `log1p(x)` as `log(1 + x)`.
 * @module
 */
import {
  abs, add, div, exp, input, log, log1p, logSigmoid, maximum, mul, neg, type Node, pow, relu, sigmoid, softplus, sub, tanh,
} from '@stablegrad/core';
import { isConstantNear } from '../../match.js';
import { bind, c, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { isNegationOf, keepsShape, sameStaticShape } from '../_guards.js';
import { termPairRule, unsigned } from '../_terms.js';

const z = v('z');
const w = v('w');
const x = v('x');
const named = (name: string) => input([3], { name });

/** 1 / (1 + exp(w)) -> sigmoid(-w). */
export const sigmoidFromReciprocal = rule({
  name: 'sigmoid-from-reciprocal',
  doc: '1 / (1 + exp(-z)) is sigmoid(z), which cannot overflow where exp(-z) does',
  // 1 / (1 + e^w) = sigmoid(-w)
  pattern: P.div(c(1), P.add(c(1), P.exp(w))),
  guard: (m) => sameStaticShape(m.w, m.$root),
  replace: (m) => sigmoid(neg(m.w)),
  examples: [
    { before: () => div(1, add(1, exp(neg(named('z'))))), after: 'sigmoid(z)' },
    { before: () => div(1, add(exp(mul(named('z'), -1)), 1)), after: 'sigmoid(z)' },
    { before: () => div(1, add(1, exp(named('t')))), after: 'sigmoid(neg(t))' },
  ],
});

/** pow(x, -1) -> 1 / x. */
export const reciprocalFromPow = rule({
  name: 'reciprocal-from-pow',
  doc: 'pow(x, -1) is 1 / x, so that (1 + exp(-z)) ** -1 is recognised as a sigmoid',
  // x^-1 = 1/x
  pattern: P.pow(x, bind('minusOne', c(-1))),
  guard: (m) => keepsShape(m.x, m.$root, [m.minusOne]),
  replace: (m) => div(1, m.x),
  examples: [{ before: () => pow(add(1, exp(neg(named('z')))), -1), after: 'sigmoid(z)' }],
});

/** exp(z) / (1 + exp(z)) -> sigmoid(z). */
export const sigmoidFromExpRatio = rule({
  name: 'sigmoid-from-exp-ratio',
  doc: 'exp(z) / (1 + exp(z)) is sigmoid(z), which is not Infinity / Infinity where exp(z) overflows',
  // e^z / (1 + e^z) = 1 / (e^-z + 1) = sigmoid(z)
  pattern: P.div(P.exp(z), P.add(c(1), P.exp(z))),
  guard: (m) => sameStaticShape(m.z, m.$root),
  replace: (m) => sigmoid(m.z),
  examples: [{ before: () => { const t = named('z'); return div(exp(t), add(exp(t), 1)); }, after: 'sigmoid(z)' }],
});

/** x when `h` is x/2, x*0.5 or 0.5*x (negated: -x/2 after the minus moved out), else null. */
function halfOf(h: Node): { x: Node; negated: boolean } | null {
  if (h.op === 'neg') {
    const inner = halfOf(h.inputs[0]!);
    return inner === null ? null : { x: inner.x, negated: !inner.negated };
  }
  if (h.op === 'div' && isConstantNear(h.inputs[1]!, 2) && h.inputs[1]!.shape.length === 0) return { x: h.inputs[0]!, negated: false };
  if (h.op !== 'mul') return null;
  const [p, q] = h.inputs as [Node, Node];
  if (isConstantNear(q, 0.5) && q.shape.length === 0) return { x: p, negated: false };
  if (isConstantNear(p, 0.5) && p.shape.length === 0) return { x: q, negated: false };
  return null;
}

const tanhGuard = (m: { readonly h: Node; readonly $root: Node }) => {
  const half = halfOf(m.h);
  return half !== null && sameStaticShape(half.x, m.$root);
};

/** sigmoid of the x whose half `h` is. */
const sigmoidOfTwice = (h: Node): Node => {
  const { x, negated } = halfOf(h)!;
  return sigmoid(negated ? neg(x) : x);
};

/** 0.5 * (1 + tanh(z / 2)) -> sigmoid(z). */
export const sigmoidFromTanh = rule({
  name: 'sigmoid-from-tanh',
  doc: '0.5 * (1 + tanh(z / 2)) is sigmoid(z), which keeps the digits of sigmoid(z) near 0 that 1 + tanh cancels away',
  // sigmoid(z) = (1 + tanh(z/2)) / 2
  pattern: P.mul(c(0.5), P.add(c(1), P.tanh(v('h')))),
  guard: tanhGuard,
  replace: (m) => sigmoidOfTwice(m.h),
  examples: [
    { before: () => mul(0.5, add(1, tanh(div(named('z'), 2)))), after: 'sigmoid(z)' },
    { before: () => mul(add(tanh(mul(0.5, named('z'))), 1), 0.5), after: 'sigmoid(z)' },
    { before: () => mul(0.5, add(1, tanh(div(neg(named('z')), 2)))), after: 'sigmoid(neg(z))' },
  ],
});

/** 0.5 + 0.5 * tanh(z / 2) -> sigmoid(z). */
export const sigmoidFromTanhSum = rule({
  name: 'sigmoid-from-tanh-sum',
  doc: '0.5 + 0.5 * tanh(z / 2) is sigmoid(z), which keeps the digits of sigmoid(z) near 0 that the sum cancels away',
  // sigmoid(z) = 1/2 + tanh(z/2) / 2
  pattern: P.add(c(0.5), P.mul(c(0.5), P.tanh(v('h')))),
  guard: tanhGuard,
  replace: (m) => sigmoidOfTwice(m.h),
  examples: [{ before: () => add(0.5, mul(0.5, tanh(mul(named('z'), 0.5)))), after: 'sigmoid(z)' }],
});

/** (1 + tanh(z / 2)) / 2 -> sigmoid(z). */
export const sigmoidFromTanhHalved = rule({
  name: 'sigmoid-from-tanh-halved',
  doc: '(1 + tanh(z / 2)) / 2 is sigmoid(z), which keeps the digits of sigmoid(z) near 0 that 1 + tanh cancels away',
  // sigmoid(z) = (1 + tanh(z/2)) / 2
  pattern: P.div(P.add(c(1), P.tanh(v('h'))), c(2)),
  guard: tanhGuard,
  replace: (m) => sigmoidOfTwice(m.h),
  examples: [{ before: () => div(add(1, tanh(div(named('z'), 2))), 2), after: 'sigmoid(z)' }],
});

/** -softplus(w) -> logSigmoid(-w). */
export const logSigmoidFromSoftplus = rule({
  name: 'log-sigmoid-from-softplus',
  doc: '-softplus(-z) = -log(1 + exp(-z)) is logSigmoid(z), the form the cross-entropy rules look for',
  // -log(1 + e^w) = log(1 / (1 + e^w)) = log sigmoid(-w)
  pattern: P.neg(P.softplus(w)),
  replace: (m) => logSigmoid(neg(m.w)),
  examples: [
    { before: () => neg(log(add(1, exp(neg(named('z')))))), after: 'logSigmoid(z)' },
    { before: () => neg(log1p(exp(named('t')))), after: 'logSigmoid(neg(t))' },
  ],
});

/** z + logSigmoid(-z) -> logSigmoid(z), anywhere in a sum. */
export const logSigmoidFromDifference = termPairRule({
  name: 'log-sigmoid-from-difference',
  doc: 'z - log(1 + exp(z)) = z + logSigmoid(-z) is logSigmoid(z), without the cancellation of the difference',
  // z - softplus(z) = z + log sigmoid(-z) = log(e^z / (1 + e^z)) = log sigmoid(z)
  first: (t) => !t.negative,
  second: (t) => !t.negative && t.body.op === 'logSigmoid',
  combine: (t, ls) => (isNegationOf(t.body, ls.body.inputs[0]!) ? () => logSigmoid(t.body) : null),
  examples: [
    { before: () => { const t = named('z'); return sub(t, log(add(1, exp(t)))); }, after: 'logSigmoid(z)' },
    { before: () => { const t = named('z'); return sub(t, log1p(exp(t))); }, after: 'logSigmoid(z)' },
  ],
});

/** t + softplus(-t) -> softplus(t), anywhere in a sum. */
export const softplusFromNegated = termPairRule({
  name: 'softplus-from-negated',
  doc: 't + log(1 + exp(-t)) = t + softplus(-t) is softplus(t)',
  // t + log(1 + e^-t) = log(e^t + 1)
  first: (t) => !t.negative,
  second: (t) => !t.negative && t.body.op === 'softplus',
  combine: (t, sp) => (isNegationOf(t.body, sp.body.inputs[0]!) ? () => softplus(t.body) : null),
  examples: [{ before: () => { const t = named('z'); return add(t, log(add(1, exp(neg(t))))); }, after: 'softplus(z)' }],
});

/** True for relu(z) or maximum(z, 0); returns z. */
function positivePartOf(t: Node): Node | null {
  if (t.op === 'relu') return t.inputs[0]!;
  if (t.op !== 'maximum') return null;
  const [p, q] = t.inputs as [Node, Node];
  if (isConstantNear(q, 0) && q.shape.length === 0) return p;
  if (isConstantNear(p, 0) && p.shape.length === 0) return q;
  return null;
}

/** relu(z) + softplus(-|z|) -> softplus(z), anywhere in a sum. */
export const softplusFromStableForm = termPairRule({
  name: 'softplus-from-stable-form',
  doc: 'max(z, 0) + log(1 + exp(-|z|)), the stable softplus written out, is softplus(z)',
  // log(1 + e^z) = max(z, 0) + log(1 + e^-|z|)
  first: (t) => !t.negative && positivePartOf(t.body) !== null,
  second: (t) => !t.negative && t.body.op === 'softplus',
  combine: (r, sp) => {
    const zn = positivePartOf(r.body)!;
    const inner = unsigned(sp.body.inputs[0]!);
    return inner.negative && inner.body.op === 'abs' && inner.body.inputs[0] === zn ? () => softplus(zn) : null;
  },
  examples: [
    { before: () => { const t = named('z'); return add(maximum(t, 0), log(add(1, exp(neg(abs(t)))))); }, after: 'softplus(z)' },
    { before: () => { const t = named('z'); return add(log1p(exp(neg(abs(t)))), relu(t)); }, after: 'softplus(z)' },
  ],
});

/** The sigmoid spellings, in the order they are tried. */
export const sigmoidSpellingRules = [
  reciprocalFromPow, sigmoidFromReciprocal, sigmoidFromExpRatio, sigmoidFromTanh, sigmoidFromTanhSum, sigmoidFromTanhHalved,
  logSigmoidFromSoftplus, logSigmoidFromDifference, softplusFromNegated, softplusFromStableForm,
];
