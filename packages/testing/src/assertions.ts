/**
 * Accuracy assertions: a graph evaluated by core's float kernels against the high-precision
 * reference, measured in ULP of each output's dtype, plus the finiteness contract (never
 * Infinity or NaN where the true value, rounded to the dtype, is finite).
 * @module
 */
import { type DType, evaluate, type Feeds, Node } from '@stablegrad/core';
import { describeFeeds, formatNumber } from './format.js';
import { type ReferenceOptions, referenceEvaluate } from './reference.js';
import { ulpDistance } from './ulp.js';

/**
 * How accurate one output is.
 * @example
 * ```ts
 * const [{ maxUlp, index, actual, expected, finite }] = accuracyReport(loss, feeds).outputs;
 * ```
 */
export interface OutputAccuracy {
  readonly node: Node;
  readonly dtype: DType;
  /** Largest ULP distance to the correctly rounded reference (int32: largest |difference|). */
  readonly maxUlp: number;
  /** Where `maxUlp` is reached (-1 for an empty output), and the two values there. */
  readonly index: number;
  readonly actual: number;
  readonly expected: number;
  /** False when some element is non-finite although the rounded reference is finite. */
  readonly finite: boolean;
  /** The first such element, or -1. */
  readonly firstNonFinite: number;
}

/**
 * `accuracyReport`'s result: one entry per output.
 * @example
 * ```ts
 * const { maxUlp, finite } = accuracyReport([loss, grads[0]], feeds);
 * ```
 */
export interface AccuracyReport {
  readonly outputs: readonly OutputAccuracy[];
  /** Largest `maxUlp` over the outputs. */
  readonly maxUlp: number;
  /** True when every output is finite wherever its reference is. */
  readonly finite: boolean;
}

/**
 * Compares `evaluate(outputs, feeds)` with `referenceEvaluate(outputs, feeds)`.
 * @example
 * ```ts
 * const z = input([4], { name: 'z' });
 * const report = accuracyReport(z.sigmoid().log(), { z: [-200, -20, 0, 20] });
 * report.outputs[0].finite; // false: log(sigmoid(-200)) is -Infinity in float32, the truth is -200
 * ```
 */
export function accuracyReport(outputs: Node | readonly Node[], feeds: Feeds = {}, options: ReferenceOptions = {}): AccuracyReport {
  const list = outputs instanceof Node ? [outputs] : [...outputs];
  const actual = evaluate(list, feeds);
  const expected = referenceEvaluate(list, feeds, options);
  const results = list.map((node, k): OutputAccuracy => {
    const a = actual[k]!.data;
    const e = expected[k]!.values;
    let maxUlp = 0;
    let index = a.length === 0 ? -1 : 0;
    let firstNonFinite = -1;
    for (let i = 0; i < a.length; i++) {
      const d = ulpDistance(a[i]!, e[i]!, node.dtype);
      if (d > maxUlp) [maxUlp, index] = [d, i];
      if (firstNonFinite < 0 && Number.isFinite(e[i]!) && !Number.isFinite(a[i]!)) firstNonFinite = i;
    }
    return {
      node, dtype: node.dtype, maxUlp, index, actual: index < 0 ? NaN : a[index]!, expected: index < 0 ? NaN : e[index]!,
      finite: firstNonFinite < 0, firstNonFinite,
    };
  });
  return { outputs: results, maxUlp: Math.max(0, ...results.map((r) => r.maxUlp)), finite: results.every((r) => r.finite) };
}

/**
 * Options of `expectAccurate`.
 * @example
 * ```ts
 * expectAccurate(loss, feeds, { ulp: 2, finite: true });
 * ```
 */
export interface ExpectAccurateOptions extends ReferenceOptions {
  /** Largest allowed ULP distance from the correctly rounded reference. */
  readonly ulp: number;
  /** Require finite results where the reference is finite (default true). */
  readonly finite?: boolean;
}

/**
 * Throws an Error naming each output that is more than `ulp` ULP from the reference, or
 * non-finite where the reference is finite; returns the report otherwise.
 * @example
 * ```ts
 * const z = input([3], { dtype: 'float64', name: 'z' });
 * expectAccurate(z.softplus(), { z: [-800, 0, 800] }, { ulp: 2 });
 * ```
 */
export function expectAccurate(outputs: Node | readonly Node[], feeds: Feeds, options: ExpectAccurateOptions): AccuracyReport {
  const report = accuracyReport(outputs, feeds, options);
  const requireFinite = options.finite ?? true;
  const problems = report.outputs.flatMap((r, k) => {
    const found: string[] = [];
    if (r.maxUlp > options.ulp) {
      found.push(`output ${k} ${r.node} is ${r.maxUlp} ULP from the reference at index ${r.index}: ` +
        `got ${formatNumber(r.actual)}, expected ${formatNumber(r.expected)} (allowed ${options.ulp} ULP)`);
    }
    if (requireFinite && !r.finite) {
      found.push(`output ${k} ${r.node} is not finite at index ${r.firstNonFinite} where the reference is finite`);
    }
    return found;
  });
  if (problems.length > 0) throw new Error(`not accurate: ${problems.join('; ')}\n  at ${describeFeeds(feeds)}`);
  return report;
}
