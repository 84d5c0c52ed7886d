/**
 * A weight's initial values in its dtype: the given ones (a saved file, `setWeights`), or its
 * initializer's draw.
 * @module
 */
import { allocate, type DType, type TypedArray } from '@stablegrad/core';
import { ModelError } from './errors.js';
import type { Fans, Initializer } from './initializers.js';
import type { SeededRandom } from './random.js';

/**
 * The values of the weight at `path`. Sizes were checked against the model's limit before;
 * memory can still run out, which is a ModelError naming the weight rather than a raw RangeError.
 * @example
 * ```ts
 * weightValues('dense_1/bias', [3], 'float32', undefined, zeros(), { fanIn: 4, fanOut: 3 }, seededRandom(1));
 * ```
 */
export function weightValues(
  path: string, shape: readonly number[], dtype: DType, given: ArrayLike<number> | undefined,
  initializer: Initializer, fans: Fans, random: SeededRandom,
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
