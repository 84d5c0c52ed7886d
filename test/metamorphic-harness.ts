/**
 * The metamorphic check shared by test/metamorphic.test.ts and its regression file: build a
 * random loss graph, stabilize it, and compare both graphs with the high-precision reference.
 *
 * Claims checked per output element, with `tol` ULP (see TOLERANCE):
 * 1. finite: the stabilized graph is finite wherever the reference of the stabilized graph is;
 * 2. accurate: it is within `tol` ULP of that reference;
 * 3. same meaning: the references of the original and of the stabilized graph agree (within
 *    `tol`: constant folding rounds constants such as `exp(0.1)` to the dtype, a change of
 *    meaning of a few ULP that the float evaluation of the original makes as well),
 *    except where a Keras clip of the original is active (the fused loss drops clipping on
 *    purpose) and where the original's own reference is not finite or not stable in precision
 *    (60 vs 400 digits: e.g. `1 - sigmoid(200)` is 0 at 60 digits), counted as inconclusive;
 * 4. agreement: where the original graph is itself accurate (within `tol` of its reference, no
 *    clip active), the stabilized graph agrees with that reference;
 * 5. fused: for the binary, categorical and sparse families the stabilized graph contains the
 *    fused op its loss should become (see FUSED_OPS) and no `log`, `logSigmoid` or `logSoftmax`
 *    node besides it, whatever the spelling (no spelling is exempt; see `expectedFusion`); for
 *    the spelling family (LOSS_SPELLINGS), every op of the entry's `fusesTo` and none of its
 *    `refuses`.
 * The spelling family's entries say what else to claim: a `refuses` entry (a look-alike, or a
 * focal loss whose powers stay unfused) keeps naive arithmetic, so only its meaning (3) is
 * checked, and that it is finite wherever the original is; a `dropsGuard` entry is compared
 * with the original only where its guards are inactive, as Keras clips are (an epsilon inside a
 * log is never quite inactive: there the meanings agree to GUARD_SLACK, relative, and claim 4
 * is not made).
 * Affine logits (`x * w + b`) are taken at their computed float value in every reference: their
 * rounding happens before the loss and is amplified by the loss's conditioning (about |z| ULP
 * for tiny losses), which no rewrite of the loss can or should remove.
 */
import { evaluate, type Node, type RefTensor, type Tensor, topoSort } from '@stablegrad/core';
import { formatExpression, stabilize } from '@stablegrad/rewrite';
import {
  buildLossGraph, createDecimalMath, type Decimal, type DecimalMath, decimalMath, type FloatDType, LOSS_SPELLINGS, type LossCase, type LossGraph,
  type LossSpelling, referenceEvaluateExact, toDecimal, toRefTensor, ulpDistance,
} from '@stablegrad/testing';

/**
 * ULP allowed between the stabilized graph and its reference. A graph here is a fused loss
 * (about 1 ULP), a weight product, up to two reductions over at most 6 elements (float64
 * sums add up to 5 half-ULP roundings) and up to two well-conditioned extra ops (square doubles
 * relative error). float32 kernels compute in float64 and round once per op, so each op adds
 * at most half an ULP.
 */
export const TOLERANCE: Record<FloatDType, number> = { float32: 4, float64: 8 };

/**
 * Tolerance factor for a spelling whose stable form is several ops (`fusesTo` longer than one:
 * the PyTorch focal loss `(1 - exp(-ce))^2 ce` is about five roundings, not one), since the
 * extra ops multiply its relative error (two squares: by 4). Measured: 20 ULP in float64 for
 * affine logits squared twice, the written graph's own float value being the same.
 */
const COMPOSITE_FACTOR = 3;

/** Below this distance, values are equal whatever their ULP distance: subnormal results have absolute precision only. */
const SUBNORMAL_FLOOR: Record<FloatDType, number> = { float32: 16 * 2 ** -149, float64: 16 * Number.MIN_VALUE };

const PRECISE = createDecimalMath(400);

/** The ops that take logarithms; after stabilizing, only the expected fused op may remain. */
const LOG_OPS = new Set(['log', 'logSigmoid', 'logSoftmax', 'log1p', 'logsumexp']);

