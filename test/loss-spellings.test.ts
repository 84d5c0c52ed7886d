/**
 * Every loss spelling of the catalogue (LOSS_SPELLINGS in @stablegrad/testing: about forty ways
 * tutorials, courses and library docs write cross-entropies and their pieces, and the look-alikes
 * that must not fuse), stabilized, checked as a user would:
 * 1. structure: the stabilized graph contains the fused or stable op the spelling stands for,
 *    and none of the ops a look-alike must not become;
 * 2. accuracy: on extreme and typical inputs (float32 and float64) the stabilized graph is
 *    within a few ULP of its own 60-digit reference and finite wherever that reference is;
 * 3. meaning: its reference agrees with the reference of the graph as written, wherever that one
 *    is finite and stable in precision (a guard the rewrite drops on purpose: only where the
 *    guard is inactive, to the relative size the guard itself has);
 * 4. gradients: the gradient with respect to the logits, as `prepareTraining` builds it, is
 *    within a few ULP of its own reference and finite wherever that reference is.
 * More cases: STABLEGRAD_PROPERTY_RUNS.
 */
import { describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import { evaluate, type Node, type Tensor, tensor, topoSort } from '@stablegrad/core';
import { prepareTraining, stabilize } from '@stablegrad/rewrite';
import {
  createDecimalMath, type FloatDType, floatOf, logitVector, LOSS_SPELLINGS, type LossSpelling, probabilityVector, propertyParams,
  referenceEvaluate, spellingInputs, type SpellingInputs, ulpDistance,
} from '@stablegrad/testing';

const TOLERANCE: Record<FloatDType, number> = { float32: 4, float64: 8 };
const SUBNORMAL_FLOOR: Record<FloatDType, number> = { float32: 16 * 2 ** -149, float64: 16 * Number.MIN_VALUE };
const PRECISE = { math: createDecimalMath(400) };
/** Largest |logit| at which every guard of the catalogue is inactive (sigmoid(-3) = 0.047 > eps). */
const GUARDS_INACTIVE = 3;
/** Relative effect of the largest inactive guard there: 1e-7 / sigmoid(-3) ~ 2e-6. */
const GUARD_EFFECT = 1e-5;

const close = (a: number, b: number, dtype: FloatDType, tol: number): boolean =>
  ulpDistance(a, b, dtype) <= tol || Math.abs(a - b) <= SUBNORMAL_FLOOR[dtype];

type Feeds = Record<keyof SpellingInputs, Tensor>;

function feedsOf(s: LossSpelling, dtype: FloatDType): fc.Arbitrary<Feeds> {
  const round = dtype === 'float32' ? Math.fround : (x: number) => x;
  const softLabel = fc.oneof(fc.constantFrom(0, 1), floatOf(dtype, { min: 0, max: 1 }));
  const labels4 = fc.array(s.hardLabels === true ? fc.constantFrom(0, 1) : softLabel, { minLength: 4, maxLength: 4 });
  const hot = fc.array(fc.nat(3), { minLength: 3, maxLength: 3 }).map((ks) => ks.flatMap((k) => [0, 1, 2, 3].map((i) => (i === k ? 1 : 0))));
  const positive = fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 12, maxLength: 12 })
    .map((w) => [0, 1, 2].flatMap((r) => { const row = w.slice(4 * r, 4 * r + 4); const t = row.reduce((a, b) => a + b); return row.map((v) => round(v / t)); }));
  const rows = s.hardLabels === true ? hot.map((v) => tensor(v, { dtype, shape: [3, 4] }))
    : s.positiveLabels === true ? positive.map((v) => tensor(v, { dtype, shape: [3, 4] }))
      : probabilityVector(4, { dtype, batch: 3 });
  return fc.record({
    z: logitVector(4, dtype), y: labels4.map((v) => tensor(v, { dtype, shape: [4] })),
    Z: logitVector(4, dtype, { batch: 3 }), T: fc.oneof(logitVector(4, dtype, { batch: 3 }), probabilityVector(4, { dtype, batch: 3 })),
    Y: rows, labels: fc.array(fc.nat(3), { minLength: 3, maxLength: 3 }).map((v) => tensor(v, { dtype: 'int32', shape: [3] })),
    row: logitVector(4, dtype, { batch: 1 }), rowY: labels4.map((v) => tensor(v, { dtype, shape: [1, 4] })),
  });
}

function feedMap(x: SpellingInputs, feeds: Feeds, used: ReadonlySet<Node>): Map<Node, Tensor> {
  const map = new Map<Node, Tensor>();
  for (const key of Object.keys(x) as (keyof SpellingInputs)[]) if (used.has(x[key])) map.set(x[key], feeds[key]);
  return map;
}

const maxLogit = (t: Tensor): number => Math.max(...Array.from(t.data, Math.abs));

