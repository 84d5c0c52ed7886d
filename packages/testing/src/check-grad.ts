/**
 * Gradient checks: core's `grad` evaluated with the float kernels, against central differences
 * of the high-precision reference at the exact input point (see `central-difference.ts`: the
 * numeric side is the true derivative to far more digits than float64 holds, so the comparison
 * can be as tight as a few ULP).
 * @module
 */
import { bindFeeds, type DType, evaluate, type Feeds, grad, GradError, type Node, type RefTensor, type Tensor, topoSort } from '@stablegrad/core';
import { centralDifferences, dependentsOf, type Derivative } from './central-difference.js';
import { type Decimal, type DecimalConstructor, type DecimalMath, decimalMath, roundToDType, toDecimal } from './decimal-math.js';
import { describeFeeds, formatNumber } from './format.js';
import { runReference, toRefTensor } from './reference.js';
import { ulp, ulpDistance } from './ulp.js';

/**
 * Options of `checkGrad`.
 * @example
 * ```ts
 * checkGrad(loss, [W], points, { rtol: 1e-7 });  // relative tolerance
 * checkGrad(loss, [W], points, { ulp: 4 });      // or ULP
 * ```
 */
export interface CheckGradOptions {
  /** Relative tolerance; default 1e-9 for float64 inputs, 1e-4 for float32 ones. */
  readonly rtol?: number;
  /**
   * Absolute tolerance; default `rtol` times the largest |numeric| component of the same input
   * at the same point, so tiny components of a large gradient are judged at its scale, and never
   * less than the dtype's smallest normal number (subnormal results carry fewer bits).
   */
  readonly atol?: number;
  /** When set, compare in ULP of the input's dtype instead: `ulpDistance <= ulp`. */
  readonly ulp?: number;
  /** Finite-difference step: `step * min(|x|, 1)`, or `step` at 0; default 1e-25. */
  readonly step?: number;
  /**
   * Replaces `evaluate(grad(y, wrt), feeds)`: the analytic gradients to check, one tensor per
   * node of `wrt`. For checking hand-written gradients, and for showing that the check fails.
   */
  readonly analytic?: (feeds: Feeds, point: number) => readonly Tensor[];
  /** High-precision arithmetic (default `decimalMath`, 60 digits). */
  readonly math?: DecimalMath;
}

/**
 * One compared gradient component.
 * @example
 * ```ts
 * const { node, index, analytic, numeric } = checkGrad(loss, [W], points).worst!;
 * ```
 */
export interface GradComponent {
  /** Index of the point in `points`. */
  readonly point: number;
  /** The node of `wrt` this component belongs to. */
  readonly node: Node;
  /** Flat index inside that node's value. */
  readonly index: number;
  readonly analytic: number;
  /** The numeric derivative, rounded to the node's dtype. */
  readonly numeric: number;
  /**
   * |analytic - numeric| / |numeric| (0 when both are 0, Infinity when only numeric is). NaN where
   * the numeric value is not known well enough to say: in tolerance mode, components far below
   * the tolerance are computed only as precisely as the tolerance needs.
   */
  readonly relError: number;
  /** ULP distance in the node's dtype (NaN where the numeric value is known less precisely). */
  readonly ulp: number;
  /** Error divided by the allowed error: the component passes when this is at most 1. */
  readonly excess: number;
}

/**
 * What `checkGrad` found.
 * @example
 * ```ts
 * const report = checkGrad(loss, [W, b], points);
 * if (!report.ok) console.log(report.failed, 'of', report.checked, report.worst);
 * ```
 */
export interface GradCheckReport {
  /** True when every component is within tolerance. */
  readonly ok: boolean;
  /** Largest `relError` over the components whose numeric value is known to a fraction of an ULP. */
  readonly maxRelError: number;
  /** Largest ULP distance over the components whose numeric value is known to a fraction of an ULP. */
  readonly maxUlp: number;
  /** The component with the largest `excess` (null when nothing was compared). */
  readonly worst: GradComponent | null;
  /** Number of components compared, and how many of them failed. */
  readonly checked: number;
  readonly failed: number;
  /** The rule that was applied, for messages. */
  readonly tolerance: string;
}

const DEFAULT_RTOL: Record<DType, number> = { float64: 1e-9, float32: 1e-4, int32: 0 };

