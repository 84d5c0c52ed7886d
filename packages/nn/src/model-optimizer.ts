/**
 * `model.optimizer`: a compiled model's optimizer bound to its weights and state, for loops
 * written by hand (PyTorch's `optimizer.step()`, Keras 3's `optimizer.apply(grads)`) and for
 * callbacks that read or change the learning rate. Gradients given to it are checked (count,
 * shapes, dtypes, finiteness) before anything changes.
 * @module
 */
import { isTensor, type Node, type Tensor, type TypedArray } from '@stablegrad/core';
import { firstNonFinite } from './data.js';
import { ModelError, TrainingError } from './errors.js';
import { checkLearningRate } from './optimizers/define.js';
import type { ModelOptimizer, Optimizer, OptimizerState } from './optimizers/index.js';

/**
 * The learning rate the optimizer's next step will use, when it can be known: the library
 * optimizers say it (their schedule at the step count, or the state's rate); a custom one's is
 * the state's `learningRate`, else its config's, else undefined.
 * @example
 * ```ts
 * currentLearningRate(adam(), state); // 0.001
 * ```
 */
export function currentLearningRate(optimizer: Optimizer, state: OptimizerState): number | undefined {
  if (optimizer.learningRate !== undefined) return optimizer.learningRate(state);
  if (state.learningRate !== undefined) return state.learningRate;
  const configured = (optimizer.config as { learningRate?: unknown }).learningRate;
  return typeof configured === 'number' ? configured : undefined;
}

/** What `bindOptimizer` needs of the model. */
export interface BoundParts {
  readonly optimizer: Optimizer;
  readonly state: OptimizerState;
  readonly params: readonly Node[];
  readonly dtype: 'float32' | 'float64';
  /** The weights' own arrays, updated in place. */
  readonly weightData: readonly TypedArray[];
  /** Throws when the model cannot take a step now (a fit call is running). */
  readonly guard: (what: string) => void;
}

/**
 * The model's optimizer bound to its weights and state.
 * @example
 * ```ts
 * const bound = bindOptimizer({ optimizer, state, params, dtype, weightData, guard });
 * bound.apply(gradients);
 * ```
 */
export function bindOptimizer(parts: BoundParts): ModelOptimizer {
  const { optimizer, state, params, dtype, weightData } = parts;
  const name = optimizer.config.name;
  return {
    get config() { return optimizer.config; },
    get iterations() { return state.iterations; },
    get schedule() { return optimizer.schedule; },
    get learningRate(): number {
      const rate = currentLearningRate(optimizer, state);
      if (rate === undefined) throw new ModelError(`optimizer.learningRate: the custom optimizer '${name}' has no learning rate in its config or state`);
      return rate;
    },
    set learningRate(value: number) {
      if (optimizer.schedule !== undefined) {
        throw new ModelError(`optimizer.learningRate: ${name}'s learning rate follows a schedule (${optimizer.schedule.config.name}), so it cannot be set (as in Keras); compile with a number to change it during training`);
      }
      state.learningRate = checkLearningRate('optimizer', value);
    },
    apply(gradients) {
      parts.guard('optimizer.apply');
      const data = checkGradients(gradients, params, dtype);
      const paths = params.map((p) => p.path);
      checkFiniteGradients(data, paths, 'given to optimizer.apply', 'the weights are unchanged');
      optimizer.step(state, weightData, data);
      checkUpdated(weightData, paths, 'by optimizer.apply');
    },
  };
}

/** One gradient per param, of its shape and dtype, as arrays; anything else is a `ModelError`. */
function checkGradients(gradients: readonly (Tensor | TypedArray)[], params: readonly Node[], dtype: 'float32' | 'float64'): TypedArray[] {
  if (!Array.isArray(gradients) || gradients.length !== params.length) {
    throw new ModelError(`optimizer.apply: expected ${params.length} gradients (${params.map((p) => p.path).join(', ')}), got ${Array.isArray(gradients) ? gradients.length : typeof gradients}`);
  }
  const Expected = dtype === 'float32' ? Float32Array : Float64Array;
  return gradients.map((g: unknown, i) => {
    const param = params[i]!;
    const shape = param.shape as readonly number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const wanted = `[${shape.join(', ')}] ${dtype}`;
    if (isTensor(g)) {
      if (g.dtype !== dtype || g.shape.join() !== shape.join()) throw new ModelError(`optimizer.apply: the gradient of '${param.path}' must be ${wanted}, got [${g.shape.join(', ')}] ${g.dtype}`);
      return g.data;
    }
    if (g instanceof Expected && g.length === size) return g;
    const found = ArrayBuffer.isView(g) ? `a ${g.constructor.name} of ${(g as unknown as ArrayLike<number>).length} values` : g === null ? 'null' : Array.isArray(g) ? 'an array' : typeof g;
    throw new ModelError(`optimizer.apply: the gradient of '${param.path}' must be a tensor or a ${Expected.name} of ${size} values (${wanted}), got ${found}`);
  });
}

/**
 * A `TrainingError` when a gradient has a NaN or an infinity, naming the weight and element.
 * @example
 * ```ts
 * checkFiniteGradients(gradients, ['dense_1/kernel', 'dense_1/bias'], 'given to optimizer.apply', 'the weights are unchanged');
 * ```
 */
export function checkFiniteGradients(gradients: readonly ArrayLike<number>[], paths: readonly string[], where: string, consequence: string): void {
  gradients.forEach((g, p) => {
    const i = firstNonFinite(g);
    if (i >= 0) throw new TrainingError(`the gradient of '${paths[p]}' is ${g[i]} (element ${i}) ${where}; ${consequence}`);
  });
}

/**
 * A `TrainingError` when an update stepped a weight out of range (a huge learning rate).
 * @example
 * ```ts
 * checkUpdated(weightData, ['dense_1/kernel', 'dense_1/bias'], 'in trainOnBatch');
 * ```
 */
export function checkUpdated(weightData: readonly TypedArray[], paths: readonly string[], where: string): void {
  weightData.forEach((w, p) => {
    const i = firstNonFinite(w);
    if (i >= 0) {
      throw new TrainingError(
        `the update ${where} made '${paths[p]}' ${w[i]} (element ${i}): the step was too large for ${w instanceof Float32Array ? 'float32' : 'float64'}; training stopped, and the weights are not usable. Try a smaller learning rate`,
      );
    }
  });
}
