/**
 * Weight initializers, Keras' names and formulas. Each takes the weight's shape and fans and a
 * seeded generator, and returns the values; the dense layer calls them once at build time.
 * @module
 */
import { ModelError } from './errors.js';
import type { SeededRandom } from './random.js';

/**
 * How to fill a new weight: `fill(shape, fans, random)` returns `size` numbers, row-major.
 * @example
 * ```ts
 * dense({ units: 10, kernelInitializer: heNormal() });
 * dense({ units: 10, kernelInitializer: 'zeros' });
 * ```
 */
export interface Initializer {
  /** The Keras name, saved with the model (`glorotUniform`, `heNormal`, `zeros`, ...). */
  readonly name: InitializerName;
  /** `size` initial values, row-major, drawn from `random` where the initializer is random. */
  fill(size: number, fans: Fans, random: SeededRandom): ArrayLike<number>;
}

/**
 * Fan-in and fan-out of a weight: for a dense kernel `[inputs, units]`, inputs and units.
 * @example
 * ```ts
 * glorotUniform().fill(6, { fanIn: 3, fanOut: 2 }, seededRandom(1));
 * ```
 */
export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/**
 * The initializers by name.
 * @example
 * ```ts
 * dense({ units: 4, kernelInitializer: 'heNormal' });
 * ```
 */
export type InitializerName = 'glorotUniform' | 'glorotNormal' | 'heNormal' | 'heUniform' | 'randomUniform' | 'zeros' | 'ones';

/**
 * Glorot (Xavier) uniform, Keras' default for dense kernels: uniform in `[-l, l]` with
 * `l = sqrt(6 / (fanIn + fanOut))`.
 * @example
 * ```ts
 * dense({ units: 25, kernelInitializer: glorotUniform() });
 * ```
 */
export function glorotUniform(): Initializer {
  return {
    name: 'glorotUniform',
    fill: (size, { fanIn, fanOut }, random) => uniformIn(size, Math.sqrt(6 / (fanIn + fanOut)), random),
  };
}

/**
 * Glorot (Xavier) normal: a normal with standard deviation `sqrt(2 / (fanIn + fanOut))`,
 * truncated at two standard deviations (as Keras does).
 * @example
 * ```ts
 * dense({ units: 25, kernelInitializer: glorotNormal() });
 * ```
 */
export function glorotNormal(): Initializer {
  return {
    name: 'glorotNormal',
    fill: (size, { fanIn, fanOut }, random) => truncatedNormal(size, Math.sqrt(2 / (fanIn + fanOut)), random),
  };
}

/**
 * He normal, for relu layers: a normal with standard deviation `sqrt(2 / fanIn)`, truncated at
 * two standard deviations (as Keras does).
 * @example
 * ```ts
 * dense({ units: 25, activation: 'relu', kernelInitializer: heNormal() });
 * ```
 */
export function heNormal(): Initializer {
  return { name: 'heNormal', fill: (size, { fanIn }, random) => truncatedNormal(size, Math.sqrt(2 / fanIn), random) };
}

/**
 * He uniform: uniform in `[-l, l]` with `l = sqrt(6 / fanIn)`.
 * @example
 * ```ts
 * dense({ units: 25, activation: 'relu', kernelInitializer: heUniform() });
 * ```
 */
export function heUniform(): Initializer {
  return { name: 'heUniform', fill: (size, { fanIn }, random) => uniformIn(size, Math.sqrt(6 / fanIn), random) };
}

/**
 * Uniform in `[-0.05, 0.05]`: Keras' `RandomUniform()` with its default bounds, the default of
 * embedding tables.
 * @example
 * ```ts
 * embedding({ inputDim: 100, outputDim: 8, embeddingsInitializer: randomUniform() });
 * ```
 */
export function randomUniform(): Initializer {
  return { name: 'randomUniform', fill: (size, _fans, random) => uniformIn(size, 0.05, random) };
}

/**
 * All zeros: the default for biases.
 * @example
 * ```ts
 * dense({ units: 1, kernelInitializer: zeros() }); // logistic regression from zero weights
 * ```
 */
export function zeros(): Initializer {
  return { name: 'zeros', fill: (size) => new Float64Array(size) };
}

/**
 * All ones.
 * @example
 * ```ts
 * dense({ units: 3, biasInitializer: ones() });
 * ```
 */
export function ones(): Initializer {
  return { name: 'ones', fill: (size) => new Float64Array(size).fill(1) };
}

const BY_NAME: { readonly [name in InitializerName]: () => Initializer } = {
  glorotUniform, glorotNormal, heNormal, heUniform, randomUniform, zeros, ones,
};

/**
 * Every initializer by name, for code that prefers a namespace (`zeros` and `ones` are also
 * core's tensor makers, so the umbrella package exports them only here).
 * @example
 * ```ts
 * dense({ units: 1, kernelInitializer: initializers.zeros() });
 * dense({ units: 1, kernelInitializer: 'zeros' }); // the same
 * ```
 */
export const initializers: { readonly [name in InitializerName]: () => Initializer } = BY_NAME;

/**
 * An initializer from itself or its name; unknown names are a `ModelError` listing the known ones.
 * @example
 * ```ts
 * resolveInitializer('heNormal').name; // 'heNormal'
 * ```
 */
export function resolveInitializer(spec: Initializer | InitializerName, where: string): Initializer {
  if (typeof spec !== 'string') {
    const o = spec as Partial<Initializer> | null;
    if (typeof o !== 'object' || o === null || typeof o.name !== 'string' || typeof o.fill !== 'function') {
      throw new ModelError(`${where}: an initializer is a name (${Object.keys(BY_NAME).join(', ')}) or an object { name, fill }, got ${o === null ? 'null' : typeof o}`);
    }
    return spec;
  }
  const make = Object.hasOwn(BY_NAME, spec) ? BY_NAME[spec] : undefined;
  if (make === undefined) {
    throw new ModelError(`${where}: unknown initializer ${JSON.stringify(spec)}; known: ${Object.keys(BY_NAME).join(', ')}`);
  }
  return make();
}

// Typed arrays: a weight's values live outside the JS heap, and a size too large to allocate
// is a RangeError the layer turns into a ModelError, not a heap exhaustion.
function uniformIn(size: number, limit: number, random: SeededRandom): Float64Array {
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * random.uniform() - 1) * limit;
  return out;
}

// Keras' truncated normal: redraw samples beyond two standard deviations, and widen the
// normal by 1 / 0.8796... (the standard deviation of a unit normal truncated at 2) so that the
// samples have the intended standard deviation.
const TRUNCATED_STDDEV = 0.87962566103423978;
function truncatedNormal(size: number, stddev: number, random: SeededRandom): Float64Array {
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let z = random.normal();
    while (Math.abs(z) > 2) z = random.normal();
    out[i] = (z * stddev) / TRUNCATED_STDDEV;
  }
  return out;
}