// Below the normal range a dtype keeps fewer bits, so relative comparison means nothing there:
// the default absolute tolerance never drops below the smallest normal number.
const MIN_NORMAL: Record<DType, number> = { float64: 2 ** -1022, float32: 2 ** -126, int32: 0 };

/**
 * Checks the gradient of a scalar `y` with respect to `wrt` at each point (feeds as for
 * `evaluate`) against central differences of the reference evaluator.
 * @example
 * ```ts
 * const x = input([3], { dtype: 'float64', name: 'x' });
 * const report = checkGrad(x.exp().sum(), [x], [{ x: [0, 1, -2] }, { x: [700, -30, 1e-300] }], { ulp: 1 });
 * report.ok;        // true
 * report.maxUlp;    // 0 or 1 (Math.exp is within an ULP)
 * ```
 */
export function checkGrad(y: Node, wrt: readonly Node[], points: readonly Feeds[], options: CheckGradOptions = {}): GradCheckReport {
  if (y.shape.length !== 0) throw new GradError(`checkGrad needs a scalar output, got ${y}`);
  const M = options.math ?? decimalMath;
  const step = options.step ?? 1e-25;
  const grads = options.analytic === undefined ? grad(y, [...wrt]) : [];
  const nodes = topoSort([y]);
  const dependents = wrt.map((w) => dependentsOf(nodes, w));
  let worst: GradComponent | null = null;
  let maxRelError = 0;
  let maxUlpSeen = 0;
  let checked = 0;
  let failed = 0;

  points.forEach((feeds, point) => {
    const analytic = options.analytic === undefined ? evaluate(grads, feeds) : options.analytic(feeds, point);
    if (analytic.length !== wrt.length) throw new RangeError(`checkGrad: ${analytic.length} analytic gradients for ${wrt.length} nodes`);
    const { values, dims } = bindFeeds(nodes, feeds);
    const given = new Map<Node, RefTensor<Decimal>>();
    for (const [node, t] of values) given.set(node, toRefTensor(t, M));
    const base = runReference(nodes, [y], given, dims, M, true);

    wrt.forEach((w, k) => {
      const a = analytic[k]!.data;
      const rtol = options.rtol ?? DEFAULT_RTOL[w.dtype];
      const numeric = numericGradient(y, w, dependents[k]!, base, dims, M, step, a, options.ulp !== undefined, rtol, options.atol);
      const scale = numeric.reduce((m, n) => (n.value.isFinite() ? Math.max(m, n.value.abs().toNumber()) : m), 0);
      const atol = options.atol ?? Math.max(rtol * scale, MIN_NORMAL[w.dtype]);
      numeric.forEach((n, index) => {
        const c = compare(a[index]!, n, w.dtype, options.ulp, rtol, atol);
        const component: GradComponent = { point, node: w, index, analytic: a[index]!, numeric: roundToDType(n.value, w.dtype), ...c };
        checked++;
        if (c.excess > 1) failed++;
        if (!Number.isNaN(c.relError)) maxRelError = Math.max(maxRelError, c.relError);
        if (!Number.isNaN(c.ulp)) maxUlpSeen = Math.max(maxUlpSeen, c.ulp);
        if (worst === null || c.excess > worst.excess) worst = component;
      });
    });
  });

  const tolerance = options.ulp !== undefined
    ? `ulpDistance <= ${options.ulp}`
    : `|analytic - numeric| <= atol + rtol |numeric| with rtol ${options.rtol ?? 'by dtype (float64 1e-9, float32 1e-4)'}, atol ${options.atol ?? 'rtol * max |numeric| of the input'}`;
  return { ok: failed === 0, maxRelError, maxUlp: maxUlpSeen, worst, checked, failed, tolerance };
}

/**
 * Runs `checkGrad` and throws an Error that names the worst component when it fails.
 * @example
 * ```ts
 * assertGradClose(loss, [W, b], [{ x: batch, y: labels }], { rtol: 1e-6 });
 * ```
 */
