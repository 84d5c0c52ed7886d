/**
 * Rules about two terms of a sum, wherever they stand in it: `max(z, 0) - z*y + log1p(exp(-|z|))`
 * has its softplus pieces first and last, and people write the terms of a loss in any order.
 * A term-pair rule matches every `add` node, splits the chain of additions under it into terms
 * (at most 32, so the cost per node is bounded), finds one term passing `first` and another
 * passing `second` that `combine` accepts, and puts the combined term where the first one stood.
 * @module
 */
import { add, broadcastShapes, type Node, type Shape } from '@stablegrad/core';
import type { Match } from '../match.js';
import { P, v } from '../pattern.js';
import { type RewriteRule, rule, type RuleExample } from '../rule.js';
import { type SignedTerm, signedNode, termsOf } from './_guards.js';

/**
 * A rule on two terms of a sum. `combine` looks at the pair and returns a builder of the term
 * that replaces both, or null when the pair does not qualify; it must not build nodes itself
 * (guards run outside the matched node's scope).
 * @example
 * ```ts
 * termPairRule({
 *   name: 'softplus-from-negated', doc: 't + softplus(-t) is softplus(t)',
 *   first: (t) => !t.negative, second: (t) => !t.negative && t.body.op === 'softplus',
 *   combine: (t, s) => (isNegationOf(s.body.inputs[0]!, t.body) ? () => softplus(t.body) : null),
 *   examples: [],
 * });
 * ```
 */
export interface TermPairDefinition {
  readonly name: string;
  readonly doc: string;
  /** A cheap filter for the first term of the pair (with its sign: `a - b` has the terms a and -b). */
  readonly first: (term: SignedTerm) => boolean;
  /** A cheap filter for the second term. */
  readonly second: (term: SignedTerm) => boolean;
  readonly combine: (first: SignedTerm, second: SignedTerm) => (() => Node) | null;
  readonly examples: readonly RuleExample[];
}

interface Found {
  readonly terms: readonly SignedTerm[];
  readonly i: number;
  readonly j: number;
  readonly build: () => Node;
}

function findPair(root: Node, def: TermPairDefinition): Found | null {
  const terms = termsOf(root);
  if (terms === null) return null;
  for (let i = 0; i < terms.length; i++) {
    if (!def.first(terms[i]!)) continue;
    for (let j = 0; j < terms.length; j++) {
      if (j === i || !def.second(terms[j]!)) continue;
      const build = def.combine(terms[i]!, terms[j]!);
      if (build !== null) return { terms, i, j, build };
    }
  }
  return null;
}

function sameShapes(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

function pairShape(a: Node, b: Node): Shape | null {
  try {
    return broadcastShapes(a.shape, b.shape);
  } catch {
    return null;
  }
}

/**
 * Makes a term-pair rule (see the module comment).
 * @example
 * ```ts
 * export const softplusFromNegated = termPairRule({ name: 'softplus-from-negated', ... });
 * ```
 */
export function termPairRule(def: TermPairDefinition): RewriteRule<'a' | 'b'> {
  const found = new WeakMap<Node, Found | null>();
  const lookup = (root: Node): Found | null => {
    if (!found.has(root)) found.set(root, findPair(root, def));
    return found.get(root)!;
  };
  return rule({
    name: def.name,
    doc: def.doc,
    pattern: P.add(v('a'), v('b')),
    guard: (m: Match<'a' | 'b'>) => lookup(m.$root) !== null,
    replace: (m: Match<'a' | 'b'>) => {
      const { terms, i, j, build } = lookup(m.$root)!;
      const combined = build();
      const expected = pairShape(terms[i]!.body, terms[j]!.body);
      // A combined term of another shape or dtype would change the sum: leave the node as it is.
      if (expected === null || !sameShapes(combined.shape, expected) || combined.dtype !== m.$root.dtype) return m.$root;
      const rest = terms.flatMap((t, k) => (k === i ? [combined] : k === j ? [] : [signedNode(t)]));
      const total = rest.reduce((sum, t) => add(sum, t));
      return sameShapes(total.shape, m.$root.shape) ? total : m.$root;
    },
    examples: def.examples,
  });
}

/** `t` without a leading negation, and whether there was one. */
export function unsigned(t: Node): SignedTerm {
  return t.op === 'neg' ? { negative: true, body: t.inputs[0]! } : { negative: false, body: t };
}
