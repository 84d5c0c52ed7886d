/**
 * Every elementwise op of the registry, exported alone and run in ONNX Runtime, against the
 * interpreter in float32 and float64 on a grid that includes the extremes. A new elementwise op
 * is covered by adding it to the registry and to EXPORTS. The bounds are per family and
 * documented in docs/onnx.md (measured values printed with STABLEGRAD_ONNX_REPORT=1).
 */
import { describe, expect, it } from 'vitest';
import { apply, graph, hasTrait, input, isElementwise, OP_NAMES, opDef, type DType, type OpName } from '@stablegrad/core';
import { EXPORTS, toOnnx } from '@stablegrad/onnx';
import { runOrt, runOurs, worst, type Feed } from './ort.js';

const GRID = [-1000, -100, -40, -20, -3, -1, -0.5, -1e-3, -1e-10, 0, 1e-10, 1e-3, 0.25, 0.5, 1, 2, 3, 20, 40, 100, 1000];

/**
 * Bounds per op family, in units of the dtype's epsilon: relative for one ONNX operator (2) and
 * for a stable decomposition (16); for a fused gradient (a difference of probabilities and
 * labels, which stablegrad computes without cancelling and ONNX cannot) absolute, scaled by the
 * largest label weight.
 */
function bound(op: OpName, inputs: readonly Float32Array[] | readonly Float64Array[]): { ulps: number; absolute: number } {
  if (hasTrait(op, 'fusedLossGrad')) return { ulps: 0, absolute: 8 * Math.max(1, ...inputs.slice(2).flatMap((a) => Array.from(a, Math.abs))) };
  return { ulps: EXPORTS[op].onnx?.length === 1 ? 2 : 16, absolute: 0 };
}
const EPS = { float32: 2 ** -23, float64: 2 ** -52 };

/** Values inside the op's domain for input `i` (cross-entropy labels in [0, 1], log's input >= 0, ...). */
function values(op: string, i: number): number[] {
  const domain = opDef(op as never).domains?.[i];
  return domain === undefined || domain === null ? GRID : GRID.filter((v) => v >= domain[0] && v <= domain[1]).concat(domain[0] === 0 && domain[1] === 1 ? [0, 0.3, 1] : []);
}

const elementwiseOps = OP_NAMES.filter((op) => isElementwise(op) && opDef(op).arity !== 0 && !(opDef(op).traits ?? []).includes('comparison'));

describe.each(['float32', 'float64'] as const)('every elementwise op in ONNX Runtime, %s', (dtype: DType & ('float32' | 'float64')) => {
  it.each(elementwiseOps)('%s', async (op) => {
    const arity = opDef(op).arity as number;
    // All combinations of grid values (cartesian product for 2 and 3 inputs, pruned for 3).
    let rows: number[][] = [[]];
    for (let i = 0; i < arity; i++) rows = rows.flatMap((r) => values(op, i).filter((_, k) => arity < 3 || k % 3 === 0).map((v) => [...r, v]));
    const A = dtype === 'float32' ? Float32Array : Float64Array;
    const xs = Array.from({ length: arity }, (_, i) => input(['n'], { name: `x${i}`, dtype }));
    const g = graph({ out: apply(opDef(op), xs, {}) });
    const feeds: Record<string, Feed> = Object.fromEntries(xs.map((x, i) => [x.name, { data: A.from(rows.map((r) => r[i]!)), dims: [rows.length] }]));
    const theirs = (await runOrt(toOnnx(g), feeds)).out!;
    const ours = runOurs(g, feeds).out!.data;
    const { ulps, absolute } = bound(op, Object.values(feeds).map((f) => f.data) as Float64Array[]);
    // In units of the bound's epsilon: relative (atol a tiny floor) or absolute (rtol 0).
    const measured = ulps > 0 ? worst(theirs, ours, Number.MIN_VALUE, EPS[dtype]) : worst(theirs, ours, EPS[dtype], 0);
    if (process.env.STABLEGRAD_ONNX_REPORT !== undefined) console.log(`${dtype} ${op}: ${measured.toFixed(2)} eps (${EXPORTS[op].onnx?.join(' ')})`);
    expect(measured).toBeLessThanOrEqual(ulps > 0 ? ulps : absolute);
  });
});
