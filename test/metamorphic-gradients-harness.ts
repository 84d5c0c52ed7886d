/**
 * The gradient check of test/metamorphic-gradients.test.ts: prepare a random loss graph of the
 * testing kit's generator for training (`prepareTraining`: stabilize -> grad -> simplify),
 * evaluate its float gradients and compare them with the exact gradient.
 *
 * What is differentiated: the graph's output, summed when it is not a scalar (sum's VJP is an
 * exact broadcast, so it adds no rounding to any gradient), with respect to
 * - the logits z (the operands, for the cancelling expressions). Affine logits (`x * w + b`,
 *   `matmul(x, w) + b`) are fed as z at their computed float value, as ./metamorphic-harness.ts
 *   takes them: their rounding happens before the loss and is amplified by its conditioning,
 *   which no rewrite can or should remove;
 * - for affine logits also x, w and b, through the graph as written (what training updates).
 *
 * Reference: core's `grad` of the graph as written (Keras clips removed: the fused loss drops
 * them on purpose; the guards of a `dropsGuard` spelling cannot be removed, so such a case is
 * checked only where every guard is inactive, and not at all for an epsilon guard), evaluated by the 60-digit reference evaluator. In exact arithmetic this
 * chain rule through sigmoid, softmax and log is exact, and it shares nothing with what is
 * checked: no rewrite rule, fused op, fused VJP or gradient kernel. But 60 digits are not exact:
 * 1 - sigmoid(z) is 0 beyond z = 138, and the kit's exp is 0 or Infinity outright beyond
 * |z| = 1e6, so at the extreme logits this test is about, the naive chain is NaN or has lost its
 * digits. Hence, as in ./metamorphic-harness.ts: where the 60-digit value is finite but
 * disagrees with the compiled gradient, it is recomputed with 400 digits and kept where both
 * round to the same float. Elsewhere (NaN, Infinity, digits lost) the reference is central
 * differences of the reference of the stabilized forward graph, with as many digits as it
 * takes (like the kit's central-difference.ts, whose `checkGrad` reports only its worst
 * component, where the claims below need every value): the fused ops' forward references are
 * exact at every logit, and differences use no VJP or gradient kernel. They cost hundreds of
 * digits per component at extreme logits, hence only where the chain rule cannot answer.
 *
 * Claims, per gradient element, in ULP of the graph's dtype:
 * 1. finite: the compiled gradient is finite wherever the reference, rounded to the dtype, is
 *    (and never NaN where no reference could be computed: `inconclusive`); where the reference
 *    overflows, it overflows too (Infinity or NaN);
 * 2. logits: within GRADIENT_TOLERANCE ULP of the reference, or FLOOR apart (subnormal results
 *    have absolute precision only), or within what the user's own formula, outside the fused
 *    op, makes of roundings it cannot avoid (`leafAllowances`): a subnormal factor of the chain
 *    rule multiplied by a large one, and for an unfused logSoftmax the rounded cotangents
 *    (weights, `square`) in the difference c_j - p_j sum(c);
 * 3. x, w, b (affine logits): the same, or within what the logits' allowed error (plus one
 *    rounding per summed term) becomes through the VJP of `x w + b` taken in absolute values:
 *    its sums over the batch and the classes are the user's formula, and cancel where their
 *    terms do. Skipped when a logit is inconclusive.
 */
import {
  type ConcreteShape, evaluate, grad, input, type Node, type RefTensor, softmax, stridesOf, sum, type Tensor, topoSort, vjp,
} from '@stablegrad/core';
import { prepareTraining, stabilize } from '@stablegrad/rewrite';
import {
  buildLossGraph, createDecimalMath, type Decimal, type DecimalConstructor, type DecimalMath, decimalMath, type FloatDType, type LossCase, type LossGraph,
  referenceEvaluate, referenceEvaluateExact, type ReferenceResult, roundToDType, toDecimal, toRefTensor, ulp, ulpDistance,
} from '@stablegrad/testing';
import { close } from './metamorphic-harness.js';

