/**
 * Readable forms: canonicalize writes `a - b` as `add(a, neg(b))` so that stabilize patterns
 * need one spelling; simplify writes it back as `sub(a, b)`, so printed graphs, reports and
 * pictures read the way people write them, and one op runs instead of two. All exact: IEEE
 * subtraction is addition of the negation.
 * @module
 */
import { add, constant, input, neg, type Node, sub, tensor } from '@stablegrad/core';
import { P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { isConstant } from '../_guards.js';

const a = v('a');
const b = v('b');
const named = (name: string) => input([3], { name });
// A constant whose elements are all negative (so its negation is all positive).
const negativeConstant = (node: Node): boolean => isConstant(node) && node.value!.data.every((x) => x < 0);

/** add(a, neg(b)) -> sub(a, b), and add(neg(b), a) -> sub(a, b). */
export const addNegationToSub = rule({
  name: 'add-negation-to-sub',
  doc: 'a + (-b) reads as a - b',
  // a + (-b) = a - b
  pattern: P.add(a, P.neg(b)),
  replace: (m) => sub(m.a, m.b),
  examples: [
    { before: () => sub(named('a'), named('b')), after: 'sub(a, b)' },
    { before: () => add(neg(named('b')), named('a')), after: 'sub(a, b)' },
  ],
});

/** neg(sub(a, b)) -> sub(b, a). */
export const negatedDifference = rule({
  name: 'negated-difference',
  doc: '-(a - b) reads as b - a',
  // -(a - b) = b - a, exactly (rounding to nearest is symmetric)
  pattern: P.neg(P.sub(a, b)),
  replace: (m) => sub(m.b, m.a),
  examples: [{ before: () => neg(sub(named('a'), named('b'))), after: 'sub(b, a)' }],
});

/** add(x, -c) -> sub(x, c) for a constant -c < 0. */
export const addNegativeConstant = rule({
  name: 'add-negative-constant',
  doc: 'x + (-c) reads as x - c (canonical x - 1 is x + neg(1), and neg(1) folds to -1)',
  // x + (-c) = x - c
  pattern: P.add(a, v('k', negativeConstant)),
  replace: (m) => {
    const k = m.k.value!;
    return sub(m.a, constant(tensor(k.data.map((x) => -x), { dtype: k.dtype, shape: k.shape })));
  },
  examples: [
    { before: () => add(named('x'), -2), after: 'sub(x, 2)' },
    { before: () => sub(named('x'), 1), after: 'sub(x, 1)' },
  ],
});

/** The readable forms, in the order they are tried. */
export const readableRules = [addNegationToSub, negatedDifference, addNegativeConstant];
