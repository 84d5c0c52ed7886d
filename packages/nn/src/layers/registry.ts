/**
 * The layer registry: every library layer by its type name (what files and `summary` say), an
 * explicit object as core's op registry is, plus the layers users register with
 * `registerLayer`. A new library layer is its file and one line here.
 * @module
 */
import { ModelError } from '../errors.js';
import { activationDefinition } from './activation.js';
import { averagePooling2dDefinition } from './average-pooling-2d.js';
import { batchNormalizationDefinition } from './batch-normalization.js';
import { conv2dDefinition } from './conv2d.js';
import { denseDefinition } from './dense.js';
import { dropoutDefinition } from './dropout.js';
import { embeddingDefinition } from './embedding.js';
import { flattenDefinition } from './flatten.js';
import type { Layer, LayerDefinition } from './layer.js';
import { layerNormalizationDefinition } from './layer-normalization.js';
import { makeLayer } from './make-layer.js';
import { maxPooling2dDefinition } from './max-pooling-2d.js';
import { reshapeDefinition } from './reshape.js';

/**
 * The library's layers by type.
 * @example
 * ```ts
 * Object.keys(LAYERS); // ['dense', 'flatten', 'reshape', ...]
 * ```
 */
export const LAYERS = {
  dense: denseDefinition,
  conv2d: conv2dDefinition,
  maxPooling2d: maxPooling2dDefinition,
  averagePooling2d: averagePooling2dDefinition,
  flatten: flattenDefinition,
  reshape: reshapeDefinition,
  activation: activationDefinition,
  dropout: dropoutDefinition,
  embedding: embeddingDefinition,
  layerNormalization: layerNormalizationDefinition,
  batchNormalization: batchNormalizationDefinition,
} as const satisfies { readonly [type: string]: LayerDefinition };

const custom = new Map<string, LayerDefinition>();

/**
 * Registers a user-defined layer under `definition.type`, so models can use it and `loadModel`
 * can read files that name it (its config comes back through `configure`, never as code).
 * Returns the layer's maker. Registering a library type, or another definition under a taken
 * name, is a `ModelError`; registering the same definition again is allowed.
 * @example
 * ```ts
 * const scale = registerLayer<{ factor: number }>({
 *   type: 'scale',
 *   configure: (r) => ({ factor: r.number('factor', { default: 2 }) }),
 *   toJSON: (c) => ({ factor: c.factor }),
 *   outputShape: (_c, inputShape) => [...inputShape],
 *   forward: (c, x) => ({ output: x.mul(c.factor) }),
 * });
 * sequential([scale({ factor: 3 }), dense({ units: 1 })], { inputShape: [4] });
 * ```
 */
export function registerLayer<C>(definition: LayerDefinition<C>): (options?: { readonly [option: string]: unknown }) => Layer<C> {
  if (typeof definition !== 'object' || definition === null) throw new ModelError(`registerLayer: expected a layer definition object, got ${definition === null ? 'null' : typeof definition}`);
  const { type } = definition;
  if (typeof type !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(type)) throw new ModelError(`registerLayer: a layer type is an identifier, got ${JSON.stringify(type) ?? typeof type}`);
  for (const key of ['configure', 'toJSON', 'outputShape', 'forward'] as const) {
    if (typeof definition[key] !== 'function') throw new ModelError(`registerLayer: '${type}' needs a function ${key}`);
  }
  if (Object.hasOwn(LAYERS, type)) throw new ModelError(`registerLayer: '${type}' is a library layer; choose another type name`);
  const known = custom.get(type);
  if (known !== undefined && known !== (definition as LayerDefinition)) throw new ModelError(`registerLayer: another layer is registered as '${type}'`);
  custom.set(type, definition as LayerDefinition);
  return (options = {}) => makeLayer(definition, options);
}

/**
 * The definition registered as `type` (library or user), or undefined. Own keys only: a file's
 * `"constructor"` finds nothing.
 * @example
 * ```ts
 * layerDefinition('conv2d')?.type; // 'conv2d'
 * ```
 */
export function layerDefinition(type: string): LayerDefinition | undefined {
  if (Object.hasOwn(LAYERS, type)) return LAYERS[type as keyof typeof LAYERS] as LayerDefinition;
  return custom.get(type);
}

/**
 * The registered type names, library first.
 * @example
 * ```ts
 * layerTypes().includes('dense'); // true
 * ```
 */
export function layerTypes(): string[] {
  return [...Object.keys(LAYERS), ...custom.keys()];
}