/**
 * ULP allowed between a compiled gradient and its reference. The path from the fused loss to a
 * logit is a chain of products: the fused gradient kernel (a few ULP by the accuracy contract),
 * the loss weights, up to two reductions (mean divides by its count, or by constant folding
 * multiplies by 1/n, rounded unless n is a power of two), up to two extra ops (x 3, or
 * x exp(c) with exp(c) folded and rounded) and the scale (exact). `square` multiplies by the
 * forward value, whose own error (up to 4 ULP measured by test/metamorphic.test.ts) enters the
 * gradient. In float64 each product adds half an ULP of relative error, up to one ULP of
 * distance; float32 kernels compute in float64 and round once, half a float32 ULP per op.
 */
export const GRADIENT_TOLERANCE: Record<FloatDType, number> = { float32: 4, float64: 8 };

/** Below this distance, values are equal: subnormal results have absolute precision only. */
const FLOOR: Record<FloatDType, number> = { float32: 16 * 2 ** -149, float64: 16 * Number.MIN_VALUE };
const MIN_NORMAL: Record<FloatDType, number> = { float32: 2 ** -126, float64: 2 ** -1022 };
/** One ULP at 1: ulp(v) <= EPSILON |v| for every normal v. */
const EPSILON: Record<FloatDType, number> = { float32: 2 ** -23, float64: 2 ** -52 };
/** Terms in the sums of the affine VJP: classes (at most 3) for x, batch (at most 2) for w and b. */
const AFFINE_TERMS = 3;
/** The ops that take the leaves to the loss: the fused losses, logSoftmax, and the cancelling expressions' log1p and expm1. */
const LOCAL_OPS = new Set([
  'logSoftmax', 'sigmoidCrossEntropyWithLogits', 'logSigmoid', 'softmaxCrossEntropyWithLogits', 'sparseSoftmaxCrossEntropyWithLogits', 'logsumexp', 'log1p', 'expm1',
]);

const PRECISE = createDecimalMath(400);

type Exact = RefTensor<Decimal>;

/** What one case showed, for the summary. */
export interface GradientOutcome {
  readonly dtype: FloatDType;
  readonly problems: readonly string[];
  /** Largest ULP error of a logit gradient, and of an x, w or b gradient, where the reference is normal and within the tolerance. */
  readonly logitsUlp: number;
  readonly weightsUlp: number;
  /** Elements that passed only by an allowance for the user's formula (claims 2 and 3). */
  readonly allowed: number;
  /** Elements without a reference (central differences would need more than MAX_DIGITS digits): only required not to be NaN. */
  readonly inconclusive: number;
  /** The written graph's own gradient was non-finite where the compiled one is finite and right. */
  readonly rescued: boolean;
  /** The written graph's own gradient was finite but more than the tolerance off. */
  readonly improved: boolean;
  /** The 60-digit chain rule needed 400 digits somewhere; elements taken from central differences. */
  readonly precise: boolean;
  readonly differenced: number;
  /** A guard of a `dropsGuard` spelling is active (or is an epsilon): not checked. */
  readonly guarded: boolean;
}

/** The training loss: the graph's output, summed when it is not a scalar. */
function scalarLoss(output: Node): Node {
  return output.rank === 0 ? output : sum(output);
}

/** The inputs whose gradient the reference computes: the logits `z`, or the cancelling expression's operands. */
function leafNames(c: LossCase): string[] {
  const loss = c.recipe.loss;
  if (loss.family !== 'cancellation') return ['z'];
  return loss.form === 'addSub' ? ['a', 'b'] : loss.form === 'twoSided' ? ['a'] : ['x'];
}

/** The same case with its Keras clips removed: the meaning of the fused loss. */
function unclipped(c: LossCase): LossCase {
  const loss = c.recipe.loss;
  return 'clip' in loss ? { ...c, recipe: { ...c.recipe, loss: { ...loss, clip: false } } } : c;
}

/** The same loss with the logits fed as `z` at the given values (before the exact scale). */
function logitsFed(c: LossCase, z: readonly number[]): LossCase {
  const { x: _x, w: _w, b: _b, ...rest } = c.values;
  return { recipe: { ...c.recipe, logits: { ...c.recipe.logits, source: 'input' } }, values: { ...rest, z } };
}

