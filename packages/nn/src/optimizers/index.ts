/**
 * The optimizers, an optimizer from its name or saved config, and the registry of custom
 * optimizers that model files may name.
 * @module
 */
import { ModelError } from '../errors.js';
import { didYouMean, showValue } from '../names.js';
import { adagrad } from './adagrad.js';
import { adam } from './adam.js';
import { adamW } from './adamw.js';
import { isLibraryOptimizer } from './library.js';
import { nadam } from './nadam.js';
import type { CustomOptimizerConfig, Optimizer, OptimizerConfig, OptimizerName } from './optimizer.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';

export { adagrad, type AdagradOptions } from './adagrad.js';
export { adam, type AdamOptions } from './adam.js';
export { adamW } from './adamw.js';
export { clipGradients, type CommonOptions, type LearningRate } from './define.js';
export { nadam, type NadamOptions } from './nadam.js';
export { rmsprop, type RmspropOptions } from './rmsprop.js';
export { sgd, type SgdOptions } from './sgd.js';
export {
  cosineDecay, exponentialDecay, piecewiseConstant, resolveSchedule, type CosineDecayOptions, type ExponentialDecayOptions, type LearningRateSchedule,
  type LearningRateScheduleConfig, type PiecewiseConstantOptions,
} from './schedules.js';
export { isLibraryOptimizer } from './library.js';
export type {
  CommonConfig, Convention, CustomOptimizerConfig, ModelOptimizer, Optimizer, OptimizerConfig, OptimizerName, OptimizerState, SlotKind,
} from './optimizer.js';

/** The library's optimizers by name: each builds one from its options (a saved config's settings). */
const LIBRARY: { readonly [name in OptimizerName]: (options: { readonly [key: string]: unknown }) => Optimizer } = {
  sgd, adam, adamW, rmsprop, adagrad, nadam,
};
const LIBRARY_NAMES = Object.keys(LIBRARY) as OptimizerName[];

/** Custom optimizers by registered name: the factory rebuilds one from its saved config. */
const REGISTERED = new Map<string, (config: CustomOptimizerConfig) => Optimizer>();

/**
 * Registers a custom optimizer under `name`, so that models compiled with it can be saved (its
 * `config`, plain JSON data whose `name` is `name`, goes into the file) and loaded (`fromConfig`
 * rebuilds it from that config). Register it before `loadModel` in every program that loads
 * such files; a file naming an unregistered optimizer is a `ModelFormatError`. The library's
 * names (`sgd`, `adam`, `adamW`, `rmsprop`, `adagrad`, `nadam`) cannot be taken.
 * @example
 * ```ts
 * const clippedSgd = (config: { learningRate: number; clip: number }): Optimizer => ({
 *   config: { name: 'clippedSgd', ...config },
 *   createState: () => ({ iterations: 0, slots: {} }),
 *   step(state, values, gradients) { ... state.iterations++; },
 * });
 * registerOptimizer('clippedSgd', (c) => clippedSgd({ learningRate: Number(c.learningRate), clip: Number(c.clip) }));
 * ```
 */
export function registerOptimizer(name: string, fromConfig: (config: CustomOptimizerConfig) => Optimizer): void {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new ModelError(`registerOptimizer: the name must be letters, digits, '_', '.' or '-', starting with a letter or '_', got ${JSON.stringify(name)}`);
  }
  if ((LIBRARY_NAMES as readonly string[]).includes(name)) throw new ModelError(`registerOptimizer: '${name}' is the library's optimizer; register yours under its own name`);
  if (typeof fromConfig !== 'function') throw new ModelError(`registerOptimizer: '${name}' needs a function that builds the optimizer from its config`);
  REGISTERED.set(name, fromConfig);
}

/**
 * Whether `name` was registered with `registerOptimizer`.
 * @example
 * ```ts
 * isRegisteredOptimizer('clippedSgd'); // true once registered
 * ```
 */
export function isRegisteredOptimizer(name: string): boolean {
  return REGISTERED.has(name);
}

/**
 * An optimizer from itself, its name (default settings) or its saved config (a library one, or
 * a registered custom one). Unknown names and unknown settings are a `ModelError`.
 * @example
 * ```ts
 * resolveOptimizer('adam').config.learningRate; // 0.001
 * resolveOptimizer({ name: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: false });
 * resolveOptimizer({ name: 'rmsprop', convention: 'pytorch', learningRate: 0.01 });
 * ```
 */