/** Problems with one case: accuracy of the stabilized graph, and its meaning against the original. */
function valueProblems(s: LossSpelling, dtype: FloatDType, feeds: Feeds): string[] {
  const x = spellingInputs(dtype);
  const original = s.build(x);
  const stable = stabilize({ loss: original }).graph.outputs[0]!;
  const used = new Set(topoSort([original]));
  const map = feedMap(x, feeds, used);
  const tol = TOLERANCE[dtype];
  const got = evaluate(stable, map).data;
  let [ref, refOriginal] = referenceEvaluate([stable, original], map).map((r) => r.values);
  const problems: string[] = [];
  const disagree = (i: number) => Number.isFinite(refOriginal![i]!) && !close(ref![i]!, refOriginal![i]!, dtype, tol);
  const unstable = new Set<number>();
  if ((s.refuses === undefined && got.some((v, i) => !close(v, ref![i]!, dtype, tol))) || ref!.some((_, i) => disagree(i))) {
    const [preciseS, preciseO] = referenceEvaluate([stable, original], map, PRECISE).map((r) => r.values);
    ref!.forEach((v, i) => { if (!close(refOriginal![i]!, preciseO![i]!, dtype, 0)) unstable.add(i); void v; });
    [ref, refOriginal] = [preciseS, preciseO];
  }
  const guardsInactive = [feeds.z, feeds.Z, feeds.row].every((t) => maxLogit(t) <= GUARDS_INACTIVE);
  for (let i = 0; i < got.length; i++) {
    const [value, truth, meant] = [got[i]!, ref![i]!, refOriginal![i]!];
    const at = `stabilized ${value}, its reference ${truth}, the original's reference ${meant}`;
    // A look-alike that must not fuse keeps its (naive) arithmetic: only its meaning is checked.
    if (s.refuses === undefined) {
      if (Number.isFinite(truth) && !Number.isFinite(value)) problems.push(`not finite where the truth is: ${at}`);
      else if (!close(value, truth, dtype, tol)) problems.push(`${ulpDistance(value, truth, dtype)} ULP from its reference: ${at}`);
    }
    if (!Number.isFinite(meant) || unstable.has(i)) continue;
    if (s.dropsGuard === true) {
      if (guardsInactive && Math.abs(truth - meant) > GUARD_EFFECT * Math.abs(meant)) problems.push(`means something else where the guard is inactive: ${at}`);
    } else if (!close(truth, meant, dtype, tol)) {
      problems.push(`means something else (${ulpDistance(truth, meant, dtype)} ULP): ${at}`);
    }
  }
  return problems;
}

/** The logits a spelling is written over (the ones its gradient is taken with respect to). */
function logitsOf(x: SpellingInputs, used: ReadonlySet<Node>): Node[] {
  return [x.z, x.Z, x.row].filter((n) => used.has(n));
}

function gradientProblems(s: LossSpelling, dtype: FloatDType, feeds: Feeds): string[] {
  const x = spellingInputs(dtype);
  const original = s.build(x);
  const used = new Set(topoSort([original]));
  const params = logitsOf(x, used);
  if (params.length === 0 || original.shape.length > 0) return [];
  const { gradients } = prepareTraining({ loss: original, params });
  const map = feedMap(x, feeds, used);
  const got = evaluate([...gradients], map);
  const refs = referenceEvaluate([...gradients], map);
  const problems: string[] = [];
  // A gradient element sums a few fused gradients, scaled by the mean: a few ULP more than the loss.
  const tol = TOLERANCE[dtype] + 4;
  got.forEach((g, k) => g.data.forEach((value, i) => {
    const truth = refs[k]!.values[i]!;
    if (Number.isFinite(truth) && !Number.isFinite(value)) problems.push(`gradient not finite where the truth is: ${value} vs ${truth}`);
    else if (Number.isFinite(truth) && Math.abs(truth) >= 1e-300 && !close(value, truth, dtype, tol)) {
      problems.push(`gradient ${ulpDistance(value, truth, dtype)} ULP from its reference: ${value} vs ${truth}`);
    }
  }));
  return problems;
}

describe('every loss spelling: what stabilize makes of it', () => {
  it.each(LOSS_SPELLINGS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    for (const dtype of ['float32', 'float64'] as const) {
      const stable = stabilize({ loss: s.build(spellingInputs(dtype)) }).graph.outputs[0]!;
      const ops = new Set<string>(topoSort([stable]).map((n) => n.op));
      for (const op of s.fusesTo) expect(ops.has(op), `${s.name} (${dtype}) should contain ${op}`).toBe(true);
      for (const op of s.refuses ?? []) expect(ops.has(op), `${s.name} (${dtype}) must not contain ${op}`).toBe(false);
    }
  });
});

describe.each(['float32', 'float64'] as const)('values and gradients, %s', (dtype) => {
  it.each(LOSS_SPELLINGS.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const params = propertyParams(12);
    fc.assert(fc.property(feedsOf(s, dtype), (feeds) => {
      const problems = [...valueProblems(s, dtype, feeds), ...(s.refuses === undefined ? gradientProblems(s, dtype, feeds) : [])];
      if (problems.length > 0) throw new Error(problems.slice(0, 3).join('\n'));
    }), params);
  });
});
