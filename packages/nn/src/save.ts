/**
 * Saving and loading models: one JSON file with the topology (layers, input shape, dtype, seed),
 * the compile settings (loss, optimizer, metric names), the weights and the optimizer's state,
 * so training resumes exactly where it stopped. Weights are stored as base64 of their
 * little-endian bytes: exact, and a quarter of the size of decimal text. Loading parses JSON
 * and checks every field; nothing read from the file is ever executed.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { allocate, type DType, type TypedArray } from '@stablegrad/core';
import { checkActivation } from './activations.js';
import { dense, type DenseLayer } from './dense.js';
import { ModelError, ModelFormatError } from './errors.js';
import { resolveInitializer, type InitializerName } from './initializers.js';
import { isLibraryLoss, type Loss, type LossConfig, resolveLoss } from './losses/index.js';
import { METRIC_NAMES, type Metric, type MetricConfig, metricFromConfig, type MetricName } from './metrics.js';
import { type Backend, Sequential } from './model.js';
import { type OptimizerConfig, resolveOptimizer } from './optimizers/index.js';

/**
 * The `format` tag of model files.
 * @example
 * ```ts
 * modelToJSON(model).format === MODEL_FORMAT; // true
 * ```
 */
export const MODEL_FORMAT = 'stablegrad-model';
/**
 * The version of the model file layout this code writes and reads.
 * @example
 * ```ts
 * modelToJSON(model).version === MODEL_VERSION; // true
 * ```
 */
export const MODEL_VERSION = 1;

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
  /** Kernels and biases in layer order. */
  readonly weights: readonly WeightJSON[];
  readonly optimizerState: { readonly iterations: number; readonly slots: { readonly [slot: string]: readonly string[] } } | null;
}

/**
 * One dense layer's config in a model file.
 * @example
 * ```ts
 * const layer: LayerJSON = { type: 'dense', name: 'dense_1', units: 25, activation: 'relu', useBias: true, kernelInitializer: 'glorotUniform', biasInitializer: 'zeros' };
 * ```
 */
export interface LayerJSON {
  readonly type: 'dense';
  readonly name: string;
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  readonly kernelInitializer: string;
  readonly biasInitializer: string;
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
  readonly optimizer: OptimizerConfig;
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
 * The model as plain JSON data.
 * @example
 * ```ts
 * const text = JSON.stringify(modelToJSON(model));
 * ```
 */
export function modelToJSON(model: Sequential): ModelJSON {
  const { compile, state, weights } = model.savedState;
  const compiled = model.compiled;
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    name: model.name,
    inputShape: [...model.inputShape],
    dtype: model.dtype,
    seed: model.seed,
    layers: model.layers.map(({ name, config }) => ({
      type: 'dense', name, units: config.units, activation: config.activation, useBias: config.useBias,
      kernelInitializer: config.kernelInitializer.name, biasInitializer: config.biasInitializer.name,
    })),
    compile: compile === undefined || compiled === undefined ? null : {
      loss: savableLoss(compiled.loss),
      optimizer: compiled.optimizer.config,
      metrics: (compile.metrics ?? []).map(savableMetric),
      stabilize: compiled.stabilize,
      backend: compiled.backend,
      matmul: compiled.matmul,
    },
    weights: model.params.map((p, i) => ({
      path: p.path, shape: [...p.shape] as number[], dtype: model.dtype, data: encode(weights[i]!.data),
    })),
    optimizerState: state === undefined ? null : {
      iterations: state.iterations,
      slots: Object.fromEntries(Object.entries(state.slots).map(([name, arrays]) => [name, arrays.map(encode)])),
    },
  };
}

/**
 * Writes the model to `path` (JSON).
 * @example
 * ```ts
 * saveModel(model, 'digits.model.json');
 * ```
 */
export function saveModel(model: Sequential, path: string): void {
  writeFileSync(path, `${JSON.stringify(modelToJSON(model), null, 1)}\n`);
}

/**
 * Reads a model written by `save`: the same layers, weights, compile settings and optimizer
 * state. Every field is
 * checked; a bad file is a `ModelFormatError` naming the file and the JSON path.
 * @example
 * ```ts
 * const model = loadModel('digits.model.json');
 * model.predict(xTest);
 * ```
 */
