/**
 * Settings that some rules read while a rewrite runs, such as how small an epsilon must be to
 * count as a stability guard. `stabilize` and `prepareTraining` set them for the duration of
 * one rewrite (as `scope` does for node names), so rules stay plain data with a one-argument
 * guard and no rule needs its own option plumbing.
 * @module
 */
import { StablegradError } from '@stablegrad/core';

/**
 * Largest epsilon (in `log(p + eps)`, `clip(p, eps, 1 - eps)`, `maximum(p, eps)`) that
 * stabilize treats as a stability guard by default. Keras and TensorFlow.js use 1e-7; common
 * hand-written guards are 1e-7 to 1e-15. A larger epsilon changes the loss by up to eps/p,
 * which is a modelling choice, not a guard, so it is kept as written.
 * @example
 * ```ts
 * stabilize({ loss }, { guardEpsilon: DEFAULT_GUARD_EPSILON * 100 }); // also drop guards up to 1e-4
 * ```
 */
export const DEFAULT_GUARD_EPSILON = 1e-6;

/**
 * What rules may read while they run.
 * @example
 * ```ts
 * const context: RuleContext = { guardEpsilon: 1e-6 };
 * ```
 */
export interface RuleContext {
  /** Epsilons and clip bounds up to this value are stability guards that stabilize may drop. */
  readonly guardEpsilon: number;
}

let current: RuleContext = { guardEpsilon: DEFAULT_GUARD_EPSILON };

/**
 * The settings of the rewrite that is running (defaults outside one).
 * @example
 * ```ts
 * const bound = ruleContext().guardEpsilon; // 1e-6 unless stabilize was given guardEpsilon
 * ```
 */
export function ruleContext(): RuleContext {
  return current;
}

/**
 * Runs `fn` with `settings` in force; restores the previous ones afterwards, also on a throw.
 * Throws a StablegradError for a guard epsilon outside [0, 0.01].
 * @example
 * ```ts
 * withRuleContext({ guardEpsilon: 1e-4 }, () => rewrite(graph({ loss }), PHASES));
 * ```
 */
export function withRuleContext<T>(settings: Partial<RuleContext>, fn: () => T): T {
  const guardEpsilon = settings.guardEpsilon ?? DEFAULT_GUARD_EPSILON;
  if (typeof guardEpsilon !== 'number' || !(guardEpsilon >= 0 && guardEpsilon <= 0.01)) {
    throw new StablegradError(`guardEpsilon must be a number in [0, 0.01], got ${String(guardEpsilon)}`);
  }
  const saved = current;
  current = { guardEpsilon };
  try {
    return fn();
  } finally {
    current = saved;
  }
}

/**
 * Throws a StablegradError naming the first key of `options` that is not in `known` (a typo such
 * as `guardEpsilom` would otherwise be ignored silently).
 * @example
 * ```ts
 * checkOptionKeys({ guardEpsilom: 1e-4 }, ['guardEpsilon', 'maxPasses'], 'stabilize'); // throws
 * ```
 */
export function checkOptionKeys(options: object, known: readonly string[], where: string): void {
  if (typeof options !== 'object' || options === null) throw new StablegradError(`${where}: options must be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new StablegradError(`${where}: unknown option '${key}'; known options: ${known.join(', ')}`);
  }
}
