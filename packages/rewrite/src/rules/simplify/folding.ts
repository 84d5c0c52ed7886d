/**
 * Constant folding: an op whose inputs are all constants becomes the constant it computes, so
 * that gradient graphs do not carry chains such as `expandDims(div(1, 4), 0)` into every run.
 * Folded values are computed by the same kernels the graph would run (float32 graphs round the
 * same way), and only small results (at most 1024 elements) are folded, so that a graph does
 * not grow by embedding large tensors. Inputs and params are never folded: a param's value is
 * only its initial value.
 * @module
 */
import { add, constant, evaluate, hasTrait, input, isConcrete, type Node, neg, OP_NAMES, type OpName, sizeOf, type Tensor, where } from '@stablegrad/core';
import { op, type Pattern, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { isConstant } from '../_guards.js';

/** Results with more elements than this stay computed at run time. */
export const FOLD_LIMIT = 1024;

const OPS: readonly OpName[] = OP_NAMES.filter((name) => !hasTrait(name, 'source'));
const k = <N extends string>(name: N): Pattern<N> => v(name, isConstant);

// Small, statically shaped results only.
function small(node: Node): boolean {
  return isConcrete(node.shape) && sizeOf(node.shape) <= FOLD_LIMIT;
}

// The constant `node` computes; `node` itself (no rewrite) when evaluating it fails, so that
// the error comes from the graph's own run, with its own message.
function fold(node: Node): Node {
  let value: Tensor;
  try {
    value = evaluate(node);
  } catch {
    return node;
  }
  return constant(value, { dtype: node.dtype });
}

const scalar = (value: number): Node => constant(value);

/** op(constant) -> constant. */
export const foldOneConstant = rule({
  name: 'fold-one-constant',
  doc: 'an op of one constant is the constant it computes (results of at most 1024 elements)',
  // f(c) = its value
  pattern: op(OPS, [k('a')]),
  guard: (m) => small(m.$root),
  replace: (m) => fold(m.$root),
  examples: [{ before: () => neg(scalar(2)), after: '-2' }],
});

/** op(constant, constant) -> constant. */
export const foldTwoConstants = rule({
  name: 'fold-two-constants',
  doc: 'an op of two constants is the constant it computes (results of at most 1024 elements)',
  // f(c1, c2) = its value
  pattern: op(OPS, [k('a'), k('b')]),
  guard: (m) => small(m.$root),
  replace: (m) => fold(m.$root),
  examples: [
    { before: () => add(scalar(2), scalar(3)), after: '5' },
    { before: () => add(input([3], { name: 'x' }), add(scalar(2), scalar(3))), after: 'add(x, 5)' },
  ],
});

/** op(constant, constant, constant) -> constant. */
export const foldThreeConstants = rule({
  name: 'fold-three-constants',
  doc: 'an op of three constants is the constant it computes (results of at most 1024 elements)',
  // f(c1, c2, c3) = its value
  pattern: op(OPS, [k('a'), k('b'), k('c')]),
  guard: (m) => small(m.$root),
  replace: (m) => fold(m.$root),
  examples: [{ before: () => where(constant(1, { dtype: 'int32' }), scalar(7), scalar(8)), after: '7' }],
});

/** The folding rules, in the order they are tried. */
export const foldingRules = [foldOneConstant, foldTwoConstants, foldThreeConstants];