/** The catalogue entry of a spelling case, or undefined for the other families. */
export function spellingOf(lossCase: LossCase): LossSpelling | undefined {
  const loss = lossCase.recipe.loss;
  if (loss.family !== 'spelling') return undefined;
  const spelling = LOSS_SPELLINGS.find((s) => s.name === loss.name);
  if (spelling === undefined) throw new RangeError(`no loss spelling named '${loss.name}'`);
  return spelling;
}

/**
 * The fused ops a loss case must end as (any one of them; for the spelling family every one of
 * them, the entry's `fusesTo`), or null for the cancellation family, which has no fused form.
 * Every generated spelling of the binary, categorical and sparse families is listed here; none
 * is allowed to stay unfused.
 */
export function expectedFusion(lossCase: LossCase): readonly string[] | null {
  const loss = lossCase.recipe.loss;
  switch (loss.family) {
    case 'spelling': return spellingOf(lossCase)!.fusesTo;
    case 'binary': return loss.form === 'crossEntropy' ? ['sigmoidCrossEntropyWithLogits'] : ['logSigmoid'];
    case 'categorical':
      if (loss.form === 'logSumExp') return ['logsumexp'];
      // With weights reduced over the class axis, sum(w * logSoftmax(z)) is a cross-entropy against w.
      if (loss.form === 'logSoftmax') return lossCase.recipe.weights ? ['logSoftmax', 'softmaxCrossEntropyWithLogits'] : ['logSoftmax'];
      // oneHot labels over the last axis become the sparse op (one-hot-cross-entropy-to-sparse).
      return loss.labels === 'oneHot' ? ['sparseSoftmaxCrossEntropyWithLogits'] : ['softmaxCrossEntropyWithLogits'];
    case 'sparse': return ['sparseSoftmaxCrossEntropyWithLogits'];
    case 'cancellation': return null;
    default: return loss satisfies never;
  }
}

/**
 * Problems with the fusion claim: the expected fused op is missing, or some other log is left;
 * for a spelling, an op of its `fusesTo` is missing or one of its `refuses` is there.
 */
export function fusionProblems(lossCase: LossCase, stabilized: Node): string[] {
  const expected = expectedFusion(lossCase);
  if (expected === null) return [];
  const nodes = topoSort([stabilized]);
  const spelling = spellingOf(lossCase);
  // The catalogue's claims on a look-alike are about its per-example value: a reduction of the
  // recipe may sum over an axis the look-alike did not (the softmax over the batch axis, summed
  // over the batch, is a cross-entropy along axis 0), which makes its fused form right. Only its
  // meaning is checked then.
  if (spelling?.refuses !== undefined && lossCase.recipe.reduce.length > 0) return [];
  if (spelling !== undefined) {
    const ops = new Set<string>(nodes.map((n) => n.op));
    return [
      ...spelling.fusesTo.filter((op) => !ops.has(op)).map((op) => `no ${op} in the stabilized graph of ${spelling.name}`),
      ...(spelling.refuses ?? []).filter((op) => ops.has(op)).map((op) => `${op} in the stabilized graph of ${spelling.name}, which must not become one`),
    ];
  }
  const fused = nodes.filter((n) => expected.includes(n.op));
  const stray = nodes.filter((n) => LOG_OPS.has(n.op) && !expected.includes(n.op));
  const problems: string[] = [];
  if (fused.length === 0) problems.push(`no ${expected.join(' or ')} in the stabilized graph`);
  if (fused.length > 1) problems.push(`${fused.length} ${expected.join('/')} nodes where one fused loss was expected`);
  if (stray.length > 0) problems.push(`logarithms left outside the fused op: ${stray.map((n) => n.op).join(', ')}`);
  return problems;
}

/** What one case showed, for the summary. */
export interface CaseOutcome {
  readonly problems: readonly string[];
  /** Some rule fired. */
  readonly rewritten: boolean;
  /** The original was non-finite somewhere the stabilized graph is finite and right. */
  readonly rescued: boolean;
  /** The original was off by more than `tol` somewhere (and finite). */
  readonly improved: boolean;
  /** A guard (Keras clip, or a guard of a `dropsGuard` spelling) is active somewhere: meanings not compared. */
  readonly clipActive: boolean;
  /** Elements whose meaning could not be compared (original reference not finite or not stable). */
  readonly inconclusive: number;
  /** Largest ULP error of the stabilized graph. */
  readonly maxUlp: number;
}

