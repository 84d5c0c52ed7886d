/**
 * Saving and loading models: one JSON file with the topology (layers, input shape, dtype, seed),
 * the compile settings (loss, optimizer, metric names), the weights and the optimizer's state,
 * so training resumes exactly where it stopped. Weights are stored as base64 of their
 * little-endian bytes: exact, and a quarter of the size of decimal text.
 *
 * Saving is crash-safe (a temporary file, fsync, rename: a kill leaves the previous file whole)
 * and refuses what a file could not bring back: non-finite weights, custom losses, metrics and
 * unregistered optimizers. Loading checks every field, and every size by arithmetic against the
 * file's own data and the limits (`LoadOptions`) before it allocates anything; then it builds
 * the model once, from the file's weights. Nothing read from a file is ever executed.
 * @module
 */
import { readFileSync, statSync, writeFileAtomicSync } from '#file-system';
import { allocate, type DType, MAX_ELEMENTS, type TypedArray } from '@stablegrad/core';
import { base64ToBytes, bytesToBase64 } from './base64.js';
import { ModelError, ModelFormatError, NodeOnlyError } from './errors.js';
import { ConfigReader } from './layers/config-reader.js';
import type { ConfigValue, Layer } from './layers/layer.js';
import { layerNameProblem } from './layers/make-layer.js';
import { layerDefinition, layerTypes } from './layers/registry.js';
import { isLibraryLoss, type Loss, type LossConfig, resolveLoss } from './losses/index.js';
import { METRIC_NAMES, type Metric, type MetricConfig, metricFromConfig, type MetricName } from './metrics.js';
import { Sequential } from './model.js';
import type { Backend } from './model-options.js';
import { checkKnownOptions, showValue } from './names.js';
import { DEFAULT_MAX_PARAMS, layerNames, planLayers } from './network.js';
import { systemReason } from './system-reason.js';
import {
  type CustomOptimizerConfig, type Optimizer, type OptimizerConfig, resolveOptimizer, savableOptimizer, type SlotKind,
} from './optimizers/index.js';

/**
 * The `format` tag of model files.
 * @example
 * ```ts
 * modelToJSON(model).format === MODEL_FORMAT; // true
 * ```
 */
export const MODEL_FORMAT = 'stablegrad-model';
/**
 * The version of the model file layout this code writes. Version 2 holds any registered layer
 * type and multi-dimensional input shapes, and lists non-trainable weights (moving statistics)
 * with the others; version 1 files (dense layers on `[features]`) read as they always did.
 * @example
 * ```ts
 * modelToJSON(model).version === MODEL_VERSION; // true
 * ```
 */
export const MODEL_VERSION = 2;

/** The versions `loadModel` reads. */
const READABLE_VERSIONS: readonly number[] = [1, 2];

/**
 * A model file's contents.
 * @example
 * ```ts
 * const json: ModelJSON = modelToJSON(model);
 * json.layers[0].units;
 * ```
 */
export interface ModelJSON {
  readonly format: typeof MODEL_FORMAT;
  readonly version: typeof MODEL_VERSION;
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly dtype: 'float32' | 'float64';
  readonly seed: number;
  readonly layers: readonly LayerJSON[];
  readonly compile: CompileJSON | null;
  /** Every weight (trainable and not) in layer order, as `getWeights` lists them. */
  readonly weights: readonly WeightJSON[];
  readonly optimizerState: OptimizerStateJSON | null;
}

/**
 * The optimizer's state in a model file: the steps taken, per slot one base64 array per weight,
 * the learning rate of the next step when it is a number (absent under a schedule, and in files
 * written before it was saved: then the optimizer's own), and the optimizer's scalars (Nadam's
 * `muProduct`).
 * @example
 * ```ts
 * modelToJSON(model).optimizerState; // { iterations: 12, learningRate: 0.001, slots: { m: [...], v: [...] } }
 * ```
 */
export interface OptimizerStateJSON {
  readonly iterations: number;
  readonly learningRate?: number;
  readonly slots: { readonly [slot: string]: readonly string[] };
  readonly scalars?: { readonly [name: string]: number };
}

