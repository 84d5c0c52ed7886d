/**
 * Pass 6, liveness: the step after which each buffer is read no more. Views share their root's
 * buffer, so a read of a view is a read of its root; outputs live past the last step.
 * @module
 */
import type { Unit } from './choose-kernels.js';
import type { Schedule } from './schedule.js';

/**
 * The position of the last step reading each buffer root (Infinity for the outputs' roots).
 * Roots no step reads have no entry.
 * @example
 * ```ts
 * lastUse(s, units, viewRoots(s)).get(s.at(hidden)); // the position of hidden's last reader
 * ```
 */
export function lastUse(s: Schedule, units: readonly Unit[], rootOf: readonly number[]): Map<number, number> {
  const last = new Map<number, number>();
  for (const unit of units) {
    for (const j of unit.reads) last.set(rootOf[j]!, unit.at);
  }
  for (const o of s.isOutput) last.set(rootOf[o]!, Infinity);
  return last;
}