export function assertGradClose(y: Node, wrt: readonly Node[], points: readonly Feeds[], options: CheckGradOptions = {}): GradCheckReport {
  const report = checkGrad(y, wrt, points, options);
  if (report.ok) return report;
  const w = report.worst!;
  throw new Error(
    `gradient check failed: ${report.failed} of ${report.checked} components out of tolerance (${report.tolerance}).\n` +
      `Worst: d '${y.path}' / d ${w.node} at index ${w.index}, point ${w.point} (${describeFeeds(points[w.point]!)}):\n` +
      `  analytic ${formatNumber(w.analytic)}, numeric ${formatNumber(w.numeric)} ` +
      `(${Number.isNaN(w.relError) ? '' : `relative error ${w.relError.toPrecision(3)}, `}${Number.isNaN(w.ulp) ? '' : `${w.ulp} ULP, `}` +
      `${w.excess.toPrecision(3)} times the allowed error)`,
  );
}

/**
 * The numeric gradient of y in w, each component known to a hundredth of what the comparison
 * allows (in ULP mode, of an ULP). A first pass at the base precision (or, in ULP mode, at the
 * precision the analytic value asks for) shows each derivative's size; components whose error
 * bound is still too large are recomputed with more digits.
 */
function numericGradient(
  y: Node, w: Node, dependents: readonly Node[], base: ReadonlyMap<Node, RefTensor<Decimal>>, dims: ReadonlyMap<string, number>,
  M: DecimalMath, step: number, analytic: ArrayLike<number>, ulpMode: boolean, rtol: number, atolOption: number | undefined,
): Derivative[] {
  const differences = centralDifferences(y, w, dependents, base, dims, M, step);
  if (differences === null) return Array.from(analytic, () => ({ value: new M.Decimal(0), errorLog10: -Infinity }));
  if (differences.size !== analytic.length) {
    throw new RangeError(`checkGrad: the analytic gradient of ${w} has ${analytic.length} values, the node ${differences.size}`);
  }
  const magnitude = (v: number): number => (Number.isFinite(v) ? Math.abs(v) : 0);
  const ulpTarget = (v: number): number => Math.log10(Math.max(ulp(v, w.dtype), ulp(0, w.dtype))) - 2;
  const first = Array.from(analytic, (a, i) => differences.derivative(i, ulpMode && magnitude(a) > 0 ? ulpTarget(magnitude(a)) : Infinity));
  // A lower bound on each |derivative| from the first pass.
  const known = first.map((d) => (d.value.isFinite() ? Math.max(0, d.value.abs().toNumber() - 10 ** d.errorLog10) : 0));
  const sizes = known.map((k, i) => Math.max(k, magnitude(analytic[i]!)));
  const atol = atolOption ?? Math.max(rtol * sizes.reduce((m, v) => Math.max(m, v), 0), MIN_NORMAL[w.dtype]);
  return first.map((d, i) => {
    const allowed = atol + rtol * sizes[i]!;
    const target = ulpMode || allowed === 0 ? ulpTarget(sizes[i]!) : Math.log10(allowed) - 2;
    return d.errorLog10 <= target ? d : differences.derivative(i, target);
  });
}

/** Error of one component against the tolerance rule. */
function compare(
  a: number, n: Derivative, dtype: DType, ulpTolerance: number | undefined, rtol: number, atol: number,
): Pick<GradComponent, 'relError' | 'ulp' | 'excess'> {
  const rounded = roundToDType(n.value, dtype);
  const distance = ulpDistance(a, rounded, dtype);
  // The ULP distance means something only when the numeric value is known to a fraction of an ULP.
  const ulpKnown = n.errorLog10 <= Math.log10(ulp(Number.isFinite(rounded) ? rounded : 0, dtype)) - 1;
  if (!Number.isFinite(a) || !n.value.isFinite()) {
    const same = distance === 0;
    return { relError: same ? 0 : Infinity, ulp: distance, excess: same ? 0 : Infinity };
  }
  const diff = toDecimal(a, n.value.constructor as DecimalConstructor).sub(n.value).abs().toNumber();
  const magnitude = n.value.abs().toNumber();
  const relError = diff === 0 ? 0 : magnitude === 0 ? Infinity : diff / magnitude;
  const ratio = (error: number, allowed: number): number => (error === 0 ? 0 : allowed === 0 ? Infinity : error / allowed);
  const excess = ulpTolerance !== undefined ? ratio(distance, ulpTolerance) : ratio(diff, atol + rtol * magnitude);
  // The relative error is known when the error bound is small next to the difference found.
  const relKnown = ulpKnown || (diff > 0 && n.errorLog10 <= Math.log10(diff) - 2);
  return { relError: relKnown ? relError : NaN, ulp: ulpKnown ? distance : NaN, excess };
}