/**
 * One layer in a model file: its registered type, its name, and its definition's config fields
 * (`toJSON`), every one of them.
 * @example
 * ```ts
 * const layer: LayerJSON = { type: 'dense', name: 'dense_1', units: 25, activation: 'relu', useBias: true, kernelInitializer: 'glorotUniform', biasInitializer: 'zeros' };
 * ```
 */
export interface LayerJSON {
  readonly type: string;
  readonly name: string;
  readonly [field: string]: ConfigValue;
}

/**
 * The compile settings in a model file (custom metric objects are not saved).
 * @example
 * ```ts
 * modelToJSON(model).compile?.loss.name; // 'sparseCategoricalCrossentropy'
 * ```
 */
export interface CompileJSON {
  readonly loss: LossConfig;
  /** A library optimizer's config, or a registered custom one's (see `registerOptimizer`). */
  readonly optimizer: OptimizerConfig | CustomOptimizerConfig;
  /** Metric names, or library metric configs (`binaryAccuracy({ threshold })`). */
  readonly metrics: readonly (string | MetricConfig)[];
  readonly stabilize: boolean;
  readonly backend?: Backend;
  readonly matmul?: 'simd' | 'exact';
}

/**
 * One weight in a model file: `data` is base64 of the little-endian values.
 * @example
 * ```ts
 * modelToJSON(model).weights[0]; // { path: 'dense_1/kernel', shape: [64, 25], dtype: 'float32', data: '...' }
 * ```
 */
export interface WeightJSON {
  readonly path: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'float64';
  readonly data: string;
}

/**
 * Limits of `loadModel` and `modelFromJSON`. Every size a file declares is checked against
 * them, and against the file's own data, by arithmetic before anything is allocated; a size
 * above a limit is a `ModelFormatError` naming the JSON field.
 * @example
 * ```ts
 * loadModel('big.model.json', { maxParams: 500_000_000, maxBytes: 4 * 2 ** 30 });
 * ```
 */
export interface LoadOptions {
  /** Most trainable values (all weights together); default `DEFAULT_MAX_PARAMS` (100,000,000). */
  readonly maxParams?: number;
  /** Largest file `loadModel` reads, in bytes; default `DEFAULT_MAX_MODEL_BYTES` (256 MiB). */
  readonly maxBytes?: number;
  /** Most layers; default 10,000. */
  readonly maxLayers?: number;
}

/**
 * The default `maxBytes` of `loadModel`: 256 MiB of JSON text, about 48 million float32
 * weights (24 million float64) without optimizer state. Parsing JSON takes a few times the
 * text's size in memory, so this also bounds what a hostile file can make the parser allocate.
 * @example
 * ```ts
 * loadModel(path, { maxBytes: 4 * DEFAULT_MAX_MODEL_BYTES });
 * ```
 */
export const DEFAULT_MAX_MODEL_BYTES = 256 * 2 ** 20;

const DEFAULT_MAX_LAYERS = 10_000;
const LOAD_OPTIONS = ['maxParams', 'maxBytes', 'maxLayers'] as const;
const ROOT_KEYS = ['format', 'version', 'name', 'inputShape', 'dtype', 'seed', 'layers', 'compile', 'weights', 'optimizerState'] as const;
const WEIGHT_KEYS = ['path', 'shape', 'dtype', 'data'] as const;
const COMPILE_KEYS = ['loss', 'optimizer', 'metrics', 'stabilize', 'backend', 'matmul'] as const;
const STATE_KEYS = ['iterations', 'learningRate', 'slots', 'scalars'] as const;

/**
 * The model as plain JSON data. Non-finite weights or optimizer state, custom losses and
 * metrics, and optimizers a file could not bring back are a `ModelError`.
 * @example
 * ```ts
 * const text = JSON.stringify(modelToJSON(model));
 * ```
 */
