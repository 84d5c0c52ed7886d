/**
 * Shape identities: broadcasts, reshapes and sums back that change nothing, and size-1 axes
 * added and removed again. Gradient graphs make many of them (`unbroadcast` and `unreduce`
 * through `broadcastLike`, `sumTo` and `expandDims`), most with statically equal shapes. A
 * rewrite happens only where the shapes are statically known to be equal (an unknown `null`
 * dimension is never known equal to another).
 * @module
 */
import {
  apply, broadcastLike, div, expandDims, input, mul, neg, type Node, type OpName, opDef, reshape, reshapeLike, sameShape, squeeze, sumTo, transpose,
} from '@stablegrad/core';
import { attr, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { broadcastFits, keepsShape } from '../_guards.js';

const x = v('x');
const like = v('like');
const named = (name: string, shape: readonly number[] = [3]) => input(shape, { name });

/** broadcastLike(x, like) -> x when x already has like's shape. */
export const broadcastToOwnShape = rule({
  name: 'broadcast-to-own-shape',
  doc: 'broadcasting x to a shape it already has is x',
  // broadcast(x, shape(x)) = x
  pattern: P.broadcastLike(x, like),
  guard: (m) => keepsShape(m.x, m.$root, [m.like]),
  replace: (m) => m.x,
  examples: [{ before: () => broadcastLike(named('x'), named('y')), after: 'x' }],
});

/** sumTo(x, like) -> x when x already has like's shape. */
export const sumToOwnShape = rule({
  name: 'sum-to-own-shape',
  doc: 'summing x down to a shape it already has is x',
  // sumTo(x, shape(x)) = x: no axis is summed
  pattern: P.sumTo(x, like),
  guard: (m) => keepsShape(m.x, m.$root, [m.like]),
  replace: (m) => m.x,
  examples: [{ before: () => sumTo(named('x'), named('y')), after: 'x' }],
});

/** reshapeLike(x, like) -> x when x already has like's shape. */
export const reshapeLikeOwnShape = rule({
  name: 'reshape-like-own-shape',
  doc: 'reshaping x to a shape it already has is x',
  // reshape(x, shape(x)) = x
  pattern: P.reshapeLike(x, like),
  guard: (m) => keepsShape(m.x, m.$root, [m.like]),
  replace: (m) => m.x,
  examples: [{ before: () => reshapeLike(named('x'), named('y')), after: 'x' }],
});

/** reshape(x, shape) -> x when x already has that shape. */
export const reshapeToOwnShape = rule({
  name: 'reshape-to-own-shape',
  doc: 'reshaping x to the shape it has is x',
  // reshape(x, shape(x)) = x
  pattern: op('reshape', [x]),
  guard: (m) => sameShape(m.x.shape, m.$root.shape),
  replace: (m) => m.x,
  examples: [{ before: () => reshape(named('x', [2, 3]), [2, 3]), after: 'x' }],
});

/** transpose(x, [0, 1, ..., n-1]) -> x. */
export const identityTranspose = rule({
  name: 'identity-transpose',
  doc: 'a transpose that keeps every axis in place is x',
  // transpose(x, identity) = x
  pattern: op('transpose', [x], { perm: attr('perm') }),
  guard: (m) => (m.$attrs.perm as readonly number[]).every((axis, i) => axis === i),
  replace: (m) => m.x,
  examples: [{ before: () => transpose(named('x', [2, 3]), [0, 1]), after: 'x' }],
});

/** squeeze(expandDims(x, a), [a]) -> x. */
export const squeezeExpandedAxis = rule({
  name: 'squeeze-expanded-axis',
  doc: 'removing the size-1 axis that expandDims just added gives x back',
  // squeeze(expandDims(x, a), a) = x
  pattern: op('squeeze', [op('expandDims', [x], { axis: attr('axis') })], { axes: attr('axes') }),
  guard: (m) => {
    const axes = m.$attrs.axes as readonly number[];
    return axes.length === 1 && axes[0] === m.$attrs.axis;
  },
  replace: (m) => m.x,
  examples: [{ before: () => squeeze(expandDims(named('x'), 1), 1), after: 'x' }],
});

/** expandDims(squeeze(x, [a]), a) -> x. */
export const expandSqueezedAxis = rule({
  name: 'expand-squeezed-axis',
  doc: 'putting back the size-1 axis that squeeze just removed gives x back',
  // expandDims(squeeze(x, a), a) = x, since squeeze needs x's axis a to be 1
  pattern: op('expandDims', [op('squeeze', [x], { axes: attr('axes') })], { axis: attr('axis') }),
  guard: (m) => {
    const axes = m.$attrs.axes as readonly number[];
    return axes.length === 1 && axes[0] === m.$attrs.axis;
  },
  replace: (m) => m.x,
  examples: [{ before: () => expandDims(squeeze(named('x', [3, 1]), 1), 1), after: 'x' }],
});

/** Elementwise ops of two operands that broadcast them (NumPy rules) by themselves. */
const BROADCASTING: readonly OpName[] = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'sigmoidCrossEntropyWithLogits', 'sigmoidCrossEntropyGrad',
];
const other = v('other');

