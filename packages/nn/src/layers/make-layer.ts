/**
 * `makeLayer`: a `Layer` from a definition and user options — the name checked, every other
 * option read by the definition's `configure`, and unknown options refused. Each layer maker
 * (`dense`, `conv2d`, ...) is this call with its definition.
 * @module
 */
import { ModelError } from '../errors.js';
import { showValue } from '../names.js';
import { ConfigReader } from './config-reader.js';
import type { Layer, LayerDefinition } from './layer.js';

const LAYER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Why `name` cannot name a layer (its scope), or undefined when it can.
 * @example
 * ```ts
 * layerNameProblem('my layer'); // "a layer name is letters, digits, ..."
 * ```
 */
export function layerNameProblem(name: unknown): string | undefined {
  if (typeof name === 'string' && LAYER_NAME.test(name)) return undefined;
  return `a layer name is letters, digits, '_', '.' or '-', starting with a letter or '_', got ${JSON.stringify(name) ?? showValue(name)}`;
}

/**
 * A layer of `definition` from user options (`name` plus the definition's own).
 * @example
 * ```ts
 * const layer = makeLayer(denseDefinition, { units: 3, activation: 'relu' });
 * ```
 */
export function makeLayer<C>(definition: LayerDefinition<C>, options: unknown): Layer<C> {
  const type = definition.type;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ModelError(`${type}: options must be an object, got ${Array.isArray(options) ? 'an array' : showValue(options)}`);
  }
  const fields = options as { readonly [key: string]: unknown };
  const name = Object.hasOwn(fields, 'name') ? fields.name : undefined;
  if (name !== undefined) {
    const problem = layerNameProblem(name);
    if (problem !== undefined) throw new ModelError(`${type}: ${problem}`);
  }
  const where = `${type}${name === undefined ? '' : ` '${name as string}'`}`;
  const r = new ConfigReader(fields, (_field, message) => { throw new ModelError(`${where}: ${message}`); });
  r.raw('name');
  const config = definition.configure(r);
  r.checkAllRead();
  return { type, name: name as string | undefined, config, definition };
}
