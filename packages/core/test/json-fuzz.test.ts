import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  broadcastLike, concat, constant, evaluate, fromJSON, type Graph, graph, GraphError, grad, input, type Node, OP_NAMES, param, printGraph, scope,
  StablegradError, sum, tensor, toJSON, zeros,
} from '@stablegrad/core';
import { propertyParams, propertyRuns } from '@stablegrad/testing';

const RUNS = propertyRuns();
/** The hostile-input properties: at least 1,000 mutated files per run (STABLEGRAD_PROPERTY_RUNS, _SEED to change). */
const FUZZ = propertyParams(1000);

// ---------------------------------------------------------------- valid files to corrupt

/** Graphs built from ops that exist, including a gradient graph, as JSON text. */
function samples(): string[] {
  const x = input(['batch', 3], { name: 'x', dtype: 'float64' });
  const forward = scope('layer', () => {
    const W = param(tensor([0.5, -0, NaN], { dtype: 'float64' }), { name: 'W' });
    const b = param(Float32Array.from([1e-45, -Infinity]), { name: 'b' });
    const y = sum(x.add(W).exp(), { axis: 1, keepDims: true });
    return { W, b, y, loss: sum(y).add(constant(2, { dtype: 'float64' })) };
  });
  const labels = constant([1, -2147483648], { dtype: 'int32', name: 'labels' });
  const gradient = grad(forward.loss, forward.W);
  return [
    graph({ loss: forward.loss, b: forward.b.expandDims(0), labels }),
    graph({ loss: forward.loss, dW: gradient }),
    graph([broadcastLike(forward.y.sum().expandDims(0), x.sum({ axis: 0 }))]),
    (() => {
      // Attributes of every kind: numbers with infinities and -0, -1 dimensions, variadic inputs.
      const v = input([2, 3], { name: 'v', dtype: 'float64' });
      const z = v.clip(-Infinity, -0).reshape([-1]).softmax(0).clip(0, Infinity);
      const c = concat([z, z.mul(z), v.matmul(param(tensor([[1], [2], [3]], { dtype: 'float64' }), { name: 'V' })).reshape([-1])], 0);
      const loss = c.logsumexp().add(c.transpose([0]).mean());
      return graph({ loss, dv: grad(loss, v) });
    })(),
    (() => {
      // Integer attributes that size things (oneHot depth, reshape and broadcast shapes, axes,
      // perms, gather's axis), int32 labels and named dimensions: where hostile sizes go.
      const labels = input(['batch'], { name: 'labels', dtype: 'int32' });
      const z = input(['batch', 4], { name: 'z', dtype: 'float64' });
      const hot = labels.oneHot(4, { dtype: 'float64' });
      const picked = z.gather(constant([0, 3], { dtype: 'int32', name: 'cols' }), { axis: 1 });
      const wide = picked.expandDims(0).transpose([1, 0, 2]).squeeze(1).reshape([-1, 1]).broadcastTo(['batch2', 3]);
      const loss = scope('head', () => hot.mul(z.logSoftmax()).sum({ axis: [0, 1] }).neg().add(wide.mean()));
      return graph({ loss });
    })(),
  ].map((g) => JSON.stringify(toJSON(g)));
}

// ---------------------------------------------------------------- corruptions

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A place in a JSON tree: a container, a key in it, and the key the container sits under. */
interface Place {
  readonly parent: Json[] | { [key: string]: Json };
  readonly key: string | number;
  readonly under: string | number | undefined;
}

function places(root: Json): Place[] {
  // Its own stack, in document order: corruptions nest values 100,000 deep.
  const out: Place[] = [];
  const stack: { node: Json; under: string | number | undefined }[] = [{ node: root, under: undefined }];
  while (stack.length > 0) {
    const { node, under } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const children: [string | number, Json][] = Array.isArray(node) ? node.map((child, i) => [i, child]) : Object.entries(node);
    for (const [key] of children) out.push({ parent: node, key, under });
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]![1], under: children[i]![0] });
  }
  return out;
}

