/**
 * Guards shared by rule families. Two kinds of question come up again and again: are two
 * captured operands the same value (the same node, or two constant nodes holding the same
 * numbers, as in `(1 + 1e-4) - (1 - 1e-4)` where each `1` is its own node), and does dropping
 * some operands leave the shape that broadcasting gave the matched node.
 * @module
 */
import { broadcastShapes, type Node, sameShape, type Shape } from '@stablegrad/core';

/**
 * True for a `constant` node (one that carries its value).
 * @example
 * ```ts
 * isConstant(constant(1)); // true
 * ```
 */
export function isConstant(node: Node): boolean {
  return node.op === 'constant' && node.value !== undefined;
}

/**
 * True when `a` and `b` are the same node, or constants with the same dtype, shape and data
 * (`-0` and `0` differ; NaN equals NaN).
 * @example
 * ```ts
 * sameValue(constant(1), constant(1)); // true: two nodes, one value
 * ```
 */
export function sameValue(a: Node, b: Node): boolean {
  if (a === b) return true;
  if (!isConstant(a) || !isConstant(b) || a.dtype !== b.dtype) return false;
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.value!.data;
  const y = b.value!.data;
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

/**
 * True when broadcasting `operands` together gives the static shape of `root`, so that a
 * replacement built from them alone changes no shape: the shapes are statically equal, or they
 * are written the same and every `dropped` operand has only size-1 axes (rank at most the
 * result's), so broadcasting it in changed nothing, even along unknown (`null`) dimensions.
 * @example
 * ```ts
 * broadcastFits([a, b], sub(add(c, a), add(c, b)), [c]); // true when c is a scalar
 * ```
 */
export function broadcastFits(operands: readonly Node[], root: Node, dropped: readonly Node[] = []): boolean {
  let shape: Shape;
  try {
    shape = operands.map((o) => o.shape).reduce((a, b) => broadcastShapes(a, b));
  } catch {
    return false;
  }
  if (sameShape(shape, root.shape)) return true;
  return (
    shape.length === root.shape.length && shape.every((d, i) => d === root.shape[i]) &&
    dropped.every((d) => d.shape.length <= shape.length && d.shape.every((n) => n === 1))
  );
}

/**
 * True when `kept` alone has the dtype and static shape of `root` (see `broadcastFits`), so
 * that `root` can be replaced by it.
 * @example
 * ```ts
 * keepsShape(x, add(x, 0), [zero]); // true: a scalar zero broadcasts nothing
 * ```
 */
export function keepsShape(kept: Node, root: Node, dropped: readonly Node[] = []): boolean {
  return kept.dtype === root.dtype && broadcastFits([kept], root, dropped);
}
