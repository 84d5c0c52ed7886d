/**
 * `dense`: the fully connected layer, `activation(x W + b)`. A layer is a plain config until
 * `sequential` builds it: then it gets its name (`dense_1`, `dense_2`, ... unless given), its
 * input size, and its weights as `param` nodes under its own scope, so reports and pictures
 * say `dense_3/kernel`.
 * @module
 */
import { allocate, type DType, type Node, param, scope, tensor, type TypedArray } from '@stablegrad/core';
import { type Activation, applyActivation, checkActivation } from './activations.js';
import { ModelError } from './errors.js';
import { type Initializer, type InitializerName, resolveInitializer } from './initializers.js';
import { checkKnownOptions, showValue } from './names.js';
import type { SeededRandom } from './random.js';

/**
 * Options of `dense`, Keras' names.
 * @example
 * ```ts
 * const options: DenseOptions = { units: 10, activation: 'softmax', name: 'classifier' };
 * ```
 */
export interface DenseOptions {
  /** Output size. */
  readonly units: number;
  /** Default `linear` (the layer outputs logits). */
  readonly activation?: Activation;
  /** Add a bias `b` (default true). */
  readonly useBias?: boolean;
  /** Default `glorotUniform`, as in Keras. */
  readonly kernelInitializer?: Initializer | InitializerName;
  /** Default `zeros`. */
  readonly biasInitializer?: Initializer | InitializerName;
  /** Scope name of the layer's nodes; default `dense_<position>` (1-based). */
  readonly name?: string;
}

/**
 * A dense layer's configuration, checked: what `sequential` builds and `save` writes.
 * @example
 * ```ts
 * dense({ units: 3 }).activation; // 'linear'
 * ```
 */
export interface DenseLayer {
  readonly type: 'dense';
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly name: string | undefined;
}

const DENSE_OPTIONS = ['units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'name'] as const;

/**
 * A fully connected layer: `activation(x W + b)` with `W` of shape `[inputs, units]`.
 * @example
 * ```ts
 * const model = sequential([
 *   dense({ units: 25, activation: 'relu' }),
 *   dense({ units: 10, activation: 'softmax' }),
 * ], { inputShape: [64] });
 * ```
 */
export function dense(options: DenseOptions): DenseLayer {
  checkKnownOptions('dense', options, DENSE_OPTIONS);
  if (options.name !== undefined && (typeof options.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(options.name))) {
    throw new ModelError(`dense: a layer name is letters, digits, '_', '.' or '-', starting with a letter or '_', got ${JSON.stringify(options.name) ?? typeof options.name}`);
  }
  const where = `dense${options.name === undefined ? '' : ` '${options.name}'`}`;
  // Safe integers only: the layer's sizes are multiplied, and the product must stay exact.
  if (!Number.isSafeInteger(options.units) || options.units < 1) {
    throw new ModelError(`${where}: units must be a positive integer, got ${showValue(options.units)}`);
  }
  if (options.useBias !== undefined && typeof options.useBias !== 'boolean') {
    throw new ModelError(`${where}: useBias must be true or false, got ${showValue(options.useBias)}`);
  }
  return {
    type: 'dense',
    units: options.units,
    activation: checkActivation(options.activation ?? 'linear', where),
    useBias: options.useBias ?? true,
    kernelInitializer: resolveInitializer(options.kernelInitializer ?? 'glorotUniform', where),
    biasInitializer: resolveInitializer(options.biasInitializer ?? 'zeros', where),
    name: options.name,
  };
}

/**
 * A dense layer inside a model: its name, the nodes it made, and its weights.
 * @example
 * ```ts
 * model.layers[0].kernel.path; // 'dense_1/kernel'
 * ```
 */
export interface BuiltDense {
  readonly config: DenseLayer;
  readonly name: string;
  readonly inputUnits: number;
  /** `[inputs, units]` param. */
  readonly kernel: Node;
  /** `[units]` param, when `useBias`. */
  readonly bias: Node | undefined;
  /** `x W + b`, before the activation. */
  readonly preActivation: Node;
  /** The layer's output. */
  readonly output: Node;
}

/**
 * Builds a dense layer on `x` (`['batch', inputs]`): its params (with the given values, or
 * drawn by its initializers from `random`) and its nodes, under the scope `name`.
 * @example
 * ```ts
 * const layer = buildDense(dense({ units: 3 }), 'dense_1', x, 'float32', seededRandom(1));
 * ```
 */
export function buildDense(
  config: DenseLayer, name: string, x: Node, dtype: DType, random: SeededRandom,
  values?: { kernel: ArrayLike<number>; bias?: ArrayLike<number> },
): BuiltDense {
  const inputUnits = x.shape[x.shape.length - 1];
  if (x.shape.length !== 2 || typeof inputUnits !== 'number') {
    throw new ModelError(`${name}: dense expects inputs of shape [batch, features], got [${x.shape.join(', ')}]`);
  }
  const fans = { fanIn: inputUnits, fanOut: config.units };
  const kernelValues = weightValues(`${name}/kernel`, [inputUnits, config.units], dtype, values?.kernel, config.kernelInitializer, fans, random);
  const biasValues = config.useBias ? weightValues(`${name}/bias`, [config.units], dtype, values?.bias, config.biasInitializer, fans, random) : undefined;
  return scope(name, () => {
    const kernel = param(tensor(kernelValues, { dtype, shape: [inputUnits, config.units] }), { name: 'kernel' });
    const bias = biasValues === undefined ? undefined : param(tensor(biasValues, { dtype, shape: [config.units] }), { name: 'bias' });
    const product = x.matmul(kernel);
    const preActivation = bias === undefined ? product : product.add(bias);
    return { config, name, inputUnits, kernel, bias, preActivation, output: applyActivation(config.activation, preActivation) };
  });
}

// A weight's values in its dtype: the given ones, or the initializer's. Sizes were checked
// against the model's limit before; memory can still run out, which is a ModelError naming
// the weight rather than a raw RangeError.
function weightValues(
  path: string, shape: readonly number[], dtype: DType, given: ArrayLike<number> | undefined,
  initializer: Initializer, fans: { fanIn: number; fanOut: number }, random: SeededRandom,
): TypedArray {
  const size = shape.reduce((a, b) => a * b, 1);
  try {
    const values = given ?? initializer.fill(size, fans, random);
    if (values.length !== size) throw new ModelError(`${path}: expected ${size} values for [${shape.join(', ')}], got ${values.length}`);
    const out = allocate(dtype, size);
    out.set(values);
    return out;
  } catch (e) {
    if (e instanceof RangeError) {
      throw new ModelError(`${path}: cannot allocate [${shape.join(', ')}] ${dtype} (${size} values, ${size * (dtype === 'float64' ? 8 : 4)} bytes): ${e.message}`);
    }
    throw e;
  }
}
