/**
 * Canonical forms for reductions, so that a loss reduced in pieces looks like a loss reduced
 * once: two sums (or means) of same-shaped terms over the same axes become one sum of the added
 * terms (`-mean(y log p) - mean((1-y) log(1-p))` becomes one mean of a recognizable
 * cross-entropy), and a sum of a sum becomes one sum over both sets of axes. Means of means merge
 * only where the result is exactly the same number: every inner group has the same size, so the
 * mean of the group means is the mean over both axis sets.
 * @module
 */
import { add, type AttrValue, input, mean, type Node, sameShape, sum } from '@stablegrad/core';
import { attr, bind, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';

const a = v('a');
const b = v('b');
const x = v('x');
const named = (name: string, shape: readonly (number | string)[] = [2, 3]) => () => input(shape, { name });

type Reducer = typeof sum;
const reducerOf = (node: Node): Reducer => (node.op === 'sum' ? sum : mean);
const axesOf = (attrs: { readonly [k: string]: AttrValue }, key = 'axes'): readonly number[] => attrs[key] as readonly number[];

const sameReduction = { axes: attr('axes'), keepDims: attr('keepDims') };

/** sum(a) + sum(b) -> sum(a + b), mean(a) + mean(b) -> mean(a + b). */
export const addedReductions = rule({
  name: 'merge-added-reductions',
  doc: 'sum(a) + sum(b) is sum(a + b) (mean likewise) when a and b have the same static shape and the reductions the same axes',
  // sum_i a_i + sum_i b_i = sum_i (a_i + b_i); (1/n) sum a + (1/n) sum b = (1/n) sum (a + b)
  pattern: P.add(bind('ra', op(['sum', 'mean'], [a], sameReduction)), bind('rb', op(['sum', 'mean'], [b], sameReduction))),
  guard: (m) => m.ra.op === m.rb.op && m.a.dtype === m.b.dtype && sameShape(m.a.shape, m.b.shape),
  replace: (m) => reducerOf(m.ra)(add(m.a, m.b), { axis: axesOf(m.$attrs), keepDims: m.$attrs.keepDims as boolean }),
  examples: [
    { before: () => add(mean(named('a')(), { axis: 1 }), mean(named('b')(), { axis: 1 })), after: 'mean{axes=[1]}(add(a, b))' },
    { before: () => add(sum(named('a')()), sum(named('b')())), after: 'sum{axes=[0,1]}(add(a, b))' },
  ],
});

/**
 * The single reduction equal to reducing `inner` axes (of an input of rank `rank`) and then
 * `outer` axes of the result, or null when there is none.
 */
export function mergeReductionAxes(
  rank: number, inner: readonly number[], innerKeep: boolean, outer: readonly number[], outerKeep: boolean,
): { axes: number[]; keepDims: boolean } | null {
  const union = (p: readonly number[], q: readonly number[]) => [...new Set([...p, ...q])].sort((i, j) => i - j);
  if (innerKeep) {
    // The inner result has x's rank, so `outer` indexes x's axes; reducing a kept size-1 axis again changes nothing.
    if (outerKeep) return { axes: union(inner, outer), keepDims: true };
    // Without keepDims the inner axes would vanish too: only right when the outer ones cover them.
    return inner.every((i) => outer.includes(i)) ? { axes: [...outer], keepDims: false } : null;
  }
  // The outer axes index the axes of x that the inner reduction left.
  const left = Array.from({ length: rank }, (_, i) => i).filter((i) => !inner.includes(i));
  if (outerKeep) return outer.length === 0 ? { axes: [...inner], keepDims: false } : null;
  return { axes: union(inner, outer.map((i) => left[i]!)), keepDims: false };
}

/** sum(sum(x, a1), a2) -> sum(x, a1 ∪ a2); mean of mean likewise. */
export const nestedReductions = rule({
  name: 'merge-nested-reductions',
  doc: 'sum(sum(x, a1), a2) is one sum over both axis sets (mean of mean likewise: equal group sizes make it exact)',
  // sum_j sum_i x_ij = sum_ij x_ij; mean_j mean_i x_ij = (1/(n m)) sum_ij x_ij, since every inner group has n elements
  pattern: bind('outer', op(['sum', 'mean'], [bind('inner', op(['sum', 'mean'], [x], { axes: attr('innerAxes'), keepDims: attr('innerKeep') }))], {
    axes: attr('outerAxes'), keepDims: attr('outerKeep'),
  })),
  guard: (m) => m.outer.op === m.inner.op && merged(m.x, m.$attrs) !== null,
  replace: (m) => {
    const { axes, keepDims } = merged(m.x, m.$attrs)!;
    return reducerOf(m.outer)(m.x, { axis: axes, keepDims });
  },
  examples: [
    { before: () => sum(sum(named('x', [2, 3, 4])(), { axis: 1 }), { axis: 1 }), after: 'sum{axes=[1,2]}(x)' },
    { before: () => mean(mean(named('x', [2, 3, 4])(), { axis: 2, keepDims: true }), { axis: 0, keepDims: true }), after: 'mean{axes=[0,2], keepDims=true}(x)' },
  ],
});

function merged(x: Node, attrs: { readonly [k: string]: AttrValue }): { axes: number[]; keepDims: boolean } | null {
  return mergeReductionAxes(x.shape.length, axesOf(attrs, 'innerAxes'), attrs.innerKeep as boolean, axesOf(attrs, 'outerAxes'), attrs.outerKeep as boolean);
}

/** The reduction rules, in the order they are tried. */
export const reductionRules = [addedReductions, nestedReductions];