export function modelToJSON(model: Sequential): ModelJSON {
  const { compile, state, weights } = model.savedState;
  const compiled = model.compiled;
  // A file that loadModel refuses must not replace a good one: say so before writing.
  model.weightNodes.forEach((p, i) => checkFinite(weights[i]!.data, `'${p.path}'`));
  if (state !== undefined) {
    for (const [slot, arrays] of Object.entries(state.slots)) arrays.forEach((a, i) => checkFinite(a, `the optimizer slot '${slot}' of '${model.params[i]?.path}'`));
    if (!Number.isSafeInteger(state.iterations) || state.iterations < 0) throw new ModelError(`save: the optimizer's step count is ${state.iterations}, not a non-negative integer; the model is not saved`);
    if (state.learningRate !== undefined && !(state.learningRate > 0 && Number.isFinite(state.learningRate))) throw new ModelError(`save: the optimizer's learning rate is ${state.learningRate}, not a finite number > 0; the model is not saved`);
    for (const [name, value] of Object.entries(state.scalars ?? {})) {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ModelError(`save: the optimizer's scalar '${name}' is ${showValue(value)}; a model file holds finite values only, so the model is not saved`);
    }
  }
  const layers = model.layers.map(({ name, layer }) => savableLayer(name, layer));
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    name: model.name,
    inputShape: [...model.inputShape],
    dtype: model.dtype,
    seed: model.seed,
    layers,
    compile: compile === undefined || compiled === undefined ? null : {
      loss: savableLoss(compiled.loss),
      optimizer: savableOptimizer(compiled.optimizer),
      metrics: (compile.metrics ?? []).map(savableMetric),
      stabilize: compiled.stabilize,
      backend: compiled.backend,
      matmul: compiled.matmul,
    },
    weights: model.weightNodes.map((p, i) => ({
      path: p.path, shape: [...p.shape] as number[], dtype: model.dtype, data: encode(weights[i]!.data),
    })),
    optimizerState: state === undefined ? null : {
      iterations: state.iterations,
      ...(state.learningRate === undefined ? {} : { learningRate: state.learningRate }),
      slots: Object.fromEntries(Object.entries(state.slots).map(([name, arrays]) => [name, arrays.map(encode)])),
      ...(state.scalars === undefined || Object.keys(state.scalars).length === 0 ? {} : { scalars: { ...state.scalars } }),
    },
  };
}

function checkFinite(data: TypedArray, what: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new ModelError(`save: ${what} has ${data[i]} at element ${i}; a model file holds finite values only (after a TrainingError, reload the last good file or call setWeights), so the model is not saved and the file is untouched`);
    }
  }
}

/**
 * Writes the model to `path` (JSON), crash-safely: a temporary file in the same directory,
 * flushed to the disk, then renamed over `path`, so a kill or a full disk leaves the previous
 * file byte for byte. What a file could not hold (non-finite weights, custom losses or metrics,
 * unregistered custom optimizers) is a `ModelError` and nothing is written; a path that cannot
 * be written (missing directory, no permission) is a `FileWriteError`.
 * @example
 * ```ts
 * saveModel(model, 'digits.model.json');
 * ```
 */
export function saveModel(model: Sequential, path: string): void {
  if (typeof path !== 'string' || path === '') throw new ModelError(`save: the path must be a non-empty string, got ${describe(path)}`);
  const json = modelToJSON(model);
  let text: string;
  try {
    text = `${JSON.stringify(json, null, 1)}\n`;
  } catch (e) {
    if (e instanceof RangeError) throw new ModelError(`save: the model (${model.countParams().toLocaleString('en-US')} weights) is too large for one JSON text (${e.message})`);
    throw e;
  }
  writeFileAtomicSync(path, text, 'save');
}

/**
 * Reads a model written by `save`: the same layers, weights, compile settings and optimizer
 * state. The file's size is checked before it is read, then every field and every size (see
 * `LoadOptions`); a bad file is a `ModelFormatError` naming the file and the JSON path.
 * @example
 * ```ts
 * const model = loadModel('digits.model.json');
 * model.predict(xTest);
 * ```
 */
export function loadModel(path: string, options: LoadOptions = {}): Sequential {
  const limits = checkLoadOptions(options);
  let bytes: Buffer;
  try {
    const info = statSync(path);
    if (info.isDirectory()) throw new ModelFormatError(`${path}: cannot read the file: it is a directory`);
    if (info.size > limits.maxBytes) throw new ModelFormatError(`${path}: the file is ${info.size.toLocaleString('en-US')} bytes, above maxBytes = ${limits.maxBytes.toLocaleString('en-US')} (a loadModel option)`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof ModelFormatError || e instanceof NodeOnlyError) throw e;
    throw new ModelFormatError(`${path}: cannot read the file: ${systemReason(e)}`);
  }
  // It may have grown since stat.
  if (bytes.length > limits.maxBytes) throw new ModelFormatError(`${path}: the file is ${bytes.length.toLocaleString('en-US')} bytes, above maxBytes = ${limits.maxBytes.toLocaleString('en-US')} (a loadModel option)`);
  let json: unknown;
  try {
    // A UTF-8 byte-order mark (some editors add one) is not part of the JSON.
    const text = bytes.toString('utf8');
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new ModelFormatError(`${path}: not JSON: ${(e as Error).message}`);
  }
  return modelFromJSON(json, path, options);
}