// The same op on new operands, with the matched node's attributes.
const same = (root: Node, inputs: readonly Node[]): Node => apply(opDef(root.op), inputs, root.attrs);

/** f(broadcastLike(x, like), b) -> f(x, b) when the result keeps its shape. */
export const broadcastIntoOperation = rule({
  name: 'broadcast-into-operation',
  doc: 'an elementwise op broadcasts its operands itself: an explicit broadcast that changes no result shape is dropped',
  // f(broadcast(x), b) = f(x, b) when f broadcasts x to the same shape
  pattern: op(BROADCASTING, [P.broadcastLike(x, like), other]),
  guard: (m) => broadcastFits([m.x, m.other], m.$root, [m.like]),
  replace: (m) => same(m.$root, [m.x, m.other]),
  examples: [{
    before: () => {
      const x = named('x');
      return mul(broadcastLike(named('s', []), x), x);
    },
    after: 'mul(s, x)',
  }],
});

/** f(a, broadcastLike(x, like)) -> f(a, x) when the result keeps its shape. */
export const broadcastIntoOperationRight = rule({
  name: 'broadcast-into-operation-right',
  doc: 'an elementwise op broadcasts its second operand itself: an explicit broadcast that changes no result shape is dropped',
  // f(a, broadcast(x)) = f(a, x) when f broadcasts x to the same shape
  pattern: op(BROADCASTING, [other, P.broadcastLike(x, like)]),
  guard: (m) => broadcastFits([m.other, m.x], m.$root, [m.like]),
  replace: (m) => same(m.$root, [m.other, m.x]),
  examples: [{
    before: () => {
      const x = named('x');
      return div(x, broadcastLike(named('s', []), x));
    },
    after: 'div(x, s)',
  }],
});

/** Elementwise ops of one operand that keep its dtype: they commute with broadcasting. */
const ELEMENTWISE: readonly OpName[] = [
  'neg', 'abs', 'sign', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'square', 'tanh', 'sigmoid', 'relu', 'softplus', 'logSigmoid',
];

/** f(broadcastLike(x, like)) -> broadcastLike(f(x), like) for elementwise f. */
export const broadcastAfterElementwise = rule({
  name: 'broadcast-after-elementwise',
  doc: 'an elementwise op of a broadcast is the broadcast of the op, computed on fewer elements; the broadcast can then merge into a later op',
  // f(broadcast(x)) = broadcast(f(x)) for elementwise f
  pattern: op(ELEMENTWISE, [P.broadcastLike(x, like)]),
  replace: (m) => broadcastLike(same(m.$root, [m.x]), m.like),
  examples: [{ before: () => neg(broadcastLike(named('s', []), named('x'))), after: 'broadcastLike(neg(s), x)' }],
});

/** expandDims(broadcastLike(x, like), a) -> broadcastLike(x, expandDims(like, a)) for a one-element x. */
export const broadcastAfterExpandDims = rule({
  name: 'broadcast-after-expand-dims',
  doc: 'a size-1 axis added to a broadcast one-element value is the value broadcast to the larger shape; the broadcast can then merge into a later op',
  // expandDims(fill(s, shape), a) = fill(s, shape with a 1 inserted at a)
  pattern: op('expandDims', [P.broadcastLike(x, like)], { axis: attr('axis') }),
  guard: (m) => m.x.shape.every((d) => d === 1) && m.x.shape.length <= m.$root.shape.length,
  replace: (m) => broadcastLike(m.x, expandDims(m.like, m.$attrs.axis as number)),
  examples: [{
    before: () => mul(expandDims(broadcastLike(named('s', []), named('x')), 1), named('y', [3, 4])),
    after: 'mul(s, y)',
  }],
});

/** The shape identities, in the order they are tried. */
export const shapeRules = [
  broadcastToOwnShape, sumToOwnShape, reshapeLikeOwnShape, reshapeToOwnShape, identityTranspose, squeezeExpandedAxis,
  expandSqueezedAxis, broadcastIntoOperation, broadcastIntoOperationRight, broadcastAfterElementwise, broadcastAfterExpandDims,
];
