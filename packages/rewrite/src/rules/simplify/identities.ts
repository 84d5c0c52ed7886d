/**
 * Arithmetic identities: `x + 0`, `x * 1`, `x / 1` and a cast to the dtype a value already has
 * are the value itself (`-(-x)` is `double-negation`, a canonicalize rule in
 * canonicalize/negation.ts that the simplify set runs too). Each rewrites only when the value
 * alone has the node's dtype and static shape (a constant operand that broadcasts the result
 * larger stays), and each is exact in IEEE arithmetic except that `-0 + 0` is `+0`, where the
 * rewrite keeps `-0`.
 * Gradient graphs are full of these (`cotangent * 1`, the seed of `grad`).
 * @module
 */
import { add, apply, div, input, mul, opDef } from '@stablegrad/core';
import { bind, c, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { keepsShape } from '../_guards.js';

const x = v('x');
const named = (name: string) => input([3], { name });

/** x + 0 -> x. */
export const addZero = rule({
  name: 'add-zero',
  doc: 'x + 0 is x',
  // x + 0 = x (and -0 + 0 = +0 becomes -0, the same number)
  pattern: P.add(x, bind('zero', c(0))),
  guard: (m) => keepsShape(m.x, m.$root, [m.zero]),
  replace: (m) => m.x,
  examples: [{ before: () => add(0, named('x')), after: 'x' }],
});

/** x * 1 -> x. */
export const multiplyByOne = rule({
  name: 'multiply-by-one',
  doc: 'x * 1 is x',
  // x * 1 = x
  pattern: P.mul(x, bind('one', c(1))),
  guard: (m) => keepsShape(m.x, m.$root, [m.one]),
  replace: (m) => m.x,
  examples: [{ before: () => mul(named('x'), 1), after: 'x' }],
});

/** x / 1 -> x. */
export const divideByOne = rule({
  name: 'divide-by-one',
  doc: 'x / 1 is x',
  // x / 1 = x
  pattern: P.div(x, bind('one', c(1))),
  guard: (m) => keepsShape(m.x, m.$root, [m.one]),
  replace: (m) => m.x,
  examples: [{ before: () => div(named('x'), 1), after: 'x' }],
});

/** cast(x, dtype of x) -> x. */
export const castToOwnDType = rule({
  name: 'cast-to-own-dtype',
  doc: 'a cast to the dtype a value already has is the value',
  // cast(x: T, T) = x
  pattern: op('cast', [x]),
  guard: (m) => m.x.dtype === m.$root.dtype,
  replace: (m) => m.x,
  examples: [{ before: () => apply(opDef('cast'), [named('x')], { dtype: 'float32' }), after: 'x' }],
});

/** The arithmetic identities, in the order they are tried. */
export const identityRules = [addZero, multiplyByOne, divideByOne, castToOwnDType];