export function loadModel(path: string): Sequential {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ModelFormatError(`${path}: cannot read the file: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(`${path}: not JSON: ${(e as Error).message}`);
  }
  return modelFromJSON(json, path);
}

/**
 * A model from parsed JSON; `source` names it in errors.
 * @example
 * ```ts
 * const copy = modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(model))));
 * ```
 */
export function modelFromJSON(json: unknown, source = 'model JSON'): Sequential {
  const r = new Reader(source);
  const root = r.object(json, '$');
  if (root.format !== MODEL_FORMAT) r.fail('$.format', `expected "${MODEL_FORMAT}", found ${describe(root.format)}`);
  if (root.version !== MODEL_VERSION) r.fail('$.version', `this stablegrad reads version ${MODEL_VERSION}, found ${describe(root.version)}`);
  const name = r.string(root.name, '$.name');
  const inputShape = r.array(root.inputShape, '$.inputShape').map((d, i) => r.positiveInteger(d, `$.inputShape[${i}]`));
  const dtype = r.oneOf(root.dtype, ['float32', 'float64'] as const, '$.dtype');
  const seed = r.integer(root.seed, '$.seed');
  const layers = r.array(root.layers, '$.layers').map((l, i) => readLayer(r, l, `$.layers[${i}]`));
  const weightsJSON = r.array(root.weights, '$.weights');

  // Built once with drawn weights only to learn the params' paths and shapes.
  const model = r.attempt('$', () => new Sequential(layers, { inputShape, dtype, seed, name }));
  const expected = model.params;
  if (weightsJSON.length !== expected.length) r.fail('$.weights', `expected ${expected.length} weights for these layers, found ${weightsJSON.length}`);
  const weights = weightsJSON.map((w, i) => {
    const at = `$.weights[${i}]`;
    const o = r.object(w, at);
    const param = expected[i]!;
    const shape = r.array(o.shape, `${at}.shape`).map((d, j) => r.positiveInteger(d, `${at}.shape[${j}]`));
    if (shape.join() !== param.shape.join()) r.fail(`${at}.shape`, `'${param.path}' is [${param.shape.join(', ')}] in these layers, found [${shape.join(', ')}]`);
    if (o.dtype !== dtype) r.fail(`${at}.dtype`, `expected "${dtype}" (the model's dtype), found ${describe(o.dtype)}`);
    return r.values(o.data, dtype, param.value!.data.length, `${at}.data`);
  });
  const loaded = r.attempt('$', () => new Sequential(layers, { inputShape, dtype, seed, name }, weights));

  if (root.compile !== null && root.compile !== undefined) {
    const c = r.object(root.compile, '$.compile');
    const loss = r.attempt('$.compile.loss', () => resolveLoss(r.object(c.loss, '$.compile.loss') as unknown as LossConfig));
    const optimizer = r.attempt('$.compile.optimizer', () => resolveOptimizer(r.object(c.optimizer, '$.compile.optimizer') as unknown as OptimizerConfig));
    const metrics = r.array(c.metrics, '$.compile.metrics').map((m, i) => readMetric(r, m, `$.compile.metrics[${i}]`));
    const stabilize = r.boolean(c.stabilize, '$.compile.stabilize');
    const backend = c.backend === undefined ? 'compiled' : r.oneOf(c.backend, ['compiled', 'interpreter'] as const, '$.compile.backend');
    const matmul = c.matmul === undefined ? 'simd' : r.oneOf(c.matmul, ['simd', 'exact'] as const, '$.compile.matmul');
    r.attempt('$.compile', () => loaded.compile({ loss, optimizer, metrics, stabilize, backend, matmul, onWarning: () => {} }));
    const state = root.optimizerState;
    if (state !== null && state !== undefined) {
      const s = r.object(state, '$.optimizerState');
      const iterations = r.integer(s.iterations, '$.optimizerState.iterations');
      const slots = r.object(s.slots, '$.optimizerState.slots');
      const decoded = Object.fromEntries(Object.entries(slots).map(([slot, arrays]) => [
        slot,
        r.array(arrays, `$.optimizerState.slots.${slot}`).map((a, i) => r.values(a, dtype, weights[i]?.length ?? 0, `$.optimizerState.slots.${slot}[${i}]`)),
      ]));
      r.attempt('$.optimizerState', () => loaded.restoreOptimizerState(iterations, decoded));
    }
  }
  return loaded;
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
  const o = r.object(value, at);
  const kind = r.oneOf(o.kind, ['binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy'] as const, `${at}.kind`);
  const name = r.string(o.name, `${at}.name`);
  if (o.threshold !== undefined && typeof o.threshold !== 'number') r.fail(`${at}.threshold`, `expected a number, found ${describe(o.threshold)}`);
  return r.attempt(at, () => metricFromConfig({ kind, name, ...(typeof o.threshold === 'number' ? { threshold: o.threshold } : {}) }));
}

function readLayer(r: Reader, value: unknown, at: string): DenseLayer {
  const o = r.object(value, at);
  if (o.type !== 'dense') r.fail(`${at}.type`, `expected "dense", found ${describe(o.type)}`);
  return r.attempt(at, () => dense({
    units: r.positiveInteger(o.units, `${at}.units`),
    activation: checkActivation(o.activation, `${at}.activation`),
    useBias: r.boolean(o.useBias, `${at}.useBias`),
    kernelInitializer: resolveInitializer(r.string(o.kernelInitializer, `${at}.kernelInitializer`) as InitializerName, `${at}.kernelInitializer`),
    biasInitializer: resolveInitializer(r.string(o.biasInitializer, `${at}.biasInitializer`) as InitializerName, `${at}.biasInitializer`),
    name: r.string(o.name, `${at}.name`),
  }));
}

function encode(data: TypedArray): string {
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  data.forEach((v, i) => (data instanceof Float64Array ? view.setFloat64(i * 8, v, true) : view.setFloat32(i * 4, v, true)));
  return Buffer.from(bytes).toString('base64');
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

  object(value: unknown, at: string): { readonly [key: string]: unknown } {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(at, `expected an object, found ${describe(value)}`);
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
    if (!BASE64.test(text) || text.length % 4 !== 0) this.fail(at, 'expected base64 text');
    const bytes = Buffer.from(text, 'base64');
    const width = dtype === 'float64' ? 8 : 4;
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
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
