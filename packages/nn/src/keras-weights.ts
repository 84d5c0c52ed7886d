/**
 * Weights from Keras: a JSON dump of `model.get_weights()` read into the nested arrays
 * `setWeights` takes, so a Keras dense model is reproduced here with the same weights, bit for bit.
 *
 * Layout (what `json.dump([w.tolist() for w in model.get_weights()], f)` writes): one entry per
 * weight, in layer order; for each `Dense` layer its kernel `[inputs][units]` (rows are inputs,
 * as in stablegrad's `dense_i/kernel`) then its bias `[units]`. `{ "weights": [...] }` is read too.
 * Python prints each float32 as the shortest decimal of its exact value, which rounds back to the
 * same float32, so the bits survive the trip.
 * @module
 */
import type { NestedArray } from '@stablegrad/core';
import { ModelFormatError } from './errors.js';

/**
 * Validates a Keras `get_weights()` dump (a parsed JSON value) and returns its weights as nested
 * number arrays, in order, for `model.setWeights`. Each weight must be a rectangular array of
 * finite numbers of rank 1 to 4; a `ModelFormatError` names the file and the JSON path otherwise.
 * @example
 * ```ts
 * // python: json.dump([w.tolist() for w in keras_model.get_weights()], open('weights.json', 'w'))
 * model.setWeights(kerasWeightsFromJSON(JSON.parse(readFileSync('weights.json', 'utf8')), 'weights.json'));
 * ```
 */
export function kerasWeightsFromJSON(json: unknown, file = 'Keras weights'): NestedArray[] {
  const list = Array.isArray(json) ? json : typeof json === 'object' && json !== null && Array.isArray((json as { weights?: unknown }).weights) ? (json as { weights: unknown[] }).weights : undefined;
  const base = Array.isArray(json) ? '$' : '$.weights';
  if (list === undefined) throw new ModelFormatError(`${file}: $: expected the list of model.get_weights() (or { "weights": [...] }), found ${describe(json)}`);
  return list.map((w, i) => {
    const path = `${base}[${i}]`;
    const rank = checkRectangular(w, path, file);
    if (rank < 1 || rank > 4) throw new ModelFormatError(`${file}: ${path}: expected a weight of rank 1 to 4 (a kernel or a bias), found rank ${rank}`);
    return w as NestedArray;
  });
}

/** Checks that `value` is a rectangular nested array of finite numbers; returns its rank. */
function checkRectangular(value: unknown, path: string, file: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ModelFormatError(`${file}: ${path}: expected a finite number, found ${value}`);
    return 0;
  }
  if (!Array.isArray(value) || value.length === 0) throw new ModelFormatError(`${file}: ${path}: expected a non-empty array or a number, found ${describe(value)}`);
  const ranks = value.map((v, i) => checkRectangular(v, `${path}[${i}]`, file));
  const lengths = value.map((v) => (Array.isArray(v) ? v.length : -1));
  if (ranks.some((r) => r !== ranks[0]) || lengths.some((l) => l !== lengths[0])) {
    throw new ModelFormatError(`${file}: ${path}: rows of different lengths or depths (not a rectangular array)`);
  }
  return ranks[0]! + 1;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return value === null ? 'null' : typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : typeof value;
}