function exactFeeds(feeds: ReadonlyMap<Node, Tensor>, M: DecimalMath = decimalMath): Map<Node, Exact> {
  // decimal.js computes with the precision of its operands' constructor: feed values of M.
  return new Map([...feeds].map(([node, t]) => [node, toRefTensor(t, M)]));
}

/**
 * log10 of the step. The graphs here are smooth at scale 1 in every leaf (log1p's pole is at -1,
 * its operands at -0.99 or above), so the step is absolute. Its h^2 f'''/6 term is 1e-80 f''',
 * far below an ULP of any derivative above TINY (f''' is of the size of f' here).
 */
const STEP_LOG10 = -40;
/**
 * The step for float64 derivatives below TINY: they may be exact zeros (ties with symmetric
 * labels) or tiny differences of near-equal logits, next to a third derivative of size 1.
 */
const TINY_STEP_LOG10 = -170;
const TINY = 1e-40;
const MAX_FLOAT: Record<FloatDType, number> = { float32: (2 - 2 ** -23) * 2 ** 127, float64: Number.MAX_VALUE };
/** Digits of safety in the error bound of a difference. */
const MARGIN = 10;
/** decimal.js takes logarithms to at most about 1000 digits (its ln 10 has 1025). */
const MAX_DIGITS = 1000;
const maths = new Map<number, DecimalMath>();

function mathWith(digits: number): DecimalMath {
  const precision = Math.max(60, Math.ceil(digits / 50) * 50);
  let M = maths.get(precision);
  if (M === undefined) maths.set(precision, (M = createDecimalMath(precision)));
  return M;
}

/**
 * d f / d z_i for a scalar f by central differences of its reference, known to a hundredth of an
 * ULP, or null when that needs more than MAX_DIGITS digits: an op rounds at 10^-digits of the
 * largest value f's graph touches, so the quotient is off by 10^(largest - digits) / h (plus
 * MARGIN). `guess` (the compiled value) sets the step and the precision of a first run; a
 * second follows when the result is smaller than that.
 */
function centralDifference(f: Node, z: Node, feeds: ReadonlyMap<Node, Tensor>, i: number, dtype: FloatDType, guess: number): Decimal | null {
  let largest = 0;
  for (const r of referenceEvaluateExact(topoSort([f]).filter((n) => n.dtype !== 'int32'), exactFeeds(feeds))) {
    for (const v of r.exact) if (v.isFinite() && !v.isZero()) largest = Math.max(largest, v.e);
  }
  const stepFor = (size: number): number => (dtype === 'float64' && size < TINY ? TINY_STEP_LOG10 : STEP_LOG10);
  const targetFor = (size: number): number => Math.log10(Math.max(ulp(size, dtype), ulp(0, dtype))) - 2;
  const run = (size: number): { value: Decimal; errorLog10: number; hLog10: number } | null => {
    const hLog10 = stepFor(size);
    const digits = largest + 1 + MARGIN - hLog10 - targetFor(size);
    if (digits > MAX_DIGITS) return null;
    const M = mathWith(digits);
    const given = exactFeeds(feeds, M);
    const zt = given.get(z)!;
    const h = new M.Decimal(10).pow(hLog10);
    const at = (delta: Decimal): Decimal => {
      given.set(z, { ...zt, data: zt.data.map((v, k) => (k === i ? v.add(delta) : v)) });
      return referenceEvaluateExact(f, given, { math: M }).exact[0]!;
    };
    return { value: at(h).sub(at(h.neg())).div(h.mul(2)), errorLog10: largest + 1 + MARGIN - M.precision - hLog10, hLog10 };
  };
  // A compiled Infinity (an overflowing gradient) asks whether the value is beyond the largest float.
  const first = run(Number.isNaN(guess) ? 1 : Math.min(Math.abs(guess), MAX_FLOAT[dtype]));
  if (first === null) return null;
  const lower = first.value.isFinite() ? Math.max(0, first.value.abs().toNumber() - 10 ** first.errorLog10) : 0;
  const enough = first.errorLog10 <= targetFor(lower) && first.hLog10 === stepFor(lower);
  return enough ? first.value : (run(lower)?.value ?? null);
}

