/**
 * Canonical places for constant factors and products, so that a cross-entropy written in bits
 * (`y * (log(p) / ln 2)`), scaled (`y * (0.5 * log p)`) or as a dot product (`np.dot(Y, log(A).T)`,
 * the course's `compute_cost`) meets the same patterns as `sum(y * log(p))`: scalar constant
 * factors and divisors move out of products and reductions, a row-times-column `matmul` of a
 * log becomes the sum of an elementwise product, and two transposes in a row become one (or none).
 * Moving a constant factor reassociates one product, a change of at most an ULP that the
 * property tests allow; the real numbers are the same.
 * @module
 */
import { div, hasTrait, input, log, matmul, mean, mul, type Node, sigmoid, sub, sum, transpose } from '@stablegrad/core';
import { attr, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { isConstant, isScalarConstant } from '../_guards.js';

const k = v('k', isScalarConstant);
const a = v('a', (n) => !isConstant(n));
const x = v('x');
const named = (name: string, shape: readonly (number | string)[] = [3]) => input(shape, { name });

const isLog = (n: Node): boolean => hasTrait(n.op, 'logarithm');
const isLogLike = (n: Node): boolean => isLog(n) || (n.op === 'transpose' && isLog(n.inputs[0]!));
/** The scaled factor is a log: a log in bits or a weighted log term. Logits are left alone (softplus(2z) - 2z*y needs its 2z whole). */
const scaledLog = v('b', isLogLike);

/** a * (k * log q) -> k * (a * log q). */
export const scaleOutOfProduct = rule({
  name: 'scale-out-of-product',
  doc: 'a * (k * log q) is k * (a * log q) for a scalar constant k, so a scaled log term is still a label times a log',
  // a (k b) = k (a b)
  pattern: P.mul(a, P.mul(k, scaledLog)),
  replace: (m) => mul(m.k, mul(m.a, m.b)),
  examples: [{ before: () => mul(named('y'), mul(log(named('p')), 0.5)), after: 'mul(0.5, mul(y, log(p)))' }],
});

/** a * (log q / k) -> (a * log q) / k. */
export const quotientOutOfProduct = rule({
  name: 'quotient-out-of-product',
  doc: 'a * (log q / k) is (a * log q) / k for a scalar constant k (a log in bits, log(p) / ln 2)',
  // a (b / k) = (a b) / k
  pattern: P.mul(a, P.div(scaledLog, k)),
  replace: (m) => div(mul(m.a, m.b), m.k),
  examples: [{ before: () => mul(named('y'), div(log(named('p')), Math.LN2)), after: `div(mul(y, log(p)), ${Math.fround(Math.LN2)})` }],
});

const reduceAttrs = { axes: attr('axes'), keepDims: attr('keepDims') };
const reduceLike = (root: Node, value: Node, attrs: { readonly [name: string]: unknown }) =>
  (root.op === 'sum' ? sum : mean)(value, { axis: attrs.axes as number[], keepDims: attrs.keepDims as boolean });

/** sum(k * x) -> k * sum(x), sum(x / k) -> sum(x) / k; mean likewise. */
export const scaleOutOfReduction = rule({
  name: 'scale-out-of-reduction',
  doc: 'sum(k * x) is k * sum(x) and sum(x / k) is sum(x) / k for a scalar constant k (mean likewise)',
  // sum_i k x_i = k sum_i x_i
  pattern: op(['sum', 'mean'], [v('scaled', (n) => (n.op === 'mul' || n.op === 'div') && n.inputs.some(isScalarConstant))], reduceAttrs),
  guard: (m) => {
    const [p, q] = m.scaled.inputs as [Node, Node];
    return m.scaled.op === 'mul' ? !(isScalarConstant(p) && isScalarConstant(q)) : isScalarConstant(q) && !isConstant(p);
  },
  replace: (m) => {
    const [p, q] = m.scaled.inputs as [Node, Node];
    if (m.scaled.op === 'div') return div(reduceLike(m.$root, p, m.$attrs), q);
    const [factor, rest] = isScalarConstant(p) ? [p, q] : [q, p];
    return mul(factor, reduceLike(m.$root, rest, m.$attrs));
  },
  examples: [
    { before: () => sum(div(mul(named('y'), log(named('p'))), 2)), after: 'div(sum{axes=[0]}(mul(y, log(p))), 2)' },
    { before: () => mean(mul(named('y'), 3), { axis: 0 }), after: 'mul(3, mean{axes=[0]}(y))' },
  ],
});

/** transpose(transpose(x, p1), p2) -> transpose(x, p1 then p2), or x. */
export const transposeOfTranspose = rule({
  name: 'transpose-of-transpose',
  doc: 'two transposes in a row are one transpose, or none when they undo each other',
  // (x^T1)^T2 = x^(T1 then T2)
  pattern: op('transpose', [op('transpose', [x], { perm: attr('inner') })], { perm: attr('outer') }),
  replace: (m) => {
    const [inner, outer] = [m.$attrs.inner as readonly number[], m.$attrs.outer as readonly number[]];
    const perm = outer.map((i) => inner[i]!);
    return perm.every((p, i) => p === i) ? m.x : transpose(m.x, perm);
  },
  examples: [{ before: () => transpose(transpose(named('x', [2, 3]))), after: 'x' }],
});

/** matmul(p [1, n], q [n, 1]) of a log -> sum(p * q^T, axis 1, keepDims). */
export const dotProductOfLog = rule({
  name: 'dot-product-of-log',
  doc: 'a row times a column, matmul(p, q) with p [1, n] and q [n, 1], is sum(p * transpose(q)) kept as [1, 1] (the course\'s np.dot(Y, log(A).T))',
  // sum_i p_1i q_i1 = sum_i (p * q^T)_1i
  pattern: P.matmul(v('p'), v('q')),
  guard: (m) => m.p.shape.length === 2 && m.q.shape.length === 2 && m.p.shape[0] === 1 && m.q.shape[1] === 1 &&
    m.p.shape[1] === m.q.shape[0] && (isLogLike(m.p) || isLogLike(m.q)),
  replace: (m) => sum(mul(m.p, transpose(m.q)), { axis: 1, keepDims: true }),
  examples: [{
    before: () => { const A = sigmoid(named('z', [1, 4])); return matmul(named('Y', [1, 4]), transpose(log(A))); },
    after: 'sum{axes=[1], keepDims=true}(mul(Y, log(sigmoid(z))))',
  }, {
    before: () => { const A = sigmoid(named('z', [1, 4])); return matmul(sub(1, named('Y', [1, 4])), transpose(log(sub(1, A)))); },
    after: 'sum{axes=[1], keepDims=true}(mul(add(1, neg(Y)), log(add(1, neg(sigmoid(z))))))',
  }],
});

/** The scaling rules, in the order they are tried. */
export const scalingRules = [scaleOutOfProduct, quotientOutOfProduct, scaleOutOfReduction, transposeOfTranspose, dotProductOfLog];
