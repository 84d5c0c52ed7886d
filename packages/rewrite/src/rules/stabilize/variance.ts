/**
 * Variance written the one-pass way, `E[x^2] - E[x]^2`, becomes core's two-pass `variance`
 * (`mean((x - mean(x))^2)`). The one-pass form subtracts two numbers of the size of the squared
 * mean: for float32 data of mean 1e4 and spread 1, `E[x^2]` is near 1e8 where one ULP is 8, and
 * the difference keeps none of the variance (it can even come out negative, and its square root
 * NaN). The two-pass form subtracts the mean first and loses nothing of the spread.
 * The second moment may be spelled `mean(square(x))`, `mean(x * x)` or `mean(x ** 2)`, the
 * squared mean `square(mean(x))`, `mean(x) * mean(x)` or `mean(x) ** 2`, over any axes with or
 * without `keepDims` (the same for both means). Patterns see the canonical difference
 * `add(a, neg(b))`.
 * @module
 */
import { input, mean, mul, type Node, pow, square, sub, variance } from '@stablegrad/core';
import { attr, c, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';

const x = v('x', (n) => n.dtype === 'float32' || n.dtype === 'float64');
const reduced = { axes: attr('axes'), keepDims: attr('keepDims') };
const named = (name: string): Node => input([4, 3], { name });

/** The node whose square `node` is (`square(a)`, `a * a`, `a ** 2`), or null. */
function squaredOf(node: Node): Node | null {
  if (node.op === 'square') return node.inputs[0]!;
  if (node.op === 'mul' && node.inputs[0] === node.inputs[1]) return node.inputs[0]!;
  if (node.op === 'pow') {
    const exponent = node.inputs[1]!;
    if (exponent.op === 'constant' && exponent.value !== undefined && exponent.value.data.length === 1 && exponent.value.data[0] === 2) return node.inputs[0]!;
  }
  return null;
}

/** Whether `node` is the square of `mean(x)` over `axes` with `keepDims`. */
function isSquaredMean(node: Node, x: Node, attrs: { readonly [name: string]: unknown }): boolean {
  const m = squaredOf(node);
  return m !== null && m.op === 'mean' && m.inputs[0] === x && sameAxes(m.attrs.axes, attrs.axes) && m.attrs.keepDims === attrs.keepDims;
}

function sameAxes(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => v === b[i]);
}

const replace = (m: { readonly x: Node; readonly $attrs: { readonly [name: string]: unknown } }): Node =>
  variance(m.x, { axis: m.$attrs.axes as number[], keepDims: m.$attrs.keepDims as boolean });

/** mean(square(x)) - (mean(x))^2 -> variance(x). */
export const varianceOfSquare = rule({
  name: 'variance-two-pass',
  doc: 'mean(square(x)) - mean(x)^2 is variance(x), computed in two passes: the one-pass difference cancels when the mean is large against the spread',
  // E[x^2] - E[x]^2 = E[(x - E[x])^2]
  pattern: P.add(op('mean', [P.square(x)], reduced), P.neg(v('squaredMean'))),
  guard: (m) => isSquaredMean(m.squaredMean, m.x, m.$attrs),
  replace,
  examples: [
    { before: () => { const a = named('x'); return sub(mean(square(a), { axis: 1 }), square(mean(a, { axis: 1 }))); }, after: 'variance{axes=[1]}(x)' },
    { before: () => { const a = named('x'); return sub(mean(square(a)), mul(mean(a), mean(a))); }, after: 'variance{axes=[0,1]}(x)' },
    { before: () => { const a = named('x'); return sub(mean(square(a), { axis: 0, keepDims: true }), pow(mean(a, { axis: 0, keepDims: true }), 2)); }, after: 'variance{axes=[0], keepDims=true}(x)' },
  ],
});

/** mean(x * x) - (mean(x))^2 -> variance(x). */
export const varianceOfProduct = rule({
  name: 'variance-two-pass-product',
  doc: 'mean(x * x) - mean(x)^2 is variance(x), computed in two passes: the one-pass difference cancels when the mean is large against the spread',
  // E[x x] - E[x]^2 = E[(x - E[x])^2]
  pattern: P.add(op('mean', [P.mul(x, x)], reduced), P.neg(v('squaredMean'))),
  guard: (m) => isSquaredMean(m.squaredMean, m.x, m.$attrs),
  replace,
  examples: [
    { before: () => { const a = named('x'); return sub(mean(mul(a, a), { axis: 1 }), mul(mean(a, { axis: 1 }), mean(a, { axis: 1 }))); }, after: 'variance{axes=[1]}(x)' },
    { before: () => { const a = named('x'); return sub(mean(mul(a, a), { axis: -1, keepDims: true }), square(mean(a, { axis: -1, keepDims: true }))); }, after: 'variance{axes=[1], keepDims=true}(x)' },
    { before: () => { const a = named('x'); return sub(mean(mul(a, a)), pow(mean(a), 2)); }, after: 'variance{axes=[0,1]}(x)' },
  ],
});

/** mean(x ** 2) - (mean(x))^2 -> variance(x). */
export const varianceOfPower = rule({
  name: 'variance-two-pass-power',
  doc: 'mean(x ** 2) - mean(x)^2 is variance(x), computed in two passes: the one-pass difference cancels when the mean is large against the spread',
  // E[x^2] - E[x]^2 = E[(x - E[x])^2]
  pattern: P.add(op('mean', [P.pow(x, c(2))], reduced), P.neg(v('squaredMean'))),
  guard: (m) => isSquaredMean(m.squaredMean, m.x, m.$attrs),
  replace,
  examples: [
    { before: () => { const a = named('x'); return sub(mean(pow(a, 2), { axis: 0 }), pow(mean(a, { axis: 0 }), 2)); }, after: 'variance{axes=[0]}(x)' },
    { before: () => { const a = named('x'); return sub(mean(pow(a, 2)), square(mean(a))); }, after: 'variance{axes=[0,1]}(x)' },
    { before: () => { const a = named('x'); return sub(mean(pow(a, 2), { axis: 1, keepDims: true }), mul(mean(a, { axis: 1, keepDims: true }), mean(a, { axis: 1, keepDims: true }))); }, after: 'variance{axes=[1], keepDims=true}(x)' },
  ],
});

/**
 * The variance rules, one per spelling of the second moment.
 * @example
 * ```ts
 * varianceRules.map((r) => r.name); // ['variance-two-pass', 'variance-two-pass-product', 'variance-two-pass-power']
 * ```
 */
export const varianceRules = [varianceOfSquare, varianceOfProduct, varianceOfPower];