/**
 * True when the graph as written sits on a kink of `maximum` (equal operands) or `abs` (a zero
 * operand), exactly: there its chain rule picks one side (the TF logit form max(z, 0) - z y +
 * log(1 + exp(-|z|)) at z = -0 reads 1 - y, where the loss, softplus(z) - z y, is smooth with
 * derivative 0.5 - y), so the reference is taken by central differences.
 */
function atKink(g: LossGraph): boolean {
  const nodes = topoSort([g.output]).filter((n) => n.op === 'maximum' || n.op === 'abs');
  if (nodes.length === 0) return false;
  const operands = nodes.flatMap((n) => n.inputs);
  const exact = referenceEvaluateExact(operands, exactFeeds(g.feeds)).map((r) => r.exact);
  let at = 0;
  return nodes.some((n) => {
    const [a, b] = [exact[at]!, n.op === 'maximum' ? exact[at + 1]! : undefined];
    at += n.inputs.length;
    if (b === undefined) return a.some((v) => v.isZero());
    // One operand may be a broadcast scalar (max(z, 0)); otherwise the shapes are equal.
    return a.length === 1 ? b.some((v) => v.eq(a[0]!)) : b.length === 1 ? a.some((v) => v.eq(b[0]!)) : a.some((v, i) => v.eq(b[i]!));
  });
}

/**
 * True when a guard of the graph (a spelling's, which `unclipped` cannot remove) changes its
 * gradient: an epsilon always does; a clip or maximum where its operand is outside [lo, hi].
 */
function guardMatters(g: LossGraph): boolean {
  if (g.clips.length === 0) return false;
  if (g.clips.some((c) => c.slack !== undefined)) return true;
  const exact = referenceEvaluateExact(g.clips.map((c) => c.clipped), exactFeeds(g.feeds));
  return g.clips.some((c, k) => exact[k]!.exact.some((v) => v.lt(toDecimal(c.lo)) || v.gt(toDecimal(c.hi))));
}

/** A logits-fed case, its stabilized loss (made on demand), and the compiled gradients in its leaves. */
interface FedCase {
  readonly lossCase: LossCase;
  readonly graph: LossGraph;
  readonly leaves: readonly Node[];
  readonly stabilized: () => Node;
  readonly compiled: readonly Tensor[];
}

/** The exact gradient in the leaves, by the route in the module comment; null elements are inconclusive. */
function referenceGradient(fed: FedCase, tol: number): { values: (readonly (Decimal | null)[])[]; precise: boolean; differenced: number } {
  const dtype = fed.lossCase.recipe.dtype;
  const u = buildLossGraph(unclipped(fed.lossCase));
  const chain = grad(scalarLoss(u.output), leafNames(fed.lossCase).map((n) => u.inputs[n]!));
  const at60 = referenceEvaluateExact(chain, exactFeeds(u.feeds)).map((r) => r.exact);
  // At a kink of the graph as written, its chain rule gives a subgradient: no reference.
  const kinked = atKink(u);
  const agrees = (k: number, i: number): boolean => {
    const v = at60[k]![i]!;
    return v.isFinite() && close(fed.compiled[k]!.data[i]!, roundToDType(v, dtype), dtype, tol);
  };
  if (at60.every((t, k) => t.every((_, i) => agrees(k, i)))) return { values: at60, precise: false, differenced: 0 };

  // Only a finite 60-digit value can be confirmed by 400 digits; NaN and Infinity go straight to differences.
  const confirmable = at60.some((t, k) => t.some((v, i) => v.isFinite() && !agrees(k, i)));
  const at400 = confirmable ? referenceEvaluateExact(chain, exactFeeds(u.feeds, PRECISE), { math: PRECISE }).map((r) => r.exact) : null;
  const confirmed = (k: number, i: number): Decimal | null => {
    const [a, b] = [at60[k]![i]!, at400?.[k]![i]];
    const same = b !== undefined && a.isFinite() && b.isFinite() && ulpDistance(roundToDType(a, dtype), roundToDType(b, dtype), dtype) === 0;
    return same ? b : null;
  };
  let differenced = 0;
  const values = at60.map((t, k) => t.map((v, i) => {
    if (agrees(k, i)) return v;
    const precise = kinked ? null : confirmed(k, i);
    if (precise !== null) return precise;
    differenced++;
    return centralDifference(fed.stabilized(), fed.leaves[k]!, fed.graph.feeds, i, dtype, fed.compiled[k]!.data[i]!);
  }));
  return { values, precise: true, differenced };
}

