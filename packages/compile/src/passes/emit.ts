/**
 * Pass 8, emit: the units' steps built over their buffers, interleaved in schedule order with
 * the views' actions (a view reads a value an earlier step made), and the plan's statistics.
 * @module
 */
import type { ConcreteShape, TypedArray } from '@stablegrad/core';
import type { BufferAssignment } from './assign-buffers.js';
import type { Unit } from './choose-kernels.js';
import type { Step } from './kernels/kernel.js';
import type { Schedule } from './schedule.js';
import { isView } from './views.js';

/**
 * A plan for one binding of the symbolic dimensions.
 * @example
 * ```ts
 * const plan = buildPlan(nodes, outputs, sourceTypes, dims);
 * plan.run(sourceData); // the outputs' data
 * ```
 */
export interface Plan {
  /** Concrete shape of every node, by schedule position. */
  readonly shapes: readonly ConcreteShape[];
  /** Runs the steps; `sources[i]` is the data of node i for inputs, params and constants. */
  run(sources: readonly (TypedArray | undefined)[]): TypedArray[];
  /** True when `data` lives in one of the plan's own buffers (a result of an earlier run). */
  owns(data: TypedArray): boolean;
  readonly stats: PlanStats;
}

/**
 * What a plan does, for reports and tests.
 * @example
 * ```ts
 * executable.stats().fusedLoops; // e.g. 3
 * ```
 */
export interface PlanStats {
  /** Steps run per call. */
  readonly steps: number;
  /** Generated elementwise loops, and the ops they replace. */
  readonly fusedLoops: number;
  readonly fusedOps: number;
  /** Transposes folded into matmuls (never materialised). */
  readonly foldedTransposes: number;
  /** Matmuls on the WebAssembly SIMD kernel (the others run the JavaScript one). */
  readonly simdMatmuls: number;
  /** Gradient scalings (`mul(1 / n, gradient)`) done inside the cross-entropy kernel. */
  readonly foldedScales: number;
  /** Ops run by their own core kernel (into a pooled buffer). */
  readonly kernelOps: number;
  /** Peak bytes of computed values held at once, and bytes of all the plan's buffers. */
  readonly peakBytes: number;
  readonly bufferBytes: number;
  /** The generated loops' source, for the curious. */
  readonly loops: readonly string[];
}

/**
 * The runnable plan.
 * @example
 * ```ts
 * emit(s, units, assignBuffers(s, units, rootOf, last), folded.size).run(sourceData);
 * ```
 */
export function emit(s: Schedule, units: readonly Unit[], assignment: BufferAssignment, foldedTransposes: number): Plan {
  const { buffers } = assignment;
  const tally = { fusedLoops: 0, fusedOps: 0, simdMatmuls: 0, foldedScales: 0, kernelOps: 0 };
  const loops: string[] = [];
  const stepAt = new Map<number, Step>();
  for (const unit of units) {
    const built = unit.build(buffers);
    stepAt.set(unit.at, built.step);
    for (const key of Object.keys(tally) as (keyof typeof tally)[]) tally[key] += built.tally?.[key] ?? 0;
    if (built.loopSource !== undefined) loops.push(built.loopSource);
  }
  const actions: Step[] = [];
  s.nodes.forEach((n, i) => {
    const step = stepAt.get(i);
    if (step !== undefined) actions.push(step);
    else if (isView(n)) {
      const from = s.at(n.inputs[0]!);
      actions.push((values) => { values[i] = values[from]; });
    }
  });
  const owned = new Set(buffers.filter((b): b is TypedArray => b !== undefined).map((b) => b.buffer));
  return {
    shapes: s.shapes,
    owns: (data) => owned.has(data.buffer),
    run(sources) {
      const values = sources.slice();
      for (let a = 0; a < actions.length; a++) actions[a]!(values);
      return s.outputs.map((o) => values[o]!);
    },
    stats: {
      steps: units.length, fusedLoops: tally.fusedLoops, fusedOps: tally.fusedOps, foldedTransposes, simdMatmuls: tally.simdMatmuls,
      foldedScales: tally.foldedScales, kernelOps: tally.kernelOps, peakBytes: assignment.peakBytes, bufferBytes: assignment.bufferBytes, loops,
    },
  };
}