function containers(root: Json): (Json[] | { [key: string]: Json })[] {
  const list: (Json[] | { [key: string]: Json })[] = [root as { [key: string]: Json }];
  for (const p of places(root)) {
    const v = (p.parent as { [key: string]: Json })[p.key as string];
    if (v !== null && typeof v === 'object') list.push(v);
  }
  return list;
}

type Corruption =
  | { kind: 'delete'; at: number }
  | { kind: 'replace'; at: number; value: Json }
  | { kind: 'index'; at: number; value: number }
  | { kind: 'op'; at: number; value: string }
  | { kind: 'truncate'; at: number; keep: number }
  | { kind: 'dim'; at: number; value: Json }
  | { kind: 'number'; at: number; value: Json }
  | { kind: 'proto'; at: number; key: string; value: Json }
  | { kind: 'bits'; at: number; bit: number }
  | { kind: 'hostile'; at: number; value: Json }
  | { kind: 'duplicate'; at: number; to: number }
  | { kind: 'cycle'; at: number; ahead: number }
  | { kind: 'nest'; at: number; depth: number; wrap: 'array' | 'object' }
  | { kind: 'scopeName'; at: number; value: string };

/** Sizes meant to make a loader allocate or loop: limits, one past them, and absurd ones. */
const HOSTILE_SIZES: readonly Json[] = [
  2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 28, 2 ** 28 + 1, 2 ** 53, 2 ** 53 + 2, 1e9, 1e300, -(2 ** 31), -1, -2, 65, 0, 1.5, -0,
];

const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
const at = fc.nat({ max: 10_000 });

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at }),
  fc.record({ kind: fc.constant('replace' as const), at, value: json }),
  fc.record({ kind: fc.constant('index' as const), at, value: fc.integer({ min: -2, max: 25 }) }),
  fc.record({
    kind: fc.constant('op' as const), at,
    value: fc.oneof(fc.constantFrom(...OP_NAMES, '__proto__', 'constructor', 'toString', 'valueOf', ''), fc.string({ maxLength: 12 })),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at, keep: fc.nat({ max: 6 }) }),
  fc.record({
    kind: fc.constant('dim' as const), at,
    value: fc.oneof(
      fc.integer({ min: -3, max: 6 }),
      fc.constantFrom<Json>(2 ** 31, 2 ** 31 - 1, 2 ** 28, 2 ** 53, 1e300, 1.5, -0, 'batch', '', null, '3', true),
    ),
  }),
  fc.record({
    kind: fc.constant('number' as const), at,
    value: fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }) as fc.Arbitrary<Json>,
      fc.constantFrom<Json>('NaN', 'Infinity', '-Infinity', '-0', 'nan', '+0', '1', 1e39, 2 ** 31, -(2 ** 31) - 1, 0.5),
    ),
  }),
  fc.record({
    kind: fc.constant('proto' as const), at,
    key: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'),
    value: json,
  }),
  // Bit flips in stored values (the float64, float32 or int32 encoding of one element).
  fc.record({ kind: fc.constant('bits' as const), at, bit: fc.nat({ max: 63 }) }),
  // A hostile size in any integer attribute (depth, axes, shapes, perm), dimension or value shape.
  fc.record({
    kind: fc.constant('hostile' as const), at,
    value: fc.oneof(
      fc.constantFrom(...HOSTILE_SIZES),
      fc.constantFrom<Json>(Array.from({ length: 65 }, () => 1), Array.from({ length: 10_000 }, () => 2), [2 ** 16, 2 ** 16], [2 ** 31 - 1, 0]),
    ),
  }),
  // A node or output listed twice (the copy inserted elsewhere, so indices shift).
  fc.record({ kind: fc.constant('duplicate' as const), at, to: fc.nat({ max: 10_000 }) }),
  // An input pointing at its own node or a later one: a cycle or a forward reference.
  fc.record({ kind: fc.constant('cycle' as const), at, ahead: fc.nat({ max: 3 }) }),
  // Scope names scope() refuses.
  fc.record({ kind: fc.constant('scopeName' as const), at, value: fc.constantFrom('', '/', 'a/b', 'dense/', '/x') }),
  // A value replaced by lists or objects nested thousands deep.
  fc.record({
    kind: fc.constant('nest' as const), at, depth: fc.constantFrom(100, 20_000), wrap: fc.constantFrom('array' as const, 'object' as const),
  }),
);