/** True when `a` and `b` are within `tol` ULP (or both tiny and close in absolute terms). */
export function close(a: number, b: number, dtype: FloatDType, tol: number): boolean {
  return ulpDistance(a, b, dtype) <= tol || Math.abs(a - b) <= SUBNORMAL_FLOOR[dtype];
}

/** Exact feeds: the float feeds, plus the givens at their computed float values. */
function exactFeeds(g: LossGraph, givens: ReadonlyMap<Node, Tensor>, M: DecimalMath = decimalMath): Map<Node, RefTensor<Decimal>> {
  // decimal.js computes with the precision of its operands' constructor: feed values of M.
  const feeds = new Map<Node, RefTensor<Decimal>>();
  for (const [node, t] of g.feeds) feeds.set(node, toRefTensor(t, M));
  for (const [node, t] of givens) feeds.set(node, toRefTensor(t, M));
  return feeds;
}

/**
 * A key equal for nodes that compute the same thing from the same leaves, so a given that the
 * engine rebuilt (same op, same inputs) is still found.
 */
function structuralKey(node: Node, memo = new Map<Node, string>()): string {
  const known = memo.get(node);
  if (known !== undefined) return known;
  let key: string;
  if (node.op === 'input' || node.op === 'param') key = `#${node.id}`;
  else if (node.op === 'constant') key = `c${node.dtype}${JSON.stringify(Array.from(node.value?.data ?? []))}`;
  else {
    const inputs = node.inputs.map((i) => structuralKey(i, memo));
    if (node.op === 'add' || node.op === 'mul') inputs.sort();
    key = `${node.op}${JSON.stringify(node.attrs)}(${inputs.join(',')})`;
  }
  memo.set(node, key);
  return key;
}

/** The stabilized graph's nodes standing for the original's givens. */
function givensIn(stabilized: Node, givens: ReadonlyMap<Node, Tensor>): { found: Map<Node, Tensor>; lost: Node[] } {
  const nodes = topoSort([stabilized]);
  const byKey = new Map<string, Node>();
  const memo = new Map<Node, string>();
  for (const n of nodes) byKey.set(structuralKey(n, memo), n);
  const found = new Map<Node, Tensor>();
  const lost: Node[] = [];
  for (const [node, value] of givens) {
    const same = nodes.includes(node) ? node : byKey.get(structuralKey(node, memo));
    if (same === undefined) lost.push(node);
    else found.set(same, value);
  }
  return { found, lost };
}

const fmt = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

/**
 * Stabilizes the case's graph and checks the four claims; `problems` is empty when all hold.
 * @example
 * ```ts
 * expect(checkStabilized(lossCase).problems).toEqual([]);
 * ```
 */