/** Index, in a tensor of `shape` without `axis`, of the lane that element `j` of `shape` belongs to. */
function laneOf(shape: ConcreteShape, axis: number, j: number): number {
  const strides = stridesOf(shape);
  let lane = 0;
  let laneStride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (d === axis) continue;
    lane += (Math.floor(j / strides[d]!) % shape[d]!) * laneStride;
    laneStride *= shape[d]!;
  }
  return lane;
}

/**
 * The absolute error allowed in each leaf gradient besides the ULP tolerance (claim 2), from the
 * exact cotangent c that the stabilized loss sends to the op local to the leaf (the fused loss,
 * log1p, expm1 or logSoftmax):
 * - a gradient c g scale (g the op's own derivative, c spread over the op's lanes): either
 *   factor may be subnormal, half a subnormal step off, which the other one multiplies:
 *   FLOOR max(1, scale (|c| + |g|));
 * - logSoftmax mixes its lane: d z_j = scale (c_j - p_j sum_i c_i). Its fused VJP is exact for
 *   the cotangents it gets, but they carry the roundings of the user's weights and extra ops
 *   (`square` multiplies by forward values), which the difference amplifies where it cancels:
 *   tol ULP of each cotangent that is not exact in floats, through |[i = j] - p_j|.
 */
function leafAllowances(fed: FedCase, k: number, reference: readonly (Decimal | null)[], tol: number): number[] {
  const { dtype, loss } = fed.lossCase.recipe;
  const scale = loss.family === 'cancellation' ? 1 : Math.abs(fed.lossCase.recipe.logits.scale);
  const leaf = fed.leaves[k]!;
  const local = topoSort([fed.stabilized()]).find((n) => LOCAL_OPS.has(n.op) && topoSort([n]).includes(leaf));
  // Without one, the leaf's gradient is its cotangent times constants (2 at most: (1 + a) - (1 - a)).
  if (local === undefined) return reference.map(() => 2 * FLOOR[dtype]);
  const cotangent = grad(fed.stabilized(), local);
  const c = referenceEvaluate(cotangent, fed.graph.feeds).exact;
  const shape = leaf.shape as ConcreteShape;
  if (local.op === 'logSoftmax') {
    const axis = local.attrs['axis'] as number;
    const [n, stride] = [shape[axis]!, stridesOf(shape)[axis]!];
    const p = referenceEvaluate(softmax(local.inputs[0]!, axis), fed.graph.feeds).values;
    const rounded = evaluate(cotangent, fed.graph.feeds).data;
    const inexact = c.map((v, i) => (v.eq(toDecimal(rounded[i]!, v.constructor as DecimalConstructor)) ? 0 : Math.abs(v.toNumber())));
    return reference.map((_, j) => {
      const first = j - (Math.floor(j / stride) % n) * stride;
      let spread = 0;
      for (let t = 0; t < n; t++) spread += inexact[first + t * stride]! * Math.abs((first + t * stride === j ? 1 : 0) - p[j]!);
      return scale * (tol * EPSILON[dtype] * spread + 2 * FLOOR[dtype]);
    });
  }
  // The fused softmax losses and logsumexp drop the class axis: each logit takes its lane's cotangent.
  const axis = local.op === 'sparseSoftmaxCrossEntropyWithLogits' ? shape.length - 1 : Number(local.attrs['axis'] ?? (local.attrs['axes'] as number[] | undefined)?.[0]);
  return reference.map((r, j) => {
    const cj = c[c.length === reference.length ? j : laneOf(shape, axis, j)]!.abs();
    // in decimal: c * scale may underflow (0.5 * 5e-324 is 0 in float64)
    const g = cj.isZero() || r === null ? 0 : r.abs().div(cj.mul(scale)).toNumber();
    return FLOOR[dtype] * Math.max(1, scale * (cj.toNumber() + g));
  });
}

