import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  broadcastLike, concat, constant, fromJSON, type Graph, graph, GraphError, grad, input, OP_NAMES, param, printGraph, scope, sum, tensor, toJSON,
} from '@stablegrad/core';
import { propertyRuns } from '@stablegrad/testing';

const RUNS = propertyRuns();

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
  const out: Place[] = [];
  const walk = (node: Json, under: string | number | undefined): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push({ parent: node, key: i, under });
        walk(child, i);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        out.push({ parent: node, key, under });
        walk(child, key);
      }
    }
  };
  walk(root, undefined);
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
  | { kind: 'proto'; at: number; key: string; value: Json };

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
);

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
    default:
      c satisfies never;
  }
}

// ---------------------------------------------------------------- the property

/** Checks what a successful load must satisfy: a well-formed graph that writes and reads back the same. */
function checkValid(g: Graph): void {
  const seen = new Set(g.nodes);
  const position = new Map(g.nodes.map((n, i) => [n, i]));
  g.nodes.forEach((n, i) => n.inputs.forEach((input) => expect(position.get(input)).toBeLessThan(i)));
  g.outputs.forEach((o) => expect(seen.has(o)).toBe(true));
  expect(printGraph(fromJSON(JSON.stringify(toJSON(g))))).toBe(printGraph(g));
}

function load(input: unknown): 'ok' | string {
  const started = performance.now();
  try {
    checkValid(fromJSON(input));
    return 'ok';
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    expect(e.path).toMatch(/^\$/);
    return e.path!;
  } finally {
    // Small files load in well under a millisecond; a second means something loops.
    expect(performance.now() - started).toBeLessThan(1000);
  }
}

const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();

describe('fromJSON on corrupted files', () => {
  const texts = samples();

  test.prop([fc.nat({ max: texts.length - 1 }), fc.array(corruption, { minLength: 1, maxLength: 3 })], { seed: 20240531, numRuns: RUNS })(
    'either loads a valid graph or throws a GraphError, never anything else',
    (which, corruptions) => {
      const data = JSON.parse(texts[which]!) as Json;
      for (const c of corruptions) apply(data, c);
      load(data);
      load(JSON.stringify(data));
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

  test('every sample loads untouched (so corruptions start from valid files)', () => {
    for (const text of texts) expect(load(text)).toBe('ok');
  });
});
