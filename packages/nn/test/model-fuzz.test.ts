/**
 * Model-file fuzzing (issue 11): seeded fast-check mutations of saved model files — bit flips
 * and character swaps in the base64 weights and optimizer state, hostile sizes, wrong types,
 * deleted and added fields, truncated text — each a clean load or the library's own
 * `ModelFormatError`, never a raw TypeError or RangeError and never an allocation beyond the
 * limits passed; and save/load round trips that are exact, bit for bit, for both backends and
 * dtypes, every optimizer in both conventions (slots, scalars, learning rate, schedules) and any
 * finite weights (subnormals and -0 included).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc } from '@fast-check/vitest';
import { tensor } from '@stablegrad/core';
import {
  type Activation, adagrad, adam, adamW, cosineDecay, dense, loadModel, modelFromJSON, ModelFormatError, modelToJSON, nadam, type Optimizer, rmsprop, type Sequential, sequential, sgd,
} from '@stablegrad/nn';
import { propertyParams } from '@stablegrad/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { blobs, expectSameBits, SILENT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'stablegrad-nn-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

// Small limits: a mutated size can never make the loader allocate much, and a fuzz run stays fast.
const LIMITS = { maxParams: 10_000, maxLayers: 8, maxBytes: 1_000_000 };

async function baseFiles(): Promise<Json[]> {
  const data = blobs(12, 3, 3, 7);
  const files: Json[] = [];
  // The optimizers' state in every form: moments, velocities, a schedule's config, Nadam's scalar, a reduced rate.
  const optimizers: [('float32' | 'float64'), Optimizer][] = [
    ['float32', adam({ learningRate: 0.01 })], ['float64', sgd({ learningRate: 0.1, momentum: 0.9 })],
    ['float32', nadam({ convention: 'pytorch', learningRate: cosineDecay({ initialLearningRate: 0, warmupTarget: 0.01, warmupSteps: 2, decaySteps: 10 }) })],
    ['float64', rmsprop({ convention: 'pytorch', centered: true, momentum: 0.5, clipNorm: 1 })],
  ];
  for (const [dtype, optimizer] of optimizers) {
    const m = sequential([dense({ units: 4, activation: 'relu' }), dense({ units: 3, activation: 'softmax', useBias: false })], { inputShape: [3], seed: 5, dtype });
    m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer, metrics: ['accuracy'], backend: dtype === 'float64' ? 'interpreter' : 'compiled' });
    await m.fit(data.x, data.y, { epochs: 1, batchSize: 6, ...SILENT });
    if (m.optimizer.schedule === undefined) m.optimizer.learningRate /= 3;
    files.push(JSON.parse(JSON.stringify(modelToJSON(m))) as Json);
  }
  return files;
}

/** Every path in a JSON value, the root included (iterative: no recursion). */
function pathsOf(root: Json): Path[] {
  const out: Path[] = [];
  const stack: [Json, Path][] = [[root, []]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    out.push(path);
    if (Array.isArray(value)) value.forEach((v, i) => stack.push([v, [...path, i]]));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) stack.push([v, [...path, k]]);
  }
  return out;
}

function get(root: Json, path: Path): Json {
  let v: Json = root;
  for (const key of path) v = (v as { [key: string]: Json })[key as string]!;
  return v;
}

function set(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const parent = get(root, path.slice(0, -1)) as { [key: string]: Json } | Json[];
  const key = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else {
    (parent as { [key: string]: Json })[key as string] = value;
  }
  return root;
}

const HOSTILE_NUMBERS: Json[] = [0, -1, 1.5, 20000, 1e9, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, '12', null, true, [], {}];

type Mutation =
  | { kind: 'flip'; target: number; bit: number }
  | { kind: 'char'; target: number; position: number; char: string }
  | { kind: 'size'; target: number; value: number }
  | { kind: 'replace'; target: number; value: Json }
  | { kind: 'delete'; target: number }
  | { kind: 'add'; target: number; key: string; value: Json }
  | { kind: 'truncate'; at: number };

