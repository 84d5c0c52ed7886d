/**
 * Rules are data: a kebab-case name, a one-line doc, a pattern, an optional guard, a
 * replacement built with ordinary graph ops, and before => after examples that the tests run.
 * @module
 */
import type { Node } from '@stablegrad/core';
import type { Match } from './match.js';
import type { Pattern } from './pattern.js';

/**
 * A before => after example: `before` builds a graph, `after` is the expected expression.
 * @example
 * ```ts
 * const example: RuleExample = { before: () => log(sigmoid(input([3], { name: 'z' }))), after: 'logSigmoid(z)' };
 * ```
 */
export interface RuleExample {
  /** Builds the graph to rewrite (use inputs with short names: they print by name). */
  readonly before: () => Node;
  /** The rewritten graph as `formatExpression` prints it. */
  readonly after: string;
}

/**
 * A rewrite rule. Make one with `rule()`.
 * @example
 * ```ts
 * for (const r of stabilizeRules) console.log(r.name, r.doc, r.examples.length);
 * ```
 */
export interface RewriteRule<N extends string = string> {
  /** kebab-case, unique across all rule sets; reports and docs use it. */
  readonly name: string;
  /** One line: what the rule does and why. */
  readonly doc: string;
  readonly pattern: Pattern<N>;
  /** Extra condition on a match (same axes, labels known to sum to 1, ...). */
  guard?(m: Match<N>): boolean;
  /** Builds the replacement from the match. It must have the matched node's dtype and shape. */
  replace(m: Match<N>): Node;
  readonly examples: readonly RuleExample[];
}

/**
 * Defines a rewrite rule.
 * @example
 * ```ts
 * const z = v('z');
 * export const logOfSigmoid = rule({
 *   name: 'log-sigmoid',
 *   doc: 'log(sigmoid(z)) is logSigmoid(z), finite where sigmoid(z) rounds to 0',
 *   pattern: P.log(P.sigmoid(z)),
 *   replace: (m) => logSigmoid(m.z),
 *   examples: [{ before: () => log(sigmoid(input([3], { name: 'z' }))), after: 'logSigmoid(z)' }],
 * });
 * ```
 */
export function rule<N extends string>(definition: RewriteRule<N>): RewriteRule<N> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(definition.name)) {
    throw new TypeError(`rule name ${JSON.stringify(definition.name)} must be kebab-case`);
  }
  if (definition.doc.includes('\n') || definition.doc.length === 0) {
    throw new TypeError(`rule '${definition.name}' needs a one-line doc`);
  }
  return Object.freeze(definition);
}

/**
 * An ordered rule set run to a fixpoint.
 * @example
 * ```ts
 * const phase: Phase = { name: 'simplify', rules: simplifyRules, cse: true };
 * rewrite(graph({ loss }), [phase]);
 * ```
 */
export interface Phase {
  readonly name: string;
  readonly rules: readonly RewriteRule[];
  /**
   * Also merge common subexpressions: a node equal to an earlier one (same op, same input
   * nodes, same attributes; constants by value) is replaced by it, reported as rule
   * `common-subexpression`; `'silent'` merges without reporting (bookkeeping that lets rules
   * compare operands by identity, as canonicalize and stabilize do). Default false.
   */
  readonly cse?: boolean | 'silent';
}
