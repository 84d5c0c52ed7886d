/**
 * Guards shared by rule families. Two kinds of question come up again and again: are two
 * captured operands the same value (the same node, or two constant nodes holding the same
 * numbers, as in `(1 + 1e-4) - (1 - 1e-4)` where each `1` is its own node), and does dropping
 * some operands leave the shape that broadcasting gave the matched node.
 * @module
 */
import { broadcastShapes, hasTrait, neg, type Node, sameShape, sameWrittenShape, type Shape } from '@stablegrad/core';

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
  if (!sameWrittenShape(a.shape, b.shape)) return false;
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
    sameWrittenShape(shape, root.shape) &&
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

/**
 * True when one node is the negation of the other: `a = -b` or `b = -a` (as nodes; the
 * canonicalize phase merges equal subexpressions, so equal means identical there).
 * @example
 * ```ts
 * isNegationOf(neg(z), z); // true
 * ```
 */
export function isNegationOf(a: Node, b: Node): boolean {
  return (a.op === 'neg' && a.inputs[0] === b) || (b.op === 'neg' && b.inputs[0] === a);
}

/**
 * The value of a constant whose elements all equal one number, else null.
 * @example
 * ```ts
 * constantValue(constant(0.5)); // 0.5
 * ```
 */
export function constantValue(n: Node): number | null {
  const data = n.op === 'constant' ? n.value?.data : undefined;
  if (data === undefined || data.length === 0) return null;
  const first = data[0]!;
  for (const d of data) if (!Object.is(d, first)) return null;
  return first;
}

/**
 * True for a rank-0 constant: multiplying or dividing by it broadcasts nothing.
 * @example
 * ```ts
 * isScalarConstant(constant(2)); // true
 * ```
 */
export function isScalarConstant(n: Node): boolean {
  return isConstant(n) && n.shape.length === 0;
}

/**
 * True when `c`, broadcast against a value of rank `rank`, is the same along every axis in
 * `axes`: it has size 1 there, or does not reach that axis (broadcasting aligns shapes right).
 * @example
 * ```ts
 * constantAlong(max(x, { axis: 1, keepDims: true }), [1], 2); // true: one value per row
 * ```
 */
export function constantAlong(c: Node, axes: readonly number[], rank: number): boolean {
  if (c.shape.length > rank) return false;
  const offset = rank - c.shape.length;
  return axes.every((axis) => {
    const a = axis < 0 ? axis + rank : axis;
    return a < offset || c.shape[a - offset] === 1;
  });
}

/** True for ops that only move, drop or copy the elements of their first input (the rest are indices or shapes). */
export const isMovement = (node: Node): boolean => hasTrait(node.op, 'movement');

/**
 * When `den` is the sum of `isNumerator(n)` over one axis, shaped so that `n / den` divides
 * each element by its own lane's sum, returns that axis; otherwise null. The sum may keep its
 * axis (`keepDims`), get it back (`expandDims`, a reshape to the kept shape, `broadcastLike`),
 * or be over the leading axis (broadcasting aligns shapes right, so it lines up).
 * @example
 * ```ts
 * normalizingAxis(sum(e, { axis: 1, keepDims: true }), (n) => n === e);      // 1
 * normalizingAxis(expandDims(sum(e, { axis: 1 }), 1), (n) => n === e);       // 1
 * normalizingAxis(sum(e, { axis: 1 }), (n) => n === e);                      // null for a [2, 3] e
 * ```
 */
export function normalizingAxis(den: Node, isNumerator: (n: Node) => boolean): number | null {
  const found = keptReduction(den, 'sum');
  return found !== null && isNumerator(found.input) ? found.axis : null;
}

/**
 * When `node` is a reduction `op` of some x over one axis, laid out so that it broadcasts back
 * against x lane by lane (see `normalizingAxis`), returns x and the axis; otherwise null.
 * @example
 * ```ts
 * keptReduction(logsumexp(z, { axis: 1, keepDims: true }), 'logsumexp'); // { input: z, axis: 1 }
 * ```
 */
export function keptReduction(node: Node, op: string): { input: Node; axis: number } | null {
  let total = node;
  let restored = false;
  if (total.op === 'broadcastLike' || total.op === 'expandDims' || total.op === 'reshape' || total.op === 'reshapeLike') {
    restored = true;
    total = total.inputs[0]!;
  }
  if (total.op !== op) return null;
  const x = total.inputs[0]!;
  const axes = total.attrs.axes as readonly number[];
  if (axes.length !== 1) return null;
  const axis = axes[0]!;
  const keepDims = total.attrs.keepDims === true;
  if (!restored) return keepDims || axis === 0 ? { input: x, axis } : null;
  if (keepDims) return node.op === 'broadcastLike' ? { input: x, axis } : null;
  // The restored shape must be x's with the axis at size 1.
  const kept = x.shape.map((d, i) => (i === axis ? 1 : d));
  if (node.op === 'broadcastLike') return axis === 0 ? { input: x, axis } : null;
  if (node.op === 'expandDims') return node.attrs.axis === axis ? { input: x, axis } : null;
  return sameShape(node.shape, kept) ? { input: x, axis } : null;
}