/** `depth` levels of `[...]` or `{"a": ...}` around `inner`, built without recursion. */
function nested(depth: number, wrap: 'array' | 'object', inner: Json): Json {
  let value = inner;
  for (let i = 0; i < depth; i++) value = wrap === 'array' ? [value] : { nodes: value };
  return value;
}

/** `x` with one bit of its `dtype` encoding flipped, written as toJSON writes numbers. */
function flipBit(x: number, bit: number, dtype: string): Json {
  let y: number;
  if (dtype === 'int32') {
    y = Number.isInteger(x) ? (x ^ (1 << (bit % 32))) | 0 : x;
  } else {
    const view = new DataView(new ArrayBuffer(8));
    if (dtype === 'float32') {
      view.setFloat32(0, x);
      view.setUint32(0, view.getUint32(0) ^ (2 ** (bit % 32)) >>> 0);
      y = view.getFloat32(0);
    } else {
      view.setFloat64(0, x);
      const word = bit < 32 ? 4 : 0;
      view.setUint32(word, view.getUint32(word) ^ (2 ** (bit % 32)) >>> 0);
      y = view.getFloat64(0);
    }
  }
  if (Number.isNaN(y)) return 'NaN';
  if (y === Infinity) return 'Infinity';
  if (y === -Infinity) return '-Infinity';
  if (Object.is(y, -0)) return '-0';
  return y;
}

function numberOf(v: Json): number {
  return typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === '-0' ? -0 : 0;
}

function pick<T>(list: readonly T[], at: number): T | undefined {
  return list.length === 0 ? undefined : list[at % list.length];
}

function set(p: Place, value: Json): void {
  (p.parent as { [key: string]: Json })[p.key as string] = value;
}

function apply(root: Json, c: Corruption): void {
  const all = places(root);
  switch (c.kind) {
    case 'delete': {
      const p = pick(all, c.at);
      if (p === undefined) return;
      if (Array.isArray(p.parent)) p.parent.splice(p.key as number, 1);
      else delete p.parent[p.key as string];
      return;
    }
    case 'replace': {
      const p = pick(all, c.at);
      if (p !== undefined) set(p, c.value);
      return;
    }
    case 'index': {
      const p = pick(all.filter((q) => q.under === 'inputs' || q.key === 'node'), c.at);
      if (p !== undefined) set(p, c.value);
      return;
    }
    case 'op': {
      const p = pick(all.filter((q) => q.key === 'op'), c.at);
      if (p !== undefined) set(p, c.value);
      return;
    }
    case 'truncate': {
      const arrays = containers(root).filter((x): x is Json[] => Array.isArray(x) && x.length > 0);
      const a = pick(arrays, c.at);
      if (a !== undefined) a.length = Math.min(a.length - 1, c.keep);
      return;
    }
    case 'dim': {
      const p = pick(all.filter((q) => q.under === 'shape'), c.at);
      if (p !== undefined) set(p, c.value);
      return;
    }
    case 'number': {
      const p = pick(all.filter((q) => q.under === 'data' || (typeof q.key === 'string' && typeof (q.parent as { [k: string]: Json })[q.key] === 'number')), c.at);
      if (p !== undefined) set(p, c.value);
      return;
    }
    case 'proto': {
      const objects = containers(root).filter((x) => !Array.isArray(x));
      const o = pick(objects, c.at);
      // An own property, as JSON.parse makes it, not a prototype change.
      if (o !== undefined) Object.defineProperty(o, c.key, { value: c.value, enumerable: true, writable: true, configurable: true });
      return;
    }
    case 'bits': {
      const values = containers(root).filter((x): x is { [key: string]: Json } =>
        !Array.isArray(x) && x !== null && Array.isArray(x['data']) && (x['data'] as Json[]).length > 0);
      const value = pick(values, c.at);
      if (value === undefined) return;
      const data = value['data'] as Json[];
      const k = Math.floor(c.at / values.length) % data.length;
      data[k] = flipBit(numberOf(data[k]!), c.bit, String(value['dtype']));
      return;
    }
    case 'hostile': {
      const sized = all.filter((q) => q.under === 'shape' || q.under === 'axes' || q.under === 'perm' || q.key === 'depth' || q.key === 'axis' ||
        q.key === 'shape' || q.key === 'axes' || q.key === 'perm' || q.key === 'batchDims');
      const p = pick(sized, c.at);
      if (p !== undefined) set(p, c.value);
      return;
    }
    case 'duplicate': {
      const lists = containers(root).filter((x): x is Json[] => Array.isArray(x) && x.length > 0);
      const list = pick(lists, c.at);
      if (list !== undefined) list.splice(c.to % (list.length + 1), 0, shallowCopy(list[c.at % list.length]!));
      return;
    }
    case 'cycle': {
      const nodes = (root as { nodes?: Json }).nodes;
      if (!Array.isArray(nodes) || nodes.length === 0) return;
      const k = c.at % nodes.length;
      const inputs = (nodes[k] as { inputs?: Json } | null)?.inputs;
      if (Array.isArray(inputs) && inputs.length > 0) inputs[c.at % inputs.length] = k + c.ahead;
      return;
    }
    case 'nest': {
      const p = pick(all, c.at);
      if (p !== undefined) set(p, nested(c.depth, c.wrap, (p.parent as { [key: string]: Json })[p.key as string]!));
      return;
    }
    case 'scopeName': {
      const p = pick(all.filter((q) => q.under === 'scope' || q.key === 'scope'), c.at);
      if (p !== undefined) set(p, q(p) === 'scope' ? [c.value] : c.value);
      return;
    }
    default:
      c satisfies never;
  }
}

