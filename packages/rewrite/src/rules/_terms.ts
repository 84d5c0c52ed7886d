/**
 * Rules about two terms of a sum, wherever they stand in it: `max(z, 0) - z*y + log1p(exp(-|z|))`
 * has its softplus pieces first and last, and people write the terms of a loss in any order.
 * A term-pair rule matches every `add` node, splits the chain of additions under it into terms
 * (at most 32, so the cost per node is bounded), finds one term passing `first` and another
 * passing `second` that `combine` accepts, and puts the combined term where the first one stood.
 * @module
 */
import { add, broadcastShapes, type Node, sameWrittenShape, type Shape } from '@stablegrad/core';
import type { Match } from '../match.js';
import { P, v } from '../pattern.js';
import { type RewriteRule, rule, type RuleExample } from '../rule.js';
import { NEGATION_DEPTH, type SignedTerm, signedNode, termsOf } from './_guards.js';

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

/**
 * A candidate term: a leaf of the sum, or a group (an addition inside it, such as affine logits
 * `x*w + b` that another term also uses), covering the leaves `from` to `to` (exclusive).
 */
interface Candidate extends SignedTerm {
  readonly from: number;
  readonly to: number;
}

interface Found {
  readonly leaves: readonly SignedTerm[];
  readonly first: Candidate;
  readonly second: Candidate;
  readonly build: () => Node;
}

/** The leaves of the sum under `root` and every addition inside it, as candidates; null past 32 leaves. */
function candidatesOf(root: Node): { leaves: readonly SignedTerm[]; candidates: readonly Candidate[] } | null {
  const leaves = termsOf(root);
  if (leaves === null) return null;
  const candidates: Candidate[] = leaves.map((t, k) => ({ ...t, from: k, to: k + 1 }));
  // The walk of termsOf again (the same leaves in the same order), noting where each inner
  // addition's leaves start and end.
  let next = 0;
  const walk = (n: Node, negative: boolean, inner: boolean, negations: number): void => {
    if (n.op === 'add') {
      const from = next;
      walk(n.inputs[0]!, negative, true, negations);
      walk(n.inputs[1]!, negative, true, negations);
      if (inner) candidates.push({ body: n, negative, from, to: next });
    } else if (n.op === 'neg' && negations < NEGATION_DEPTH) {
      walk(n.inputs[0]!, !negative, inner, negations + 1);
    } else {
      next++;
    }
  };
  walk(root, false, false, 0);
  return { leaves, candidates };
}

function findPair(root: Node, def: TermPairDefinition): Found | null {
  const found = candidatesOf(root);
  if (found === null) return null;
  const { leaves, candidates } = found;
  for (const first of candidates) {
    if (!def.first(first)) continue;
    for (const second of candidates) {
      if (second === first || !(second.to <= first.from || second.from >= first.to) || !def.second(second)) continue;
      const build = def.combine(first, second);
      if (build !== null) return { leaves, first, second, build };
    }
  }
  return null;
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
  // The guard runs at each order of the commutative add, and the replacement right after the
  // guard accepted: all three ask about the same root, one after the other. So one remembered
  // answer serves them (a WeakMap of every add node cost more than the question).
  let lastRoot: Node | undefined;
  let lastFound: Found | null = null;
  const lookup = (root: Node): Found | null => {
    if (root !== lastRoot) {
      lastFound = findPair(root, def);
      lastRoot = root;
    }
    return lastFound;
  };
  return rule({
    name: def.name,
    doc: def.doc,
    pattern: P.add(v('a'), v('b')),
    guard: (m: Match<'a' | 'b'>) => lookup(m.$root) !== null,
    replace: (m: Match<'a' | 'b'>) => {
      const { leaves, first, second, build } = lookup(m.$root)!;
      const combined = build();
      const expected = pairShape(first.body, second.body);
      // A combined term of another shape or dtype would change the sum: leave the node as it is.
      if (expected === null || !sameWrittenShape(combined.shape, expected) || combined.dtype !== m.$root.dtype) return m.$root;
      const inPair = (k: number) => (k >= first.from && k < first.to) || (k >= second.from && k < second.to);
      const at = Math.min(first.from, second.from);
      const rest = leaves.flatMap((t, k) => (k === at ? [combined] : inPair(k) ? [] : [signedNode(t)]));
      const total = rest.reduce((sum, t) => add(sum, t));
      return sameWrittenShape(total.shape, m.$root.shape) ? total : m.$root;
    },
    examples: def.examples,
  });
}

/** `t` without a leading negation, and whether there was one. */
export function unsigned(t: Node): SignedTerm {
  return t.op === 'neg' ? { negative: true, body: t.inputs[0]! } : { negative: false, body: t };
}
