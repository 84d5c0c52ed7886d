/**
 * Runs exported models in ONNX Runtime (onnxruntime-node's CPU execution provider, the binaries
 * its npm package ships) and compares with stablegrad's interpreter.
 */
import { dtypeOfArray, evaluate, tensor, type Graph, type Tensor } from '@stablegrad/core';
import * as ort from 'onnxruntime-node';

/** One value for a graph input: its data (a typed array of the input's dtype) and its dims. */
export interface Feed { readonly data: Float32Array | Float64Array | Int32Array; readonly dims: readonly number[] }

/** Runs ONNX model bytes in ONNX Runtime on the CPU and returns the outputs by name. */
export async function runOrt(bytes: Uint8Array, feeds: { readonly [name: string]: Feed }): Promise<Record<string, Float32Array | Float64Array | Int32Array>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) {
      const type = f.data instanceof Float32Array ? 'float32' : f.data instanceof Float64Array ? 'float64' : 'int32';
      inputs[name] = new ort.Tensor(type, f.data, [...f.dims]);
    }
    const results = await session.run(inputs);
    const out: Record<string, Float32Array | Float64Array | Int32Array> = {};
    for (const [name, t] of Object.entries(results)) out[name] = t.data as Float32Array | Float64Array | Int32Array;
    return out;
  } finally {
    await session.release();
  }
}

/** The interpreter's outputs for the same feeds, by output name. */
export function runOurs(g: Graph, feeds: { readonly [name: string]: Feed }): Record<string, Tensor> {
  const values = evaluate(g.outputs, Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, tensor(f.data, { dtype: dtypeOfArray(f.data), shape: f.dims })])));
  return Object.fromEntries(g.outputNames.map((n, i) => [n, values[i]!]));
}

/** Largest |a - b| / (atol + rtol |b|) over two arrays: <= 1 means within the bound; Infinity on a length mismatch or a finiteness mismatch. */
export function worst(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (Number.isNaN(x) || Number.isNaN(y) || !Number.isFinite(x) || !Number.isFinite(y)) {
      if (!Object.is(x, y)) return Infinity;
      continue;
    }
    m = Math.max(m, Math.abs(x - y) / (atol + rtol * Math.abs(y)));
  }
  return m;
}