interface Limits { readonly maxParams: number; readonly maxBytes: number; readonly maxLayers: number }

export function checkLoadOptions(options: LoadOptions): Limits {
  checkKnownOptions('loadModel', options, LOAD_OPTIONS);
  const limit = (name: keyof LoadOptions, fallback: number): number => {
    const value = options[name] ?? fallback;
    if (!Number.isSafeInteger(value) || value < 1) throw new ModelError(`loadModel: ${name} must be a positive integer, got ${showValue(value)}`);
    return value;
  };
  return { maxParams: limit('maxParams', DEFAULT_MAX_PARAMS), maxBytes: limit('maxBytes', DEFAULT_MAX_MODEL_BYTES), maxLayers: limit('maxLayers', DEFAULT_MAX_LAYERS) };
}

/**
 * A model from parsed JSON; `source` names it in errors. Every field is checked, and every size
 * against the data and the limits, before the model is built (once, from the file's weights).
 * @example
 * ```ts
 * const copy = modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(model))));
 * ```
 */
export function modelFromJSON(json: unknown, source = 'model JSON', options: LoadOptions = {}): Sequential {
  const limits = checkLoadOptions(options);
  const r = new Reader(source);
  const root = r.object(json, '$', ROOT_KEYS);
  if (root.format !== MODEL_FORMAT) r.fail('$.format', `expected "${MODEL_FORMAT}", found ${describe(root.format)}`);
  if (typeof root.version !== 'number' || !READABLE_VERSIONS.includes(root.version)) {
    r.fail('$.version', `this stablegrad reads versions ${READABLE_VERSIONS.join(' and ')}, found ${describe(root.version)}`);
  }
  const version: number = root.version as number;
  const name = r.string(root.name, '$.name');
  const shape = r.array(root.inputShape, '$.inputShape');
  if (version === 1 && shape.length !== 1) r.fail('$.inputShape', `expected [features] (one positive integer), found ${shape.length} entries`);
  if (shape.length === 0 || shape.length > 8) r.fail('$.inputShape', `expected the shape of one example (1 to 8 positive integers), found ${shape.length} entries`);
  const inputShape = shape.map((d, i) => r.positiveInteger(d, `$.inputShape[${i}]`));
  const dtype = r.oneOf(root.dtype, ['float32', 'float64'] as const, '$.dtype');
  const seed = r.integer(root.seed, '$.seed');
  const layersJSON = r.array(root.layers, '$.layers');
  if (layersJSON.length === 0) r.fail('$.layers', 'a model needs at least one layer');
  if (layersJSON.length > limits.maxLayers) r.fail('$.layers', `${layersJSON.length} layers, above maxLayers = ${limits.maxLayers} (a load option)`);
  const layers = layersJSON.map((l, i) => readLayer(r, l, `$.layers[${i}]`, version));

  // Sizes by arithmetic, before any allocation: the limit, then every weight against its data.
  const names = r.attempt('$.layers', () => layerNames(layers));
  const plan = planLayers(layers, names, inputShape, (i, e) => r.fail(`$.layers[${i}]`, e.message));
  const planned = plan.flatMap((p) => p.weights);
  let total = 0;
  for (const w of planned) {
    total += w.size;
    const dense = layers[w.layer]!.type === 'dense';
    const at = !dense ? `$.layers[${w.layer}]` : w.layer === 0 && w.shape.length === 2 && w.shape[0]! > w.shape[1]! ? '$.inputShape[0]' : `$.layers[${w.layer}].units`;
    if (total > limits.maxParams) {
      r.fail(at, `'${w.path}' [${w.shape.join(', ')}] brings the model to ${total.toLocaleString('en-US')} weights or more, above maxParams = ${limits.maxParams.toLocaleString('en-US')} (a load option)`);
    }
    if (w.size > MAX_ELEMENTS) r.fail(at, `'${w.path}' [${w.shape.join(', ')}] would hold ${w.size.toLocaleString('en-US')} values, more than one tensor may hold (${MAX_ELEMENTS.toLocaleString('en-US')})`);
  }
  const weightsJSON = r.array(root.weights, '$.weights');
  if (weightsJSON.length !== planned.length) r.fail('$.weights', `expected ${planned.length} weights for these layers (${planned.map((w) => w.path).join(', ')}), found ${weightsJSON.length}`);
  const weights = weightsJSON.map((w, i) => {
    const at = `$.weights[${i}]`;
    const o = r.object(w, at, WEIGHT_KEYS);
    const expected = planned[i]!;
    const path = r.string(o.path, `${at}.path`);
    if (path !== expected.path) r.fail(`${at}.path`, `expected '${expected.path}' (the layers' weight ${i}), found ${describe(path)}`);
    const shapeJSON = r.array(o.shape, `${at}.shape`);
    if (shapeJSON.length !== expected.shape.length || shapeJSON.some((d, j) => d !== expected.shape[j])) {
      const found = shapeJSON.length <= 8 ? `[${shapeJSON.map((d) => (typeof d === 'number' ? String(d) : describe(d))).join(', ')}]` : `${shapeJSON.length} entries`;
      r.fail(`${at}.shape`, `'${expected.path}' is [${expected.shape.join(', ')}] in these layers, found ${found}`);
    }
    if (o.dtype !== dtype) r.fail(`${at}.dtype`, `expected "${dtype}" (the model's dtype), found ${describe(o.dtype)}`);
    return r.values(o.data, dtype, expected.size, `${at}.data`);
  });

  // Compile settings and optimizer state, all read and checked before the model is built.
  let compile: { loss: Loss; optimizer: Optimizer; metrics: (MetricName | Metric)[]; stabilize: boolean; backend: Backend; matmul: 'simd' | 'exact' } | undefined;
  let state: SavedState | undefined;
  if (root.compile !== null && root.compile !== undefined) {
    const c = r.object(root.compile, '$.compile', COMPILE_KEYS);
    const lossJSON = r.object(c.loss, '$.compile.loss');
    const optimizerJSON = r.object(c.optimizer, '$.compile.optimizer');
    // A config, never an object with code: resolve* take an object with build/step as the thing itself.
    for (const key of ['build', 'labelType', 'badLabel']) if (Object.hasOwn(lossJSON, key)) r.fail(`$.compile.loss.${key}`, 'a saved loss is a config (name and options)');
    for (const key of ['step', 'createState', 'slotKinds']) if (Object.hasOwn(optimizerJSON, key)) r.fail(`$.compile.optimizer.${key}`, 'a saved optimizer is a config (name and settings)');
    const loss = r.attempt('$.compile.loss', () => resolveLoss(lossJSON as unknown as LossConfig));
    const optimizer = r.attempt('$.compile.optimizer', () => resolveOptimizer(optimizerJSON as unknown as OptimizerConfig));
    const metrics = r.array(c.metrics, '$.compile.metrics').map((m, i) => readMetric(r, m, `$.compile.metrics[${i}]`));
    const stabilize = r.boolean(c.stabilize, '$.compile.stabilize');
    const backend = c.backend === undefined ? 'compiled' : r.oneOf(c.backend, ['compiled', 'interpreter'] as const, '$.compile.backend');
    const matmul = c.matmul === undefined ? 'simd' : r.oneOf(c.matmul, ['simd', 'exact'] as const, '$.compile.matmul');
    compile = { loss, optimizer, metrics, stabilize, backend, matmul };
    if (root.optimizerState !== null && root.optimizerState !== undefined) state = readState(r, root.optimizerState, optimizer, planned.filter((w) => w.trainable).map((w) => w.size), dtype);
  } else if (root.optimizerState !== null && root.optimizerState !== undefined) {
    r.fail('$.optimizerState', 'optimizer state without compile settings (expected null)');
  }

  const loaded = r.attempt('$', () => new Sequential(layers, { inputShape, dtype, seed, name, maxParams: limits.maxParams }, weights));
  if (compile !== undefined) {
    const settings = compile;
    r.attempt('$.compile', () => loaded.compile({ ...settings, onWarning: () => {} }));
    if (state !== undefined) {
      const { iterations, slots, learningRate, scalars } = state;
      r.attempt('$.optimizerState', () => loaded.restoreOptimizerState(iterations, slots, { learningRate, scalars }));
    }
  }
  return loaded;
}