/** A copy of the top level only (a deep clone would recurse through nested corruptions). */
function shallowCopy(v: Json): Json {
  return Array.isArray(v) ? [...v] : v !== null && typeof v === 'object' ? { ...v } : v;
}

/** The key of a place, as a string. */
function q(p: Place): string {
  return String(p.key);
}

// ---------------------------------------------------------------- the property

/** Checks what a successful load must satisfy: a well-formed graph that writes and reads back the same. */
function checkValid(g: Graph): void {
  const seen = new Set(g.nodes);
  const position = new Map(g.nodes.map((n, i) => [n, i]));
  g.nodes.forEach((n, i) => n.inputs.forEach((input) => expect(position.get(input)).toBeLessThan(i)));
  g.outputs.forEach((o) => expect(seen.has(o)).toBe(true));
  // The loader applies the builder's rules: every scope name is one scope() accepts.
  g.nodes.forEach((n) => n.scope.forEach((name) => expect(scope(name, () => true)).toBe(true)));
  expect(printGraph(fromJSON(JSON.stringify(toJSON(g))))).toBe(printGraph(g));
}

function load(input: unknown): 'ok' | string {
  const started = performance.now();
  const memory = memoryInUse();
  try {
    const g = fromJSON(input);
    checkValid(g);
    run(g);
    return 'ok';
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    expect(e.path).toMatch(/^\$/);
    return e.path!;
  } finally {
    // Small files load in well under a millisecond; a second means something loops.
    expect(performance.now() - started).toBeLessThan(1000);
    // Nothing a small file declares is allocated before it is checked.
    expect(memoryInUse() - memory).toBeLessThan(MEMORY_BOUND);
  }
}

