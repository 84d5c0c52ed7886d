/**
 * The entry points: `stabilize` (canonicalize, stabilize, simplify) and `simplify` alone.
 * @module
 */
import type { Graph, GraphOutputs } from '@stablegrad/core';
import { checkOptionKeys, withRuleContext } from './context.js';
import { rewrite, type RewriteOptions, type RewriteResult } from './engine.js';
import { PHASES } from './rules/index.js';

/**
 * Options of `stabilize`: the engine's limits, plus how small an epsilon must be to be treated
 * as a stability guard.
 * @example
 * ```ts
 * stabilize({ loss }, { guardEpsilon: 1e-4 }); // also drop log(p + 1e-5) guards
 * ```
 */
export interface StabilizeOptions extends RewriteOptions {
  /**
   * Epsilons and clip bounds up to this value (in `log(p + eps)`, `clip(p, eps, 1 - eps)`,
   * `maximum(p, eps)`, `clip(log p, log eps, ...)`) are stability guards, dropped where the
   * probability has a stable logit form; larger ones are kept as written. Default 1e-6
   * (`DEFAULT_GUARD_EPSILON`); at most 0.01.
   */
  readonly guardEpsilon?: number;
}

/** The option names `stabilize` accepts. */
export const STABILIZE_OPTIONS: readonly string[] = ['maxPasses', 'maxFiringsPerNode', 'guardEpsilon'];

/**
 * Rewrites a graph into its numerically stable form: logs of sigmoids and softmaxes become
 * logit forms, Keras-style clipped probability losses and hand-written cross-entropies become
 * the fused ops, and accuracy rewrites remove cancellation. Returns the new graph and a report
 * (`explain(report)` prints it).
 * @example
 * ```ts
 * const z = input(['batch'], { name: 'z' });
 * const y = input(['batch'], { name: 'y' });
 * const p = sigmoid(z);
 * const loss = mean(neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))));
 * const { graph, report } = stabilize({ loss });
 * printGraph(graph); // mean(sigmoidCrossEntropyWithLogits(z, y))
 * ```
 */
export function stabilize(g: Graph | GraphOutputs, options: StabilizeOptions = {}): RewriteResult {
  checkOptionKeys(options, STABILIZE_OPTIONS, 'stabilize');
  return withRuleContext(options, () => rewrite(g, PHASES, options));
}

/**
 * Only the simplify phase: constant folding, common subexpressions and identities.
 * @example
 * ```ts
 * const { graph } = simplify({ loss, ...gradients });
 * ```
 */
export function simplify(g: Graph | GraphOutputs, options: RewriteOptions = {}): RewriteResult {
  return rewrite(g, PHASES.filter((p) => p.name === 'simplify'), options);
}