interface SavedState {
  iterations: number;
  learningRate: number | undefined;
  slots: { [slot: string]: TypedArray[] };
  scalars: { [name: string]: number } | undefined;
}

/** Where a value of a slot or scalar of this kind must lie, or undefined when it does. */
function outOfKind(kind: SlotKind | undefined, value: number): string | undefined {
  if (kind === 'nonNegative' && value < 0) return 'a mean of squares, never negative';
  if (kind === 'unitInterval' && !(value >= 0 && value <= 1)) return 'a product of factors in [0, 1], so in [0, 1] itself';
  return undefined;
}

/**
 * The optimizer state: a non-negative step count; per slot, one array per weight of the
 * weight's size, finite, and within its kind (Adam's `v` >= 0); the learning rate (finite,
 * > 0, absent under a schedule); the scalars the optimizer keeps, finite and within their kinds.
 */
function readState(
  r: Reader, value: unknown, optimizer: Optimizer, sizes: readonly number[], dtype: DType,
): SavedState {
  const s = r.object(value, '$.optimizerState', STATE_KEYS);
  const iterations = r.integer(s.iterations, '$.optimizerState.iterations');
  if (iterations < 0) r.fail('$.optimizerState.iterations', `expected the number of steps taken (an integer >= 0), found ${iterations}`);
  let learningRate: number | undefined;
  if (s.learningRate !== undefined) {
    if (typeof s.learningRate !== 'number' || !(s.learningRate > 0 && Number.isFinite(s.learningRate))) r.fail('$.optimizerState.learningRate', `expected the learning rate of the next step (a finite number > 0), found ${describe(s.learningRate)}`);
    if (optimizer.schedule !== undefined) r.fail('$.optimizerState.learningRate', `${optimizer.config.name}'s learning rate follows a schedule (${optimizer.schedule.config.name}); a file holds no rate for it`);
    learningRate = s.learningRate;
  }
  const slotsJSON = r.object(s.slots, '$.optimizerState.slots');
  const kinds: { readonly [slot: string]: SlotKind } | undefined = optimizer.slotKinds;
  if (kinds !== undefined) {
    const expected = Object.keys(kinds);
    const found = Object.keys(slotsJSON);
    const missing = expected.find((k) => !Object.hasOwn(slotsJSON, k));
    const extra = found.find((k) => !Object.hasOwn(kinds, k));
    if (missing !== undefined || extra !== undefined) {
      r.fail('$.optimizerState.slots', `${optimizer.config.name} keeps the slots [${expected.join(', ')}], found [${found.join(', ')}]`);
    }
  }
  const slots: { [slot: string]: TypedArray[] } = {};
  for (const [slot, arraysJSON] of Object.entries(slotsJSON)) {
    const at = `$.optimizerState.slots${/^[A-Za-z_$][\w$]*$/.test(slot) ? `.${slot}` : `[${JSON.stringify(slot)}]`}`;
    const arrays = r.array(arraysJSON, at);
    if (arrays.length !== sizes.length) r.fail(at, `expected one array per weight (${sizes.length}), found ${arrays.length}`);
    const kind = kinds !== undefined && Object.hasOwn(kinds, slot) ? kinds[slot] : undefined;
    Object.defineProperty(slots, slot, {
      enumerable: true,
      writable: true,
      value: arrays.map((a, i) => {
        const values = r.values(a, dtype, sizes[i]!, `${at}[${i}]`);
        const bad = values.findIndex((v) => outOfKind(kind, v) !== undefined);
        if (bad >= 0) r.fail(`${at}[${i}]`, `value ${bad} is ${values[bad]}; ${optimizer.config.name}'s '${slot}' is ${outOfKind(kind, values[bad]!)}`);
        return values;
      }),
    });
  }
  const scalarKinds = optimizer.scalarKinds ?? {};
  let scalars: { [name: string]: number } | undefined;
  if (s.scalars !== undefined || Object.keys(scalarKinds).length > 0) {
    const scalarsJSON = s.scalars === undefined ? {} : r.object(s.scalars, '$.optimizerState.scalars');
    const expected = Object.keys(scalarKinds);
    const found = Object.keys(scalarsJSON);
    if (expected.some((k) => !Object.hasOwn(scalarsJSON, k)) || (optimizer.scalarKinds !== undefined && found.some((k) => !Object.hasOwn(scalarKinds, k)))) {
      r.fail('$.optimizerState.scalars', `${optimizer.config.name} keeps the scalars [${expected.join(', ')}], found [${found.join(', ')}]`);
    }
    scalars = {};
    for (const name of found) {
      const at = `$.optimizerState.scalars${/^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`;
      const v = scalarsJSON[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) r.fail(at, `expected a finite number, found ${describe(v)}`);
      const problem = outOfKind(Object.hasOwn(scalarKinds, name) ? scalarKinds[name] : undefined, v);
      if (problem !== undefined) r.fail(at, `${v}: ${optimizer.config.name}'s '${name}' is ${problem}`);
      Object.defineProperty(scalars, name, { enumerable: true, writable: true, value: v });
    }
  }
  return { iterations, learningRate, slots, scalars };
}

