/**
 * An execution plan: the graph's nodes scheduled once for concrete sizes of its symbolic
 * dimensions, each computed value given a buffer from a pool as the value before it dies
 * (liveness), and each step a closure with its buffers bound. Running a plan is a loop over
 * closures: no graph walks, no shape inference and no allocation per step.
 *
 * `buildPlan` runs the passes under passes/, each in its own file and testable alone:
 * schedule (positions, readers, concrete shapes) -> fold transposes into the 2-D matmuls that
 * read them -> fuse elementwise trees into generated loops (fusion.ts) -> views (a view shares
 * its input's buffer) -> kernels (each remaining node's fused loop, or the first matching entry
 * of the kernel table: 2-D matmul, linear reductions, the sparse cross-entropy pair, else the
 * op's core kernel) -> liveness -> buffers from the pool -> emit the steps and statistics.
 * @module
 */
import type { ConcreteShape, DimBindings, DType, Node } from '@stablegrad/core';
import { assignBuffers } from './passes/assign-buffers.js';
import { chooseKernels } from './passes/choose-kernels.js';
import { emit, type Plan } from './passes/emit.js';
import { foldTransposes } from './passes/fold-transposes.js';
import { fuseElementwise } from './passes/fuse.js';
import { lastUse } from './passes/liveness.js';
import { schedule } from './passes/schedule.js';
import { viewRoots } from './passes/views.js';

export type { Plan, PlanStats } from './passes/emit.js';

/**
 * How a plan computes: `matmul: 'simd'` (default) runs float32 matmuls on the WebAssembly SIMD
 * kernel (float32 sums, within a documented bound of the interpreter); `'exact'` keeps the
 * JavaScript kernel, float64 sums, the interpreter's bits.
 * @example
 * ```ts
 * compile(graph, { matmul: 'exact' });
 * ```
 */
export interface PlanOptions {
  readonly matmul?: 'simd' | 'exact';
}

/**
 * Builds a plan. `nodes` are in topological order; `types[i]` gives the concrete type of the
 * sources (inputs, params, constants) at their positions; `dims` the bound symbolic dimensions.
 * @example
 * ```ts
 * buildPlan(nodes, [loss], types, new Map([['batch', 32]]));
 * ```
 */
export function buildPlan(
  nodes: readonly Node[], outputs: readonly Node[], sourceTypes: readonly ({ shape: ConcreteShape; dtype: DType } | undefined)[], dims: DimBindings,
  options: PlanOptions = {},
): Plan {
  const scheduled = schedule(nodes, outputs, sourceTypes, dims);
  const folded = foldTransposes(scheduled);
  const fusion = fuseElementwise(scheduled);
  const rootOf = viewRoots(scheduled);
  const units = chooseKernels(scheduled, folded, fusion, options.matmul ?? 'simd');
  const buffers = assignBuffers(scheduled, units, rootOf, lastUse(scheduled, units, rootOf));
  return emit(scheduled, units, buffers, folded.size);
}