/**
 * A term of a sum with its sign: the term is `-body` when `negative`, else `body` (never a `neg`).
 * @example
 * ```ts
 * const t: SignedTerm = { body: mul(y, z), negative: true }; // the term -(y * z)
 * ```
 */
export interface SignedTerm {
  readonly body: Node;
  readonly negative: boolean;
}

/**
 * Splits a chain of additions into its signed terms, left to right, distributing negations
 * over the sums they cover (`a + -(b + -c)` has terms a, -b, c); null past `limit` terms, so
 * that a guard looking at a long chain costs a bounded amount at each of its nodes.
 * @example
 * ```ts
 * termsOf(add(add(a, neg(b)), c)); // [{ body: a, negative: false }, { body: b, negative: true }, { body: c, negative: false }]
 * ```
 */
export function termsOf(node: Node, limit = 32): readonly SignedTerm[] | null {
  // A node's terms never change (nodes are immutable), and a dozen term rules ask at every add.
  if (limit !== 32) return walkTerms(node, limit);
  // The rules ask one node after another, so a small cache by id serves them (a WeakMap of every
  // node visited cost more, in lookups and in garbage collection, than the walk it saved).
  const slot = node.id & (TERMS_CACHE_SIZE - 1);
  if (termsNodes[slot] === node) return termsFound[slot]!;
  const terms = walkTerms(node, limit);
  termsNodes[slot] = node;
  termsFound[slot] = terms;
  return terms;
}

const TERMS_CACHE_SIZE = 64;
const termsNodes: (Node | undefined)[] = new Array<Node | undefined>(TERMS_CACHE_SIZE).fill(undefined);
const termsFound: (readonly SignedTerm[] | null)[] = new Array<readonly SignedTerm[] | null>(TERMS_CACHE_SIZE).fill(null);

/** Nested negations followed before a term counts as one that does not split (`-(-(-x))`). */
export const NEGATION_DEPTH = 64;

function walkTerms(node: Node, limit: number): readonly SignedTerm[] | null {
  const into: SignedTerm[] = [];
  // An addition `limit` additions below the root has more than `limit` terms around it (one in
  // each enclosing addition's other branch, two of its own): give up there, so that the walk
  // down a long chain stops after `limit` steps (linear per node, bounded stack).
  const walk = (n: Node, negative: boolean, depth: number, negations: number): boolean => {
    if (n.op === 'add') return depth < limit && walk(n.inputs[0]!, negative, depth + 1, negations) && walk(n.inputs[1]!, negative, depth + 1, negations);
    if (n.op === 'neg' && negations < NEGATION_DEPTH) return walk(n.inputs[0]!, !negative, depth, negations + 1);
    into.push({ body: n, negative });
    return into.length <= limit;
  };
  return walk(node, false, 0, 0) ? into : null;
}

/**
 * The node of a signed term (builds a `neg` for a negative one: call it where nodes may be built).
 * @example
 * ```ts
 * signedNode({ body: x, negative: true }); // neg(x)
 * ```
 */
export function signedNode(t: SignedTerm): Node {
  return t.negative ? neg(t.body) : t.body;
}

/**
 * True when the two nodes have the same static shape, written the same (symbolic dimensions by name).
 * @example
 * ```ts
 * sameStaticShape(input(['batch', 3]), input(['batch', 3])); // true
 * ```
 */
export function sameStaticShape(a: Node, b: Node): boolean {
  return sameWrittenShape(a.shape, b.shape);
}

/**
 * y when `node` is `1 + (-y)` with a scalar constant 1 (canonical `1 - y`), else null.
 * @example
 * ```ts
 * oneMinusOf(add(1, neg(y))); // y
 * ```
 */
export function oneMinusOf(node: Node): Node | null {
  if (node.op !== 'add') return null;
  const [a, b] = node.inputs as [Node, Node];
  for (const [one, minus] of [[a, b], [b, a]] as const) {
    if (isScalarConstant(one) && constantValue(one) === 1 && minus.op === 'neg') return minus.inputs[0]!;
  }
  return null;
}