/** Bytes of heap and of typed-array buffers in use. */
function memoryInUse(): number {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Growth allowed per load: far above what the sample files need, far below any hostile size. */
const MEMORY_BOUND = 256 * 2 ** 20;

/** Named and unknown dimensions are fed as this size. */
const FED_DIM = 2;
/** Graphs with a tensor larger than this are loaded but not evaluated (the limit is 2^28 elements). */
const EVALUATE_LIMIT = 1 << 16;

/**
 * Evaluates a loaded graph on zeros: a value, or the library's own error (a FeedError for
 * ambiguous names, a ShapeError for shapes that meet only at run time), never a raw one.
 */
function run(g: Graph): void {
  const size = (n: Node) => n.shape.reduce<number>((p, d) => p * (typeof d === 'number' ? d : FED_DIM), 1);
  if (g.nodes.some((n) => size(n) > EVALUATE_LIMIT)) return;
  const feeds = new Map(g.nodes.filter((n) => n.op === 'input').map((n) => [n, zeros(n.shape.map((d) => (typeof d === 'number' ? d : FED_DIM)), n.dtype)] as const));
  try {
    evaluate(g.outputs, feeds);
  } catch (e) {
    if (!(e instanceof StablegradError)) throw e;
  }
}

const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();

describe('fromJSON on corrupted files', () => {
  const texts = samples();

  test.prop([fc.nat({ max: texts.length - 1 }), fc.array(corruption, { minLength: 1, maxLength: 3 })], FUZZ)(
    'either loads a valid graph (that evaluates, or fails with the library\'s own error) or throws a GraphError, never anything else',
    (which, corruptions) => {
      const data = JSON.parse(texts[which]!) as Json;
      for (const c of corruptions) apply(data, c);
      load(data);
      // JSON.stringify itself overflows on data nested 10,000 deep; the parsed form was loaded above.
      const text = (() => {
        try {
          return JSON.stringify(data);
        } catch (e) {
          if (e instanceof RangeError) return undefined;
          throw e;
        }
      })();
      if (text !== undefined) load(text);
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeys);
      expect(({} as { [key: string]: unknown })['polluted']).toBeUndefined();
    },
  );

  test.prop([fc.nat({ max: texts.length - 1 }), fc.nat(), fc.nat({ max: 2 })], { seed: 7, numRuns: RUNS })(
    'truncated or spliced JSON text is a GraphError at $ or loads',
    (which, cut, mode) => {
      const text = texts[which]!;
      const at = cut % text.length;
      const broken = mode === 0 ? text.slice(0, at) : mode === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + '{' + text.slice(at);
      load(broken);
    },
  );

  test.prop([fc.nat({ max: texts.length - 1 }), fc.nat(), fc.nat({ max: 7 }), fc.nat({ max: 4 })], FUZZ)(
    'bit flips, duplicated keys, deep nesting and byte-order marks in the text: a GraphError at $... or a valid graph',
    (which, where, bit, mode) => {
      const text = texts[which]!;
      const at = where % text.length;
      let broken: string;
      switch (mode) {
        case 0: // one bit of one byte of the UTF-8 text flipped (decoded as a file would be)
        {
          const bytes = new TextEncoder().encode(text);
          const k = at % bytes.length;
          bytes[k] = bytes[k]! ^ (1 << bit);
          broken = new TextDecoder().decode(bytes);
          break;
        }
        case 1: // a key repeated inside an object: JSON.parse keeps the last one
        {
          const brace = text.indexOf('{', at);
          const key = ['"op":"exp",', '"inputs":[0],', '"scope":[""],', '"depth":2147483647,', '"nodes":[],', '"value":null,'][bit % 6]!;
          broken = brace < 0 ? text : `${text.slice(0, brace + 1)}${key}${text.slice(brace + 1)}`;
          break;
        }
        case 2: // the whole file, or one value, nested deeply
        {
          const depth = [10, 1000, 100_000][bit % 3]!;
          broken = bit % 2 === 0 ? `${'['.repeat(depth)}${text}${']'.repeat(depth)}` : `${text.slice(0, at)}${'['.repeat(depth)}1${']'.repeat(depth)}${text.slice(at)}`;
          break;
        }
        case 3: // a byte-order mark, as Windows editors write one: still the same graph
          broken = `\ufeff${text}`;
          expect(load(broken)).toBe('ok');
          return;
        default: // a byte-order mark in the wrong place, or two
          broken = bit % 2 === 0 ? `\ufeff\ufeff${text}` : `${text.slice(0, at)}\ufeff${text.slice(at)}`;
      }
      load(broken);
    },
  );

  test('every sample loads untouched (so corruptions start from valid files)', () => {
    for (const text of texts) expect(load(text)).toBe('ok');
  });
});
