/**
 * Pass 7, buffers: each unit's outputs take buffers from the pool (buffers.ts) and the buffers
 * whose last reader it is go back, step by step in schedule order, so a later value reuses the
 * memory of a dead one. An output normally takes its buffer before the dying inputs are freed (a
 * kernel never writes over its inputs); a fused loop that reads every leaf whole or as one value
 * frees them first, so its output may take a dying input's buffer (in place).
 * @module
 */
import { sizeOf, type TypedArray } from '@stablegrad/core';
import { BufferPool } from '../buffers.js';
import type { Unit } from './choose-kernels.js';
import type { Schedule } from './schedule.js';

/**
 * The buffer of each position that a step writes (undefined elsewhere: sources, views, inlined
 * members), and the pool's byte counts.
 * @example
 * ```ts
 * const { buffers, peakBytes } = assignBuffers(s, units, rootOf, lastUse(s, units, rootOf));
 * ```
 */
export interface BufferAssignment {
  readonly buffers: readonly (TypedArray | undefined)[];
  /** Most bytes of computed values held at once. */
  readonly peakBytes: number;
  /** Bytes of all the buffers made. */
  readonly bufferBytes: number;
}

/**
 * Assigns pooled buffers to the units' outputs.
 * @example
 * ```ts
 * assignBuffers(s, units, rootOf, last).buffers[s.at(loss)]; // a Float32Array of the loss's size
 * ```
 */
export function assignBuffers(s: Schedule, units: readonly Unit[], rootOf: readonly number[], lastUse: ReadonlyMap<number, number>): BufferAssignment {
  const pool = new BufferPool();
  const buffers: (TypedArray | undefined)[] = s.nodes.map(() => undefined);
  const freeDying = (unit: Unit) => {
    for (const j of new Set(unit.reads.map((r) => rootOf[r]!))) {
      if (lastUse.get(j) === unit.at && !s.isSource(j) && buffers[j] !== undefined) pool.give(buffers[j]!);
    }
  };
  for (const unit of units) {
    if (unit.inPlace) freeDying(unit);
    for (const w of unit.writes) buffers[w] = pool.take(s.nodes[w]!.dtype, sizeOf(s.shapes[w]!));
    if (!unit.inPlace) freeDying(unit);
  }
  return { buffers, peakBytes: pool.peakBytes, bufferBytes: pool.totalBytes };
}
