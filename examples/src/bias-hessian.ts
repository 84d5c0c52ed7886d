/**
 * The curvature of the digits model's loss in its last layer's bias: the 10 x 10 Hessian as a
 * graph (`hessian`), its extreme eigenvalues by power iteration on Hessian-vector products
 * (`hvp`, compiled once and run per step), and two independent checks: the eigenvalues of the
 * explicit matrix by Jacobi rotations, and the closed form mean_i (diag p_i - p_i p_i^T) of a
 * softmax cross-entropy's Hessian in its logits' bias.
 * @module
 */
import { compile, evaluate, hessian, hvp, input, type Node, type Sequential, tensor, type Tensor, topoSort } from 'stablegrad';

/** What `biasCurvature` measured. */
export interface BiasCurvature {
  /** The Hessian, row by row (float32, the model's dtype). */
  readonly hessian: readonly (readonly number[])[];
  /** Largest and smallest eigenvalue by power iteration with `hvp`, and the steps each took. */
  readonly largest: { readonly value: number; readonly steps: number };
  readonly smallest: { readonly value: number; readonly steps: number };
  /** All eigenvalues of the explicit Hessian (Jacobi rotations, float64), largest first. */
  readonly eigenvalues: readonly number[];
  /** The closed form mean_i (diag p_i - p_i p_i^T), from the model's predictions. */
  readonly closedForm: readonly (readonly number[])[];
}

/**
 * Measures the loss's curvature in the last layer's bias on the given rows.
 * @example
 * ```ts
 * const { largest, eigenvalues } = biasCurvature(model, features, labels);
 * ```
 */
export function biasCurvature(model: Sequential, features: Float64Array, labels: Int32Array): BiasCurvature {
  const compiled = model.toGraph({ stage: 'compiled' });
  const loss = compiled.outputs[compiled.outputNames.indexOf('loss')]!;
  const prediction = compiled.outputs[compiled.outputNames.indexOf('prediction')]!;
  const sources = topoSort([loss, prediction]).filter((n) => n.inputs.length === 0);
  const bias = [...sources].reverse().find((n) => n.op === 'param' && n.path.endsWith('/bias'))!;
  const x = sources.find((n) => n.op === 'input' && n.dtype !== 'int32')!;
  const y = sources.find((n) => n.op === 'input' && n.dtype === 'int32')!;
  const rows = labels.length;
  const k = bias.shape[0] as number;
  const feeds = new Map<Node, Tensor>([
    [x, tensor(Float32Array.from(features), { shape: [rows, features.length / rows], dtype: 'float32' })],
    [y, tensor(labels, { shape: [rows], dtype: 'int32' })],
  ]);

  const [h, p] = evaluate([hessian(loss, bias), prediction], feeds);
  const matrix = Array.from({ length: k }, (_, i) => Array.from(h!.data.subarray(i * k, (i + 1) * k)));

  // Power iteration: v <- H v / |H v|. One compiled plan serves every step.
  const v = input([k], { dtype: 'float32', name: 'v' });
  const [hv] = hvp(loss, [bias], [v]);
  const step = compile([hv!]);
  const apply = (vector: readonly number[]): number[] => Array.from(step.run(new Map(feeds).set(v, tensor(vector, { dtype: 'float32' })))[0]!.data);
  const largest = powerIteration(apply, k);
  // The smallest eigenvalue is the largest of (largest I - H), shifted back.
  const shifted = powerIteration((u) => apply(u).map((hu, i) => largest.value * u[i]! - hu), k);
  const smallest = { value: largest.value - shifted.value, steps: shifted.steps };

  const closedForm = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => {
    let s = 0;
    for (let r = 0; r < rows; r++) {
      const pi = p!.data[r * k + i]!;
      s += (i === j ? pi : 0) - pi * p!.data[r * k + j]!;
    }
    return s / rows;
  }));
  return { hessian: matrix, largest, smallest, eigenvalues: jacobiEigenvalues(matrix), closedForm };
}

/** The dominant eigenvalue of a symmetric map by power iteration, to a relative change of 1e-6. */
function powerIteration(apply: (v: readonly number[]) => number[], size: number): { value: number; steps: number } {
  // A fixed start with every component nonzero, so no eigenvector is missed by symmetry.
  let v = Array.from({ length: size }, (_, i) => 1 + i / size);
  let value = 0;
  for (let steps = 1; steps <= 500; steps++) {
    const w = apply(v);
    const norm = Math.hypot(...w);
    if (norm === 0) return { value: 0, steps };
    const next = v.reduce((s, vi, i) => s + vi * w[i]!, 0) / v.reduce((s, vi) => s + vi * vi, 0);
    v = w.map((wi) => wi / norm);
    if (steps > 1 && Math.abs(next - value) <= 1e-6 * Math.abs(next)) return { value: next, steps };
    value = next;
  }
  return { value, steps: 500 };
}

/** Eigenvalues of a small symmetric matrix by cyclic Jacobi rotations (float64), largest first. */
export function jacobiEigenvalues(matrix: readonly (readonly number[])[]): number[] {
  const n = matrix.length;
  // Symmetrise: the float32 Hessian's two triangles differ in the last bits.
  const a = matrix.map((row, i) => row.map((_, j) => (matrix[i]![j]! + matrix[j]![i]!) / 2));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i]![j]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p]![q] === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = a[r]![p]!;
          const arq = a[r]![q]!;
          a[r]![p] = c * arp - s * arq;
          a[r]![q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = a[p]![r]!;
          const aqr = a[q]![r]!;
          a[p]![r] = c * apr - s * aqr;
          a[q]![r] = s * apr + c * aqr;
        }
      }
    }
  }
  return a.map((row, i) => row[i]!).sort((x, y) => y - x);
}