// Only what a config rebuilds can be saved: a custom object would come back as something else.
function savableLoss(loss: Loss): LossConfig {
  if (!isLibraryLoss(loss)) {
    throw new ModelError(`save: the loss is a custom object (${loss.config.name} config, own build), which a model file cannot hold; save the weights with getWeights(), or use a library loss`);
  }
  return loss.config;
}

function savableMetric(metric: Metric | MetricName): string | MetricConfig {
  if (typeof metric === 'string') return metric;
  if (metric.config === undefined) throw new ModelError(`save: the metric '${metric.name}' is a custom object, which a model file cannot hold; compile without it before saving, or use a library metric`);
  return metric.config;
}

function readMetric(r: Reader, value: unknown, at: string): MetricName | Metric {
  if (typeof value === 'string') return r.oneOf(value, METRIC_NAMES, at);
  const o = r.object(value, at, ['kind', 'name', 'threshold']);
  const kind = r.oneOf(o.kind, ['binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy'] as const, `${at}.kind`);
  const name = r.string(o.name, `${at}.name`);
  if (o.threshold !== undefined && typeof o.threshold !== 'number') r.fail(`${at}.threshold`, `expected a number, found ${describe(o.threshold)}`);
  return r.attempt(at, () => metricFromConfig({ kind, name, ...(typeof o.threshold === 'number' ? { threshold: o.threshold } : {}) }));
}

