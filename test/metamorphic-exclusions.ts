/**
 * The LOSS_SPELLINGS entries, and the logits of some of them, that the spelling family of
 * test/metamorphic.test.ts and test/metamorphic-gradients.test.ts keeps out of its random
 * graphs, each for a stabilize bug found by it: the counterexamples are kept in
 * test/metamorphic-regressions.test.ts as known failures. Remove an entry when its bug is fixed.
 */
import type { LossCase } from '@stablegrad/testing';

/**
 * Catalogue entries kept out of the spelling family, each for a stabilize bug that
 * test/metamorphic-regressions.test.ts keeps as a known failure (its counterexample there).
 * Remove an entry when its bug is fixed.
 */
export const EXCLUDED_SPELLINGS: { readonly [name: string]: string } = {
  // KL divergence becomes sum(Y log Y) + softmaxCrossEntropyWithLogits(z, Y): the two cancel
  // when softmax(z) is close to Y (z = [0, 0.4], Y = softmax(z): exact 2.1e-35, stabilized -1.1e-16).
  'kl-divergence-ratio': 'KL divergence near its minimum',
  'kl-divergence-difference': 'KL divergence near its minimum',
};

/**
 * Logits kept out of some spellings, for stabilize bugs with a counterexample in
 * test/metamorphic-regressions.test.ts (known failures there): a case is excluded when its
 * logits scale or source is listed. Remove an entry when fixed.
 */
export const LOGITS_EXCLUSIONS: { readonly [name: string]: { readonly scales?: readonly number[]; readonly sources?: readonly string[] } } = {
};

/**
 * True when a case is kept out of the random graphs (see LOGITS_EXCLUSIONS).
 * @example
 * ```ts
 * lossCaseOf({ families: ['spelling'] }).filter((c) => !excluded(c));
 * ```
 */
export function excluded(lossCase: LossCase): boolean {
  const { loss, logits } = lossCase.recipe;
  const rule = loss.family === 'spelling' ? LOGITS_EXCLUSIONS[loss.name] : undefined;
  return rule !== undefined && ((rule.scales ?? []).includes(logits.scale) || (rule.sources ?? []).includes(logits.source));
}
