/**
 * Pass 8, emit: the units' steps built over their buffers, interleaved in schedule order with
 * the views' actions (a view reads a value an earlier step made), and the plan's statistics.
 * @module
 */
import type { TypedArray } from '@stablegrad/core';
import type { Plan } from '../plan.js';
import type { BufferAssignment } from './assign-buffers.js';
import type { Unit } from './choose-kernels.js';
import type { Step } from './kernels/kernel.js';
import type { Schedule } from './schedule.js';
import { isView } from './views.js';

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