const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=!é';
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('flip' as const), target: fc.nat(), bit: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('char' as const), target: fc.nat(), position: fc.nat(), char: fc.constantFrom(...BASE64_CHARS) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('size' as const), target: fc.nat(), value: fc.nat(HOSTILE_NUMBERS.length - 1) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('replace' as const), target: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), target: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('add' as const), target: fc.nat(), key: fc.constantFrom('extra', '__proto__', 'constructor', 'build', 'step', 'm', 'v', 'learningRate', 'scalars', 'muProduct', 'at'), value: fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json> }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }), weight: 1 },
);

/** Applies a mutation to a copy of `base`: the mutated JSON, or text for truncation. */
function mutate(base: Json, m: Mutation): { json: Json } | { text: string } {
  const json = JSON.parse(JSON.stringify(base)) as Json;
  const paths = pathsOf(json);
  const strings = paths.filter((p) => typeof get(json, p) === 'string' && /data|slots/.test(p.join('.')));
  const numbers = paths.filter((p) => typeof get(json, p) === 'number');
  switch (m.kind) {
    case 'flip': {
      const path = strings[m.target % strings.length]!;
      const bytes = Buffer.from(get(json, path) as string, 'base64');
      if (bytes.length > 0) bytes[(m.bit >> 3) % bytes.length]! ^= 1 << (m.bit & 7);
      return { json: set(json, path, bytes.toString('base64')) };
    }
    case 'char': {
      const path = strings[m.target % strings.length]!;
      const text = get(json, path) as string;
      const i = text.length === 0 ? 0 : m.position % text.length;
      return { json: set(json, path, text.slice(0, i) + m.char + text.slice(i + 1)) };
    }
    case 'size':
      return { json: set(json, numbers[m.target % numbers.length]!, HOSTILE_NUMBERS[m.value]!) };
    case 'replace':
      return { json: set(json, paths[m.target % paths.length]!, m.value) };
    case 'delete':
      return { json: set(json, paths[m.target % paths.length]!, undefined) };
    case 'add': {
      const objects = paths.filter((p) => { const v = get(json, p); return v !== null && typeof v === 'object' && !Array.isArray(v); });
      const parent = get(json, objects[m.target % objects.length]!) as { [key: string]: Json };
      Object.defineProperty(parent, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      return { json };
    }
    case 'truncate': {
      const text = JSON.stringify(base);
      return { text: text.slice(0, m.at % text.length) };
    }
    default:
      return m satisfies never;
  }
}

describe('model-file fuzzing', () => {
  it('every mutation of a saved file loads cleanly or is a ModelFormatError', async () => {
    const bases = await baseFiles();
    const file = join(dir, 'fuzzed.json');
    const outcomes = { loaded: 0, refused: 0 };
    fc.assert(fc.property(fc.nat(bases.length - 1), mutation, (which, m) => {
      const mutated = mutate(bases[which]!, m);
      let model: Sequential;
      try {
        if ('text' in mutated) {
          writeFileSync(file, mutated.text);
          model = loadModel(file, LIMITS);
        } else {
          model = modelFromJSON(mutated.json, 'fuzzed.json', LIMITS);
        }
      } catch (e) {
        if (!(e instanceof ModelFormatError)) throw new Error(`not the library's error for ${JSON.stringify(m)}: ${String(e)}`, { cause: e });
        outcomes.refused++;
        return;
      }
      outcomes.loaded++;
      // What loads is usable: its weights are finite and it saves again.
      for (const w of model.getWeights()) expect(w.data.every(Number.isFinite)).toBe(true);
      modelToJSON(model);
    }), propertyParams(1000));
    // Both outcomes occur: bit flips in weights mostly load, broken structure is refused.
    expect(outcomes.loaded).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(300);
  }, 120_000);
});

describe('save/load round trips are exact', () => {
  const ACTIVATIONS: Activation[] = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'];
  const architecture = fc.record({
    features: fc.integer({ min: 1, max: 4 }),
    layers: fc.array(fc.record({ units: fc.integer({ min: 1, max: 4 }), activation: fc.constantFrom(...ACTIVATIONS), useBias: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    dtype: fc.constantFrom('float32' as const, 'float64' as const),
    backend: fc.constantFrom('compiled' as const, 'interpreter' as const),
    optimizer: fc.constantFrom('adam', 'sgd', 'momentum', 'adamW', 'rmsprop', 'adagrad', 'nadam', 'torch-sgd', 'torch-adam', 'torch-rmsprop', 'torch-adagrad', 'torch-nadam'),
    steps: fc.integer({ min: 0, max: 2 }),
    seed: fc.integer({ min: 0, max: 1000 }),
  });

  it('weights, optimizer state and predictions bit for bit, for both backends and dtypes', async () => {
    await fc.assert(fc.asyncProperty(architecture, async (a) => {
      const m = sequential(a.layers.map((l) => dense(l)), { inputShape: [a.features], dtype: a.dtype, seed: a.seed });
      const optimizer = ({
        adam: () => adam({ learningRate: 0.01 }), sgd: () => sgd({ learningRate: 0.05 }), momentum: () => sgd({ learningRate: 0.05, momentum: 0.9 }),
        adamW: () => adamW({ learningRate: 0.01, amsgrad: true }), rmsprop: () => rmsprop({ centered: true, momentum: 0.3 }), adagrad: () => adagrad({ learningRate: 0.05 }),
        nadam: () => nadam({ learningRate: 0.01 }), 'torch-sgd': () => sgd({ convention: 'pytorch', learningRate: 0.05, momentum: 0.9, dampening: 0.1 }),
        'torch-adam': () => adam({ convention: 'pytorch', learningRate: 0.01, weightDecay: 0.01 }), 'torch-rmsprop': () => rmsprop({ convention: 'pytorch', momentum: 0.3 }),
        'torch-adagrad': () => adagrad({ convention: 'pytorch', learningRateDecay: 0.1 }), 'torch-nadam': () => nadam({ convention: 'pytorch', globalClipNorm: 1 }),
      } as const)[a.optimizer]();
      m.compile({ loss: 'meanSquaredError', optimizer, backend: a.backend, matmul: 'exact' });
      const units = a.layers.at(-1)!.units;
      const x = Array.from({ length: 6 }, (_, r) => Array.from({ length: a.features }, (_, c) => Math.sin(r * 3 + c)));
      const y = Array.from({ length: 6 }, (_, r) => Array.from({ length: units }, (_, c) => Math.cos(r + c) / 2));
      if (a.steps > 0) await m.fit(x, y, { epochs: a.steps, batchSize: 6, ...SILENT });
      const loaded = modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(m))));
      expectSameBits(loaded.getWeights(), m.getWeights());
      const state = (s: Sequential) => Object.entries(s.compiled!.state.slots).sort().flatMap(([, arrays]) => arrays.map((v) => Array.from(v)));
      expectSameBits(state(loaded), state(m));
      expect(loaded.compiled!.state.iterations).toBe(m.compiled!.state.iterations);
      expect(loaded.compiled!.state.learningRate).toBe(m.compiled!.state.learningRate);
      expect(loaded.compiled!.state.scalars).toEqual(m.compiled!.state.scalars);
      expect([loaded.compiled!.backend, loaded.dtype]).toEqual([a.backend, a.dtype]);
      expectSameBits([loaded.predict(x)], [m.predict(x)]);
    }), propertyParams(30));
  }, 120_000);

  it('any finite weights, subnormals and -0 included', () => {
    fc.assert(fc.property(
      fc.constantFrom('float32' as const, 'float64' as const),
      fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 8, maxLength: 8 }),
      (dtype, values) => {
        const v = dtype === 'float32' ? values.map((x) => (Number.isFinite(Math.fround(x)) ? Math.fround(x) : 0)) : values;
        const m = sequential([dense({ units: 2 })], { inputShape: [3], dtype, seed: 1 });
        m.setWeights([tensor(v.slice(0, 6), { dtype, shape: [3, 2] }), tensor(v.slice(6), { dtype })]);
        const loaded = modelFromJSON(JSON.parse(JSON.stringify(modelToJSON(m))));
        expectSameBits(loaded.getWeights(), m.getWeights());
        expect(Object.is(loaded.getWeights()[0]!.data[0], v[0])).toBe(true);
      },
    ), propertyParams(200));
  });
});
