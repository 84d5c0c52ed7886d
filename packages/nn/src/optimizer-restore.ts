/**
 * Restoring an optimizer's saved state into a compiled model.
 * @module
 */
import { ModelError } from './errors.js';
import type { Optimizer, OptimizerState, SlotKind } from './optimizers/index.js';

/**
 * Restores an optimizer's step count, slots, learning rate and scalars (what `loadModel` read),
 * everything checked against the optimizer before anything is written.
 * @example
 * ```ts
 * restoreOptimizerState(compiled, 12, { m: [...], v: [...] }, { learningRate: 0.001 });
 * ```
 */
export function restoreOptimizerState(
  { state, optimizer }: { readonly state: OptimizerState; readonly optimizer: Optimizer },
  iterations: number, slots: { readonly [slot: string]: readonly ArrayLike<number>[] },
  extra: { readonly learningRate?: number | undefined; readonly scalars?: { readonly [name: string]: number } | undefined } = {},
): void {
  if (!Number.isSafeInteger(iterations) || iterations < 0) throw new ModelError(`optimizer state: the step count must be an integer >= 0, got ${iterations}`);
  for (const [name, arrays] of Object.entries(slots)) {
    // Own slots only: a file's slot named 'constructor' must not find Object.prototype's.
    const target = Object.hasOwn(state.slots, name) ? state.slots[name] : undefined;
    if (target === undefined || target.length !== arrays.length) throw new ModelError(`optimizer slot '${name}' does not fit this optimizer`);
    arrays.forEach((values, i) => {
      if (values.length !== target[i]!.length) throw new ModelError(`optimizer slot '${name}' #${i} has ${values.length} values, expected ${target[i]!.length}`);
    });
  }
  // Restored steps with zeroed moments would not resume the run: every slot must be given.
  const missing = Object.keys(state.slots).find((name) => !Object.hasOwn(slots, name));
  if (missing !== undefined) throw new ModelError(`optimizer slot '${missing}' is missing`);
  const scalars = extra.scalars ?? {};
  const kinds: { readonly [name: string]: SlotKind } = optimizer.scalarKinds ?? {};
  const absent = Object.keys(kinds).find((name) => !Object.hasOwn(scalars, name));
  if (absent !== undefined) throw new ModelError(`optimizer scalar '${absent}' is missing`);
  const foreign = Object.keys(scalars).find((name) => !Object.hasOwn(kinds, name) && !Object.hasOwn(state.scalars ?? {}, name));
  if (foreign !== undefined) throw new ModelError(`optimizer scalar '${foreign}' does not fit this optimizer`);
  if (extra.learningRate !== undefined) {
    if (optimizer.schedule !== undefined) throw new ModelError(`optimizer state: a learning rate of ${extra.learningRate} is given, but the rate follows a schedule (${optimizer.schedule.config.name})`);
    if (!(extra.learningRate > 0 && Number.isFinite(extra.learningRate))) throw new ModelError(`optimizer state: the learning rate must be a finite number > 0, got ${extra.learningRate}`);
  }
  // Everything checked: now write.
  for (const [name, arrays] of Object.entries(slots)) arrays.forEach((values, i) => state.slots[name]![i]!.set(values));
  if (state.scalars !== undefined) for (const [name, value] of Object.entries(scalars)) state.scalars[name] = value;
  if (extra.learningRate !== undefined) state.learningRate = extra.learningRate;
  state.iterations = iterations;
}