export function resolveOptimizer(spec: Optimizer | OptimizerName | OptimizerConfig | CustomOptimizerConfig): Optimizer {
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec) && ('step' in spec || 'createState' in spec)) return checkOptimizer(spec as Optimizer);
  if (typeof spec === 'string' && Object.hasOwn(LIBRARY, spec)) return LIBRARY[spec]({});
  if (typeof spec === 'object' && spec !== null && !Array.isArray(spec)) {
    const { name, ...settings } = spec as { readonly [key: string]: unknown };
    if (typeof name === 'string' && Object.hasOwn(LIBRARY, name)) return LIBRARY[name as OptimizerName](settings);
    const make = typeof name === 'string' ? REGISTERED.get(name) : undefined;
    if (make !== undefined) {
      const built = checkOptimizer(make(spec as CustomOptimizerConfig));
      if (built.config.name !== name) throw new ModelError(`the optimizer registered as '${showValue(name)}' built one whose config is named ${JSON.stringify(built.config.name)}`);
      return built;
    }
  }
  const name = typeof spec === 'object' && spec !== null ? (spec as { name?: unknown }).name : spec;
  const known = [...LIBRARY_NAMES, ...REGISTERED.keys()];
  throw new ModelError(`unknown optimizer ${JSON.stringify(name) ?? String(name)}${didYouMean(name, known)}; known: ${known.join(', ')}${REGISTERED.size === 0 ? ' (custom optimizers are named with registerOptimizer)' : ''}`);
}

/** An optimizer object has the parts `fit` calls. */
function checkOptimizer(optimizer: Optimizer): Optimizer {
  const o = optimizer as Partial<Optimizer> | null;
  if (typeof o !== 'object' || o === null || typeof o.step !== 'function' || typeof o.createState !== 'function' ||
    typeof o.config !== 'object' || o.config === null || typeof o.config.name !== 'string') {
    throw new ModelError('optimizer: expected an object with config { name, ... }, createState(params) and step(state, values, gradients) (or use a library optimizer: sgd(), adam(), ...)');
  }
  return optimizer;
}

/**
 * The config `save` writes for this optimizer, or a `ModelError` when a file could not bring
 * it back as it is: a custom object (not made by `sgd()` or `adam()`) that calls itself by a
 * library name, or one whose name is not registered, or whose config is not plain JSON data.
 * @example
 * ```ts
 * savableOptimizer(adam()); // { name: 'adam', learningRate: 0.001, ... }
 * ```
 */
export function savableOptimizer(optimizer: Optimizer): OptimizerConfig | CustomOptimizerConfig {
  if (isLibraryOptimizer(optimizer)) return optimizer.config;
  const name = optimizer.config.name;
  if ((LIBRARY_NAMES as readonly string[]).includes(name)) {
    throw new ModelError(`save: the optimizer is a custom object whose config is named '${name}', but ${name}() did not make it; a file would resume it as the library's ${name}, with another update. Give it its own name and registerOptimizer(name, fromConfig), or use ${name}()`);
  }
  if (!REGISTERED.has(name)) {
    throw new ModelError(`save: the optimizer '${name}' is a custom object that is not registered, so a file could not bring it back; call registerOptimizer('${name}', fromConfig) first, or use a library optimizer`);
  }
  const problem = notPlainJSON(optimizer.config);
  if (problem !== undefined) throw new ModelError(`save: the config of the optimizer '${name}' ${problem}; a file holds plain JSON data`);
  return optimizer.config;
}

/** Why `value` is not plain JSON data (finite numbers, strings, booleans, null, arrays, plain objects), or undefined. */
function notPlainJSON(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, 'config']];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `has ${v} at ${at}`;
      continue;
    }
    if (typeof v !== 'object') return `has a ${typeof v} at ${at}`;
    if (seen.has(v)) return `refers to itself at ${at}`;
    seen.add(v);
    if (Array.isArray(v)) v.forEach((item, i) => stack.push([item, `${at}[${i}]`]));
    else if (Object.getPrototypeOf(v) !== Object.prototype) return `has a class instance at ${at}`;
    else for (const [key, item] of Object.entries(v)) stack.push([item, `${at}.${key}`]);
  }
  return undefined;
}
