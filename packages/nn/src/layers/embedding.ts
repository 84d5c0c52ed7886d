/**
 * `embedding`: integer ids to rows of a trainable table (Keras' `Embedding(input_dim,
 * output_dim)`): `[batch, ...] -> [batch, ..., outputDim]`, by `gather(table, ids, { axis: 0 })`,
 * whose gradient adds into the rows that were picked. Ids arrive in the model's float input and
 * are cast to int32; an id outside `[0, inputDim)` is an error naming the node and the index.
 * @module
 */
import { cast, gather } from '@stablegrad/core';
import type { Initializer, InitializerName } from '../initializers.js';
import type { Layer, LayerDefinition } from './layer.js';
import { makeLayer } from './make-layer.js';

/**
 * Options of `embedding`, Keras' names.
 * @example
 * ```ts
 * const options: EmbeddingOptions = { inputDim: 1000, outputDim: 16 };
 * ```
 */
export interface EmbeddingOptions {
  /** Number of distinct ids (the table's rows). */
  readonly inputDim: number;
  /** Size of each row. */
  readonly outputDim: number;
  /** Default `randomUniform` (uniform in [-0.05, 0.05]), as in Keras. */
  readonly embeddingsInitializer?: Initializer | InitializerName;
  readonly name?: string;
}

/**
 * An embedding layer's checked config.
 * @example
 * ```ts
 * embedding({ inputDim: 10, outputDim: 4 }).config.embeddingsInitializer.name; // 'randomUniform'
 * ```
 */
export interface EmbeddingConfig {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
}

/**
 * The embedding layer's definition (registered as `embedding`).
 * @example
 * ```ts
 * embeddingDefinition.outputShape(embedding({ inputDim: 10, outputDim: 4 }).config, [6], 'embedding_1'); // [6, 4]
 * ```
 */
export const embeddingDefinition: LayerDefinition<EmbeddingConfig> = {
  type: 'embedding',
  configure: (r) => ({
    inputDim: r.positiveInteger('inputDim'),
    outputDim: r.positiveInteger('outputDim'),
    embeddingsInitializer: r.initializer('embeddingsInitializer', { default: 'randomUniform' }),
  }),
  toJSON: (c) => ({ inputDim: c.inputDim, outputDim: c.outputDim, embeddingsInitializer: c.embeddingsInitializer.name }),
  outputShape: (c, inputShape) => [...inputShape, c.outputDim],
  weights: (c) => [{
    name: 'embeddings', shape: [c.inputDim, c.outputDim], initializer: c.embeddingsInitializer, fans: { fanIn: c.inputDim, fanOut: c.outputDim }, trainable: true,
  }],
  forward: (_c, x, { embeddings }) => ({ output: gather(embeddings!, cast(x, 'int32'), { axis: 0 }) }),
};

/**
 * An embedding layer: each id becomes its row of the table.
 * @example
 * ```ts
 * sequential([embedding({ inputDim: 1000, outputDim: 16 }), flatten(), dense({ units: 1, activation: 'sigmoid' })], { inputShape: [20] });
 * ```
 */
export function embedding(options: EmbeddingOptions): Layer<EmbeddingConfig> {
  return makeLayer(embeddingDefinition, options);
}