/**
 * One layer from a file: its type looked up among the registered layers (never code from the
 * file), its name checked, and its config read field by field by the definition's `configure`;
 * every field the definition saves must be there, and no other. Version 1 files hold dense
 * layers only.
 */
function readLayer(r: Reader, value: unknown, at: string, version: number): Layer {
  const o = r.object(value, at);
  const type = r.string(o.type, `${at}.type`);
  if (version === 1 && type !== 'dense') r.fail(`${at}.type`, `expected "dense", found ${describe(type)}`);
  const definition = layerDefinition(type);
  if (definition === undefined) {
    r.fail(`${at}.type`, `the layer type ${describe(type)} is not registered (known: ${layerTypes().join(', ')}); register a custom layer with registerLayer before loading`);
  }
  const name = r.string(o.name, `${at}.name`);
  const problem = layerNameProblem(name);
  if (problem !== undefined) r.fail(at, problem);
  const fields = Object.fromEntries(Object.entries(o).filter(([key]) => key !== 'type' && key !== 'name'));
  const reader = new ConfigReader(fields, (field, message) => r.fail(`${at}.${field}`, message));
  const config = r.attempt(at, () => definition.configure(reader));
  reader.checkAllRead();
  // A file lists every field its layer saves: a missing one is not silently a default.
  const missing = Object.keys(r.attempt(at, () => definition.toJSON(config))).find((key) => !Object.hasOwn(fields, key));
  if (missing !== undefined) r.fail(`${at}.${missing}`, `missing (a ${type} layer saves ${Object.keys(definition.toJSON(config)).join(', ')})`);
  return { type, name, config, definition };
}