/**
 * The exact gradients in x, w and b of affine logits, and the absolute error allowed for each
 * (claim 3): core's VJP of `x w + b`, evaluated exactly, applied to the exact logit gradient,
 * and to the logits' allowed error in absolute values with |x|, |w|.
 */
function affineReference(
  written: LossGraph, logits: readonly Decimal[], logitAllowances: () => readonly number[], tol: number,
): { values: (readonly Decimal[])[]; allowed: () => number[][] } {
  const dtype = written.case.recipe.dtype;
  const params = ['x', 'w', 'b'].map((n) => written.inputs[n]!);
  const z = written.givens[0]!;
  const cotangent = input(z.shape as ConcreteShape, { dtype, name: 'cotangent' });
  const chain = vjp([z], params, [cotangent]);
  const feeds = exactFeeds(written.feeds);
  const at = (ct: readonly Decimal[], given = feeds): ReferenceResult[] =>
    referenceEvaluateExact(chain, new Map([...given, [cotangent, { dtype, shape: z.shape as ConcreteShape, data: ct }]]));
  const values = at(logits).map((r) => r.exact);
  const allowed = (): number[][] => {
    const extra = logitAllowances();
    const error = logits.map((v, i) => v.abs().mul((tol + AFFINE_TERMS) * EPSILON[dtype]).add(extra[i]!));
    const sizes = new Map(feeds);
    for (const p of params) sizes.set(p, { ...feeds.get(p)!, data: feeds.get(p)!.data.map((v) => v.abs()) });
    return at(error, sizes).map((r) => r.values.map((v) => v + FLOOR[dtype]));
  };
  return { values, allowed };
}

/** Compares one gradient with its reference element by element; `allowed` (made on demand) holds absolute tolerances. */
function compare(
  what: string, got: Tensor, expected: readonly (Decimal | null)[], tol: number, allowed: () => readonly number[],
): { problems: string[]; maxUlp: number; passedByAllowance: number; inconclusive: number } {
  const dtype = got.dtype as FloatDType;
  const problems: string[] = [];
  let [maxUlp, passedByAllowance, inconclusive] = [0, 0, 0];
  expected.forEach((exact, i) => {
    if (exact === null) {
      inconclusive++;
      // The exact gradient is a real number, rounded maybe to Infinity, never NaN.
      if (Number.isNaN(got.data[i]!)) problems.push(`NaN, where central differences need more than ${MAX_DIGITS} digits: d loss / d ${what}[${i}]`);
      return;
    }
    const [a, e] = [got.data[i]!, roundToDType(exact, dtype)];
    const d = ulpDistance(a, e, dtype);
    const where = `d loss / d ${what}[${i}]: compiled ${a}, reference ${e}`;
    if (exact.isNaN()) problems.push(`no reference (central differences are NaN): ${where}`);
    else if (Number.isFinite(e) && !Number.isFinite(a)) problems.push(`not finite where the reference is: ${where}`);
    // Beyond the largest float the claim is only that the gradient overflows too (NaN included:
    // an overflowed cotangent times a probability of 0 is NaN, as in any float chain rule).
    else if (!Number.isFinite(e) && !Number.isFinite(a)) return;
    // ULP distances are measured where the reference is normal: below, steps are absolute.
    else if (d <= tol) maxUlp = Math.abs(e) >= MIN_NORMAL[dtype] ? Math.max(maxUlp, d) : maxUlp;
    else if (close(a, e, dtype, tol)) return;
    // An allowance computed from overflowing values would allow anything: it does not apply.
    else if (Math.abs(a - e) <= allowed()[i]! && Number.isFinite(allowed()[i]!)) passedByAllowance++;
    else problems.push(`${d} ULP from the reference (allowed ${tol} ULP or ${allowed()[i]}): ${where}`);
  });
  return { problems, maxUlp, passedByAllowance, inconclusive };
}

