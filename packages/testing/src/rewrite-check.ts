/**
 * Checks a rewrite's two claims on given inputs: the rewritten graph computes the same math as
 * the original (their high-precision references agree), and it computes it accurately (within a
 * few ULP of that reference and finite wherever the truth is finite), while the original may not.
 * @module
 */
import { evaluate, type Feeds, type Node } from '@stablegrad/core';
import { describeFeeds, formatNumber } from './format.js';
import { referenceEvaluate } from './reference.js';
import { ulpDistance } from './ulp.js';

/**
 * What `compareRewrite` found for one set of feeds.
 * @example
 * ```ts
 * const z = input([3], { name: 'z' });
 * const { finite, rewrittenUlp, worst } = compareRewrite(log(sigmoid(z)), logSigmoid(z), { z: [-200, 0, 30] }, 4);
 * ```
 */
export interface RewriteComparison {
  /** ULP distance between the references of the original and rewritten graphs (0 for exact rules). */
  readonly semanticUlp: number;
  /** Largest ULP error of the rewritten graph's kernels against its reference. */
  readonly rewrittenUlp: number;
  /** Largest ULP error of the original graph's kernels against the same reference. */
  readonly originalUlp: number;
  /** The rewritten graph is finite wherever the reference is. */
  readonly finite: boolean;
  /** Where the original is within `ulp` of the truth, the rewritten graph is too. */
  readonly agreesWhereOriginalAccurate: boolean;
  /** Element with the largest rewritten error, and its values. */
  readonly worst: { readonly index: number; readonly rewritten: number; readonly original: number; readonly expected: number };
}

/**
 * Evaluates `original` and `rewritten` (same inputs, one output each) with the float kernels
 * and the high-precision reference.
 * @example
 * ```ts
 * const z = input([3], { name: 'z' });
 * const naive = log(sigmoid(z));
 * const c = compareRewrite(naive, logSigmoid(z), { z: [-200, 0, 30] }, 4);
 * c.finite; // true, while naive is -Infinity at z = -200 in float32
 * ```
 */
export function compareRewrite(original: Node, rewritten: Node, feeds: Feeds, ulp: number): RewriteComparison {
  const [truth, truthOriginal] = referenceEvaluate([rewritten, original], feeds);
  const [got, gotOriginal] = evaluate([rewritten, original], feeds);
  const expected = truth!.values;
  let semanticUlp = 0;
  let rewrittenUlp = 0;
  let originalUlp = 0;
  let finite = true;
  let agrees = true;
  let worst = { index: -1, rewritten: NaN, original: NaN, expected: NaN };
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const r = got!.data[i]!;
    const o = gotOriginal!.data[i]!;
    semanticUlp = Math.max(semanticUlp, ulpDistance(truthOriginal!.values[i]!, e, rewritten.dtype));
    const dr = ulpDistance(r, e, rewritten.dtype);
    const dOriginal = ulpDistance(o, e, rewritten.dtype);
    if (dr > rewrittenUlp || worst.index < 0) {
      rewrittenUlp = Math.max(rewrittenUlp, dr);
      worst = { index: i, rewritten: r, original: o, expected: e };
    }
    originalUlp = Math.max(originalUlp, dOriginal);
    if (Number.isFinite(e) && !Number.isFinite(r)) finite = false;
    if (dOriginal <= ulp && dr > ulp) agrees = false;
  }
  return { semanticUlp, rewrittenUlp, originalUlp, finite, agreesWhereOriginalAccurate: agrees, worst };
}

/**
 * Throws unless the rewrite is exact in meaning (references within `ulp`; pass
 * `exactMeaning: false` for rules that drop Keras-style clipping on purpose), accurate (within
 * `ulp`), and finite where the truth is.
 * @example
 * ```ts
 * expectRewriteAccurate(naive, stable, feeds, { ulp: 4 });
 * ```
 */
export function expectRewriteAccurate(
  original: Node, rewritten: Node, feeds: Feeds, options: { ulp: number; exactMeaning?: boolean },
): RewriteComparison {
  const c = compareRewrite(original, rewritten, feeds, options.ulp);
  const problems: string[] = [];
  if ((options.exactMeaning ?? true) && c.semanticUlp > options.ulp) problems.push(`the two graphs mean different things (references ${c.semanticUlp} ULP apart)`);
  if (c.rewrittenUlp > options.ulp) {
    problems.push(`the rewritten graph is ${c.rewrittenUlp} ULP off at index ${c.worst.index}: got ${formatNumber(c.worst.rewritten)}, expected ${formatNumber(c.worst.expected)}`);
  }
  if (!c.finite) problems.push('the rewritten graph is not finite where the truth is');
  if (problems.length > 0) throw new Error(`rewrite check failed: ${problems.join('; ')}\n  at ${describeFeeds(feeds)}`);
  return c;
}