// A layer as a file holds it, read back at once as loadModel would: a file that loadModel
// refuses must not replace a good one.
function savableLayer(name: string, layer: Layer): LayerJSON {
  if (layerDefinition(layer.type) !== layer.definition) {
    throw new ModelError(`save: the layer '${name}' is a ${layer.type} layer that is not registered (registerLayer), so a model file could not bring it back; the model is not saved`);
  }
  const json = { type: layer.type, name, ...layer.definition.toJSON(layer.config) } as LayerJSON;
  const copy: unknown = JSON.parse(JSON.stringify(json));
  try {
    readLayer(new Reader('save'), copy, `layer '${name}'`, MODEL_VERSION);
  } catch (e) {
    if (e instanceof ModelFormatError) throw new ModelError(`save: ${e.message.replace(/^save: /, '')}; the model is not saved`);
    throw e;
  }
  return json;
}

function encode(data: TypedArray): string {
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  data.forEach((v, i) => (data instanceof Float64Array ? view.setFloat64(i * 8, v, true) : view.setFloat32(i * 4, v, true)));
  return bytesToBase64(bytes);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Field readers that fail with the source and JSON path. */
class Reader {
  constructor(readonly source: string) {}

  fail(at: string, problem: string): never {
    throw new ModelFormatError(`${this.source}: ${at}: ${problem}`);
  }

  /** Runs `make`, turning its ModelError into a format error at `at`. */
  attempt<T>(at: string, make: () => T): T {
    try {
      return make();
    } catch (e) {
      if (e instanceof ModelFormatError) throw e;
      if (e instanceof ModelError) this.fail(at, e.message);
      throw e;
    }
  }

  /** A plain object; with `keys`, one that has no others (a misspelt field is not ignored). */
  object(value: unknown, at: string, keys?: readonly string[]): { readonly [key: string]: unknown } {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(at, `expected an object, found ${describe(value)}`);
    if (keys !== undefined) {
      const unknown = Object.keys(value).find((k) => !keys.includes(k));
      if (unknown !== undefined) this.fail(`${at}.${unknown}`, `unknown field; expected only ${keys.join(', ')}`);
    }
    return value as { readonly [key: string]: unknown };
  }

  array(value: unknown, at: string): readonly unknown[] {
    if (!Array.isArray(value)) this.fail(at, `expected an array, found ${describe(value)}`);
    return value;
  }

  string(value: unknown, at: string): string {
    if (typeof value !== 'string') this.fail(at, `expected a string, found ${describe(value)}`);
    return value;
  }

  boolean(value: unknown, at: string): boolean {
    if (typeof value !== 'boolean') this.fail(at, `expected true or false, found ${describe(value)}`);
    return value;
  }

  integer(value: unknown, at: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(at, `expected an integer, found ${describe(value)}`);
    return value;
  }

  positiveInteger(value: unknown, at: string): number {
    const n = this.integer(value, at);
    if (n < 1) this.fail(at, `expected a positive integer, found ${n}`);
    return n;
  }

  oneOf<T extends string>(value: unknown, options: readonly T[], at: string): T {
    if (!options.includes(value as T)) this.fail(at, `expected one of ${options.map((o) => `"${o}"`).join(', ')}, found ${describe(value)}`);
    return value as T;
  }

  /** `count` finite numbers of `dtype`, from base64 little-endian bytes. */
  values(value: unknown, dtype: DType, count: number, at: string): TypedArray {
    const text = this.string(value, at);
    const width = dtype === 'float64' ? 8 : 4;
    // The text's length says the byte count: checked before decoding anything.
    const expected = 4 * Math.ceil((count * width) / 3);
    if (text.length !== expected) this.fail(at, `expected ${count} ${dtype} values (${count * width} bytes, ${expected} base64 characters), found ${text.length} characters`);
    if (!BASE64.test(text)) this.fail(at, 'expected base64 text');
    const bytes = base64ToBytes(text);
    if (bytes.length !== count * width) this.fail(at, `expected ${count} ${dtype} values (${count * width} bytes), found ${bytes.length} bytes`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = allocate(dtype, count);
    for (let i = 0; i < count; i++) {
      const v = width === 8 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
      if (!Number.isFinite(v)) this.fail(at, `value ${i} is ${v}; saved weights must be finite`);
      out[i] = v;
    }
    return out;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${showValue(value)}`;
}