export function checkStabilized(lossCase: LossCase): CaseOutcome {
  const g = buildLossGraph(lossCase);
  const dtype = lossCase.recipe.dtype;
  const tol = TOLERANCE[dtype] * ((spellingOf(lossCase)?.fusesTo.length ?? 1) > 1 ? COMPOSITE_FACTOR : 1);
  const { graph, report } = stabilize({ loss: g.output });
  const s = graph.outputs[0]!;

  const givenValues = new Map<Node, Tensor>();
  if (g.givens.length > 0) evaluate(g.givens, g.feeds).forEach((t, i) => givenValues.set(g.givens[i]!, t));
  const { found, lost } = givensIn(s, givenValues);
  const problems: string[] = fusionProblems(lossCase, s).map((p) => `${p}: ${formatExpression(s)}`);
  if (lost.length > 0 && topoSort([s]).some((n) => n.op === 'input' && (n.name === 'x' || n.name === 'w'))) {
    problems.push(`the affine logits ${lost.map(String).join(', ')} were rebuilt beyond recognition; the check cannot take them as given`);
  }

  const stabilizedFeeds = exactFeeds(g, found);
  const originalFeeds = exactFeeds(g, givenValues);
  let refS = referenceEvaluateExact(s, stabilizedFeeds).values;
  const gotS = evaluate(s, g.feeds).data;
  const [refOriginal, ...clipped] = referenceEvaluateExact([g.output, ...g.clips.map((c) => c.clipped)], originalFeeds);
  let refO = refOriginal!.values;
  const gotO = evaluate(g.output, g.feeds).data;
  const clipActive = g.clips.some((c, k) =>
    clipped[k]!.exact.some((p) => p.lt(toDecimal(c.lo)) || p.gt(toDecimal(c.hi))));
  const spelling = spellingOf(lossCase);
  // A look-alike (or a focal loss) keeps its naive arithmetic: no accuracy claim.
  const meaningOnly = spelling?.refuses !== undefined;
  // An inactive epsilon guard still moves the meaning by up to its slack, relative; the extra
  // ops may double it twice (square).
  const slack = 4 * Math.max(0, ...g.clips.map((c) => c.slack ?? 0));

  // Where the references disagree, one of them may have lost digits (1 + 1e-320 is 1 at 60
  // digits): recompute both with 400 digits, enough for any sum of float64 values, and count
  // elements that still move with the precision as inconclusive.
  const disagree = (i: number): boolean => Number.isFinite(refO[i]!) && !close(refO[i]!, refS[i]!, dtype, tol) &&
    !(Math.abs(refO[i]! - refS[i]!) <= slack * Math.abs(refO[i]!));
  const unstable = new Set<number>();
  if (!clipActive && refS.some((_, i) => disagree(i))) {
    const [preciseS, preciseO] = [
      referenceEvaluateExact(s, exactFeeds(g, found, PRECISE), { math: PRECISE }).values,
      referenceEvaluateExact(g.output, exactFeeds(g, givenValues, PRECISE), { math: PRECISE }).values,
    ];
    refS.forEach((v, i) => { if (!close(v, preciseS[i]!, dtype, 0) || !close(refO[i]!, preciseO[i]!, dtype, 0)) unstable.add(i); });
    [refS, refO] = [preciseS, preciseO];
  }

  let inconclusive = 0;
  let rescued = false;
  let improved = false;
  let maxUlp = 0;
  for (let i = 0; i < refS.length; i++) {
    const [expected, got, original, originalRef] = [refS[i]!, gotS[i]!, gotO[i]!, refO[i]!];
    const where = `element ${i}: stabilized ${fmt(got)}, its reference ${fmt(expected)}, original ${fmt(original)}, original's reference ${fmt(originalRef)}`;
    const d = ulpDistance(got, expected, dtype);
    if (meaningOnly) {
      if (Number.isFinite(original) && !Number.isFinite(got)) problems.push(`not finite where the original is: ${where}`);
    } else {
      maxUlp = Math.max(maxUlp, close(got, expected, dtype, tol) ? Math.min(d, tol) : d);
      if (Number.isFinite(expected) && !Number.isFinite(got)) problems.push(`not finite where the reference is: ${where}`);
      else if (!close(got, expected, dtype, tol)) problems.push(`${d} ULP from its reference (allowed ${tol}): ${where}`);
    }
    if (!meaningOnly && Number.isFinite(expected) && close(got, expected, dtype, tol)) {
      if (!Number.isFinite(original)) rescued = true;
      else if (!close(original, expected, dtype, tol)) improved = true;
    }
    if (clipActive) continue;
    if (unstable.has(i) || (!Number.isFinite(originalRef) && Number.isFinite(expected))) {
      inconclusive++;
      continue;
    }
    if (disagree(i)) problems.push(`the stabilized graph means something else (references ${ulpDistance(originalRef, expected, dtype)} ULP apart): ${where}`);
    if (meaningOnly || slack > 0) continue;
    if (Number.isFinite(originalRef) && close(original, originalRef, dtype, tol) && !close(got, originalRef, dtype, tol + 1)) {
      problems.push(`the original is accurate here but the stabilized graph disagrees with it: ${where}`);
    }
  }
  return { problems, rewritten: report.firings.length > 0, rescued, improved, clipActive, inconclusive, maxUlp };
}
