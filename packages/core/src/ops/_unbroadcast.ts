/**
 * VJP helpers that build gradient nodes: undo a broadcast (`unbroadcast`) or a reduction
 * (`unreduce`). Apart from `_rules.ts` because they build `sumTo`, `expandDims` and
 * `broadcastLike` nodes, whose own files use `_rules.ts`: one module for both made an import circle.
 * @module
 */
import type { Node } from '../node.js';
import { sameShape } from '../shape.js';
import { broadcastLike } from './broadcast-like.js';
import { expandDims } from './expand-dims.js';
import { sumTo } from './sum-to.js';

/**
 * Sums a gradient down to the shape of `like` (the input it belongs to), undoing broadcasting.
 * Statically equal shapes need nothing; otherwise a `sumTo` node decides at run time, which is
 * right even for symbolic dimensions that turn out to be 1.
 */
export function unbroadcast(g: Node, like: Node): Node {
  return sameShape(g.shape, like.shape) ? g : sumTo(g, like);
}

/**
 * Spreads the cotangent of a reduction back over its input: re-inserts the reduced axes as
 * size 1 (unless kept) and broadcasts to the input's shape.
 */
export function unreduce(cotangent: Node, x: Node, axes: readonly number[], keepDims: boolean): Node {
  let g = cotangent;
  if (!keepDims) for (const axis of axes) g = expandDims(g, axis);
  return sameShape(g.shape, x.shape) ? g : broadcastLike(g, x);
}