/**
 * Compiles the case for training and checks its gradients against the exact ones (claims in
 * the module comment); `problems` is empty when all hold.
 * @example
 * ```ts
 * expect(checkGradients(lossCase).problems).toEqual([]);
 * ```
 */
export function checkGradients(lossCase: LossCase): GradientOutcome {
  const dtype = lossCase.recipe.dtype;
  const tol = GRADIENT_TOLERANCE[dtype];
  const written = buildLossGraph(lossCase);
  if (lossCase.recipe.loss.family === 'spelling' && guardMatters(written)) {
    return { dtype, problems: [], logitsUlp: 0, weightsUlp: 0, allowed: 0, inconclusive: 0, rescued: false, improved: false, precise: false, differenced: 0, guarded: true };
  }
  const affine = written.givens.length > 0;
  const fedCase = affine ? logitsFed(lossCase, Array.from(evaluate(written.givens[0]!, written.feeds).data)) : lossCase;
  const graph = affine ? buildLossGraph(fedCase) : written;
  const names = leafNames(lossCase);
  const leaves = names.map((n) => graph.inputs[n]!);
  const loss = scalarLoss(graph.output);
  let stabilized: Node | undefined;
  const fed: FedCase = {
    lossCase: fedCase, graph, leaves, compiled: evaluate([...prepareTraining({ loss, params: leaves }).gradients], graph.feeds),
    stabilized: () => (stabilized ??= stabilize({ loss }).graph.outputs[0]!),
  };
  const reference = referenceGradient(fed, tol);
  const allowances = names.map((_, k) => {
    let memo: number[] | undefined;
    return () => (memo ??= leafAllowances(fed, k, reference.values[k]!, tol));
  });

  const problems: string[] = [];
  let [logitsUlp, weightsUlp, allowed, inconclusive, rescued, improved] = [0, 0, 0, 0, false, false];
  const asWritten = evaluate(grad(loss, leaves), graph.feeds);
  names.forEach((name, k) => {
    const result = compare(name, fed.compiled[k]!, reference.values[k]!, tol, allowances[k]!);
    problems.push(...result.problems);
    [logitsUlp, allowed, inconclusive] = [Math.max(logitsUlp, result.maxUlp), allowed + result.passedByAllowance, inconclusive + result.inconclusive];
    reference.values[k]!.forEach((exact, i) => {
      const e = exact === null ? NaN : roundToDType(exact, dtype);
      if (!Number.isFinite(e) || !close(fed.compiled[k]!.data[i]!, e, dtype, tol)) return;
      const naive = asWritten[k]!.data[i]!;
      if (!Number.isFinite(naive)) rescued = true;
      else if (!close(naive, e, dtype, tol)) improved = true;
    });
  });

  if (affine && reference.values[0]!.every((v) => v !== null)) {
    const params = ['x', 'w', 'b'];
    const got = evaluate([...prepareTraining({ loss: scalarLoss(written.output), params: params.map((n) => written.inputs[n]!) }).gradients], written.feeds);
    const expected = affineReference(written, reference.values[0]! as Decimal[], allowances[0]!, tol);
    let sizes: number[][] | undefined;
    params.forEach((name, k) => {
      const result = compare(name, got[k]!, expected.values[k]!, tol, () => (sizes ??= expected.allowed())[k]!);
      problems.push(...result.problems);
      [weightsUlp, allowed] = [Math.max(weightsUlp, result.maxUlp), allowed + result.passedByAllowance];
    });
  }
  const source = reference.differenced > 0 ? ' (reference partly by central differences)' : reference.precise ? ' (400-digit reference)' : '';
  return {
    dtype, problems: problems.map((p) => p + source), logitsUlp, weightsUlp, allowed, inconclusive, rescued, improved,
    precise: reference.precise, differenced: reference.differenced, guarded: false,
  };
}
