/**
 * The step of a fused loop (fuse pass, fusion.ts): it reads its leaves and writes the root's
 * buffer. When every leaf is read whole or as one value, the buffer may be one of those leaves
 * dying here: element i is read before it is written.
 * @module
 */
import { sizeOf, type TypedArray } from '@stablegrad/core';
import type { FusedLoop } from '../../fusion.js';
import type { Schedule } from '../schedule.js';
import type { BuiltStep } from './kernel.js';

/**
 * True when the loop may write over a leaf it reads (only `full` and `scalar` reads: a repeated
 * block read after its element was overwritten would be wrong).
 * @example
 * ```ts
 * mayRunInPlace(loop); // false for a loop reading a bias as a repeated suffix
 * ```
 */
export function mayRunInPlace(loop: FusedLoop): boolean {
  return loop.modes.every((m) => m.kind === 'full' || m.kind === 'scalar');
}

/**
 * The step running `loop` at position i into `out`.
 * @example
 * ```ts
 * fusedLoopStep(loop, i, s, buffers[i]!).step(values);
 * ```
 */
export function fusedLoopStep(loop: FusedLoop, i: number, s: Schedule, out: TypedArray): BuiltStep {
  const leaves = loop.leaves.map(s.at);
  const size = sizeOf(s.shapes[i]!);
  const arrays = leaves.map(() => out);
  return {
    tally: { fusedLoops: 1, fusedOps: loop.members.length },
    loopSource: loop.source,
    step: (values) => {
      for (let l = 0; l < leaves.length; l++) arrays[l] = values[leaves[l]!]!;
      loop.run(out, arrays, size);
      values[i] = out;
    },
  };
}
