/**
 * Pass 5, kernels: what runs at each step. Every node that runs a step of its own (not a
 * source, a view, a folded transpose or a member inlined into a loop) becomes a unit: its fused
 * loop if it roots one, else the first entry of the kernel table that matches it (kernels/index.ts),
 * or nothing when an earlier step already computed it (the second of a cross-entropy pair, a
 * scaling folded into it). A unit says what it reads and writes, for the buffer passes, and
 * builds its step once buffers are assigned.
 * @module
 */
import type { TypedArray } from '@stablegrad/core';
import { readThrough } from './fold-transposes.js';
import type { Fusion } from './fuse.js';
import { fusedLoopStep, mayRunInPlace } from './kernels/fused-loop.js';
import { pickKernel } from './kernels/index.js';
import type { BuiltStep, KernelContext } from './kernels/kernel.js';
import type { Schedule } from './schedule.js';
import { isView } from './views.js';

/**
 * One step of the plan, before buffers: at position `at`, what runs there (`fused-loop`, a
 * kernel's name, or `computed-earlier`), the positions it reads (a folded transpose's input in
 * its place) and writes, and whether its output may take the buffer of an input dying there.
 * @example
 * ```ts
 * units.map((u) => u.kernel); // ['matmul-2d', 'fused-loop', 'sum-or-mean']
 * ```
 */
export interface Unit {
  readonly at: number;
  readonly kernel: string;
  readonly reads: readonly number[];
  readonly writes: readonly number[];
  readonly inPlace: boolean;
  build(buffers: readonly (TypedArray | undefined)[]): BuiltStep;
}

const nothing: BuiltStep = { step: () => {} };

/**
 * The units of a plan, in schedule order.
 * @example
 * ```ts
 * chooseKernels(s, foldTransposes(s), fuseElementwise(s), 'simd').length; // steps per run
 * ```
 */
export function chooseKernels(s: Schedule, folded: ReadonlySet<number>, fusion: Fusion, matmul: 'simd' | 'exact'): Unit[] {
  const runs = (i: number) => !s.isSource(i) && !fusion.inlined.has(i) && !folded.has(i) && !isView(s.nodes[i]!);
  const ctx: KernelContext = { schedule: s, folded, loops: fusion.loops, matmul, runs };
  const computedEarlier = new Set<number>();
  const units: Unit[] = [];
  s.nodes.forEach((node, at) => {
    if (!runs(at)) return;
    const loop = fusion.loops.get(at);
    const reads = loop !== undefined ? loop.leaves.map(s.at) : node.inputs.map((input) => readThrough(s, folded, input));
    if (computedEarlier.has(at)) {
      // Its value was written by an earlier step; inputs whose last reader is this node die here all the same.
      units.push({ at, kernel: 'computed-earlier', reads, writes: [], inPlace: false, build: () => nothing });
    } else if (loop !== undefined) {
      units.push({ at, kernel: 'fused-loop', reads, writes: [at], inPlace: mayRunInPlace(loop), build: (buffers) => fusedLoopStep(loop, at, s, buffers[at]!) });
    } else {
      const { kernel, match } = pickKernel(at, ctx);
      const plan = kernel.plan(match, at, ctx);
      for (const later of plan.computes) computedEarlier.add(later);
      units.push({ at, kernel: kernel.name, reads, writes: plan.writes, inPlace: false, build: (buffers) => plan.build(buffers) });
    }
  });
  return units;
}
