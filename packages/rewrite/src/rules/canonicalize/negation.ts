/**
 * Canonical forms for subtraction and negation, so that one stabilize pattern covers `1 - p`,
 * `-p + 1`, `1 + (-1) * p` and `log1p(-p)`: subtraction becomes addition of a negation, and
 * negations move outward through products, quotients, sums and means.
 * @module
 */
import { add, type AttrValue, div, input, log, log1p, mean, mul, neg, type Node, sub, sum } from '@stablegrad/core';
import { attr, c, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';

const a = v('a');
const b = v('b');
const x = v('x');
const named = (name: string) => () => input([3], { name });

export const subToAddNeg = rule({
  name: 'sub-to-add-neg',
  doc: 'a - b is a + (-b), so patterns need only one spelling of differences',
  pattern: P.sub(a, b),
  replace: (m) => add(m.a, neg(m.b)),
  examples: [{ before: () => sub(named('a')(), named('b')()), after: 'add(a, neg(b))' }],
});

export const doubleNegation = rule({
  name: 'double-negation',
  doc: '-(-x) is x',
  pattern: P.neg(P.neg(x)),
  replace: (m) => m.x,
  examples: [{ before: () => neg(neg(named('x')())), after: 'x' }],
});

export const minusOneTimes = rule({
  name: 'minus-one-times',
  doc: '(-1) * x is -x',
  pattern: P.mul(c(-1), x),
  // Keep the broadcast shape when the -1 is the larger operand.
  guard: (m) => m.$root.shape.length === m.x.shape.length,
  replace: (m) => neg(m.x),
  examples: [{ before: () => mul(-1, named('x')()), after: 'neg(x)' }],
});

export const negationOutOfProduct = rule({
  name: 'negation-out-of-product',
  doc: '(-a) * b is -(a * b)',
  pattern: P.mul(P.neg(a), b),
  // Keep the user's operand order: w * (-x) becomes -(w * x).
  replace: (m) => neg(m.$root.inputs[0]!.op === 'neg' ? mul(m.a, m.b) : mul(m.b, m.a)),
  examples: [{ before: () => mul(named('b')(), neg(named('a')())), after: 'neg(mul(b, a))' }],
});

export const negationOutOfQuotient = rule({
  name: 'negation-out-of-quotient',
  doc: '(-a) / b is -(a / b)',
  pattern: P.div(P.neg(a), b),
  replace: (m) => neg(div(m.a, m.b)),
  examples: [{ before: () => div(neg(named('a')()), named('b')()), after: 'neg(div(a, b))' }],
});

export const negationOutOfSum = rule({
  name: 'negation-out-of-sum',
  doc: '(-a) + (-b) is -(a + b)',
  pattern: P.add(P.neg(a), P.neg(b)),
  replace: (m) => neg(add(m.a, m.b)),
  examples: [{ before: () => add(neg(named('a')()), neg(named('b')())), after: 'neg(add(a, b))' }],
});

const reduceAttrs = { axes: attr('axes'), keepDims: attr('keepDims') };
const reduceWith = (reducer: typeof sum, x: Node, attrs: { readonly [k: string]: AttrValue }) =>
  reducer(x, { axis: attrs.axes as number[], keepDims: attrs.keepDims as boolean });

export const negationOutOfReduction = rule({
  name: 'negation-out-of-reduction',
  doc: 'sum(-x) is -sum(x), and mean(-x) is -mean(x)',
  pattern: op(['sum', 'mean'], [P.neg(x)], reduceAttrs),
  replace: (m) => neg(reduceWith(m.$root.op === 'sum' ? sum : mean, m.x, m.$attrs)),
  examples: [{ before: () => mean(neg(named('x')())), after: 'neg(mean{axes=[0]}(x))' }],
});

export const log1pToLog = rule({
  name: 'log1p-to-log',
  doc: 'log1p(x) is log(1 + x) while canonicalizing; stabilize turns what is left back into log1p',
  pattern: P.log1p(x),
  replace: (m) => log(add(1, m.x)),
  examples: [{ before: () => log1p(named('x')()), after: 'log(add(1, x))' }],
});

/**
 * The rules that move negations outward. Stabilize runs them again after its fusions, which
 * come out negated inside the user's reductions and products (`-mean(-sigmoidCE)`), so that the
 * user's `-(...)` meets the fusion's negation and cancels.
 */
export const negationMovingRules = [doubleNegation, negationOutOfProduct, negationOutOfQuotient, negationOutOfSum, negationOutOfReduction];

/** The negation rules, in the order they are tried. */
export const negationRules = [
  subToAddNeg, doubleNegation, minusOneTimes, negationOutOfProduct, negationOutOfQuotient, negationOutOfSum,
  negationOutOfReduction, log1pToLog,
];
