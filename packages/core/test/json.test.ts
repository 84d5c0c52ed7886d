import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  concat, constant, evaluate, fromJSON, type Graph, graph, GraphError, grad, input, MAX_ELEMENTS, type Node, param, printGraph, scope,
  ShapeError, sum, type Tensor, tensor, toJSON, where,
} from '@stablegrad/core';

// ---------------------------------------------------------------- helpers

/** The bytes of a tensor's storage, for bit-for-bit comparisons. */
function bits(t: Tensor): number[] {
  return Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

/** Writes, stringifies, parses and reads back. */
function roundTrip(g: Graph): Graph {
  return fromJSON(JSON.stringify(toJSON(g)));
}

/** A mutable deep copy of a graph's JSON, for corrupting; untyped so tests can reach any field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
function jsonOf(g: Graph): Json {
  return JSON.parse(JSON.stringify(toJSON(g))) as Json;
}

function expectGraphError(json: unknown, path: string, message?: RegExp): GraphError {
  let error: unknown;
  try {
    fromJSON(json);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(GraphError);
  const e = error as GraphError;
  expect(e.path).toBe(path);
  expect(e.message.startsWith(`${path}: `)).toBe(true);
  if (message !== undefined) expect(e.message).toMatch(message);
  return e;
}

const allFeeds: { readonly [name: string]: Tensor } = {
  x: tensor([[0.5, -1.25, 3], [2, -0, 1e-3]], { dtype: 'float64' }),
  x32: tensor([[0.5, -1.25, 3], [2, -0, 1e-3]]),
  labels: tensor([2, 0], { dtype: 'int32' }),
};

/** x: [batch, 3] float64, W: param [3] float64 with awkward values, in a scope. */
function forward(): { x: Node; W: Node; loss: Node; y: Node } {
  const x = input(['batch', 3], { name: 'x', dtype: 'float64' });
  return scope('layer', () => {
    const W = param(tensor([0.25, -0, 1 / 3], { dtype: 'float64' }), { name: 'W' });
    const y = x.add(W).exp();
    const loss = sum(sum(y, { axis: 1, keepDims: true }).expandDims(0));
    return { x, W, loss, y };
  });
}

/** The feeds for the inputs of `g`, by name. */
function feedsFor(g: Graph): { [name: string]: Tensor } {
  return Object.fromEntries(g.nodes.filter((n) => n.op === 'input').map((n) => [n.name, allFeeds[n.name]!]));
}

/** Evaluates every output of both graphs and compares them bit for bit. */
function expectSameValues(before: Graph, after: Graph): void {
  const feeds = feedsFor(before);
  const a = evaluate(before.outputs, feeds);
  const b = evaluate(after.outputs, feeds);
  expect(b.length).toBe(a.length);
  a.forEach((t, i) => {
    expect(b[i]!.dtype).toBe(t.dtype);
    expect(b[i]!.shape).toEqual(t.shape);
    expect(bits(b[i]!)).toEqual(bits(t));
  });
}

// ---------------------------------------------------------------- round trips

describe('toJSON / fromJSON round trip', () => {
  it('writes the documented plain form, with non-finite numbers and -0 as strings', () => {
    const p = param(tensor([-0, NaN, Infinity, -Infinity, 1.5], { dtype: 'float64' }), { name: 'p' });
    const y = p.exp();
    // Written out by hand from the format's description.
    expect(toJSON({ y })).toStrictEqual({
      format: 'stablegrad-graph',
      version: 1,
      nodes: [
        {
          op: 'param', inputs: [], attrs: { shape: [5], dtype: 'float64' }, name: 'p', scope: [], shape: [5], dtype: 'float64',
          value: { dtype: 'float64', shape: [5], data: ['-0', 'NaN', 'Infinity', '-Infinity', 1.5] },
        },
        { op: 'exp', inputs: [0], attrs: {}, name: 'exp', scope: [], shape: [5], dtype: 'float64' },
      ],
      outputs: [{ name: 'y', node: 1 }],
    });
  });

  it('gives the same printed graph, names, scopes and values for a forward graph', () => {
    const { loss, y } = forward();
    const before = graph({ loss, y });
    const after = roundTrip(before);
    expect(printGraph(after)).toBe(printGraph(before));
    expect(after.outputNames).toEqual(['loss', 'y']);
    expect(after.nodes.map((n) => n.path)).toEqual(before.nodes.map((n) => n.path));
    expect(after.nodes.every((n, i) => n !== before.nodes[i])).toBe(true);
    expectSameValues(before, after);
    // Writing the loaded graph again gives the same data.
    expect(toJSON(after)).toStrictEqual(toJSON(before));
  });

  it('round-trips a gradient graph and its values', () => {
    const { x, W, loss } = forward();
    const [dW, dx] = grad(loss, [W, x]);
    const before = graph({ loss, dW: dW!, dx: dx! });
    expect(before.nodes.some((n) => n.op === 'sumTo' || n.op === 'broadcastLike')).toBe(true);
    const after = roundTrip(before);
    expect(printGraph(after)).toBe(printGraph(before));
    expectSameValues(before, after);
  });

  it('accepts the object from toJSON without stringifying, and a Graph or plain outputs', () => {
    const { loss } = forward();
    expect(printGraph(fromJSON(toJSON(loss)))).toBe(printGraph(graph(loss)));
    expect(printGraph(fromJSON(toJSON([loss, loss])))).toBe(printGraph(graph([loss, loss])));
  });

  it('keeps float32 values bit for bit: -0, NaN, infinities, subnormals, extremes', () => {
    const values = [-0, 0, NaN, Infinity, -Infinity, 1.401298464324817e-45, -1.1754942106924411e-38, 3.4028234663852886e38,
      Math.fround(0.1), -Math.fround(1 / 3), 16777216, 1];
    const p = param(Float32Array.from(values), { name: 'p' });
    const text = JSON.stringify(toJSON(p));
    // float32 values are written as the exact JS numbers they are.
    expect(text).toContain('"data":["-0",0,"NaN","Infinity","-Infinity",1.401298464324817e-45,-1.1754942106924411e-38,3.4028234663852886e+38,0.10000000149011612,');
    const loaded = fromJSON(text).nodes[0]!.value!;
    expect(loaded.data).toBeInstanceOf(Float32Array);
    expect(bits(loaded)).toEqual(bits(p.value!));
  });

  it('keeps float64 and int32 values bit for bit', () => {
    const f = param(Float64Array.from([5e-324, -2.225073858507201e-308, Number.MAX_VALUE, -0, 0.1, 1 / 3, NaN, -Infinity]), { name: 'f' });
    const i = constant(Int32Array.from([-2147483648, 2147483647, 0, -1]), { name: 'i', dtype: 'int32' });
    const g = graph({ f, i });
    const after = roundTrip(g);
    expect(bits(after.nodes[0]!.value!)).toEqual(bits(f.value!));
    expect(bits(after.nodes[1]!.value!)).toEqual(bits(i.value!));
    expect(after.nodes[1]!.value!.data).toBeInstanceOf(Int32Array);
    expect(printGraph(after)).toBe(printGraph(g));
  });

  it('round-trips attributes that hold non-finite numbers and -1 dimensions', () => {
    const x = input([2, 3], { name: 'x32' });
    const g = graph({ clipped: x.clip(-Infinity, 0.5).reshape([-1]).clip(-0, Infinity) });
    const text = JSON.stringify(toJSON(g));
    expect(text).toContain('"-Infinity"');
    expect(text).toContain('"Infinity"');
    const after = fromJSON(text);
    expect(printGraph(after)).toBe(printGraph(g));
    expect(toJSON(after)).toStrictEqual(toJSON(g));
    expectSameValues(g, after);
  });

  it('round-trips graphs of (nearly) every op, and their gradients', () => {
    const builders: (() => Graph)[] = [
      () => {
        const x = input(['batch', 3], { name: 'x', dtype: 'float64' });
        const W = param(tensor([[1, -2], [0.5, 0], [3, 1e-7]], { dtype: 'float64' }), { name: 'W' });
        const h = x.matmul(W).tanh().sigmoid().softplus().logSigmoid();
        const loss = h.mul(h).sub(1).div(2).square().sqrt().log1p().expm1().mean();
        return graph({ loss, dW: grad(loss, W) });
      },
      () => {
        const x = input(['batch', 3], { name: 'x', dtype: 'float64' });
        const z = x.softmax(-1).log().add(x.logSoftmax(1)).maximum(x.relu()).minimum(x.abs().neg());
        const loss = z.logsumexp({ axis: 1 }).max().add(z.min({ axis: [0, 1] })).pow(2);
        return graph({ loss, dx: grad(loss, x) });
      },
      () => {
        const x = input(['batch', 3], { name: 'x', dtype: 'float64' });
        const labels = input(['batch'], { name: 'labels', dtype: 'int32' });
        const hot = labels.oneHot(3, { dtype: 'float64' });
        const picked = x.gather(labels, { axis: 1, batchDims: 1 });
        const mask = x.greater(0).equal(x.less(1)).notEqual(x.lessEqual(-1)).greaterEqual(x.sign().cast('int32'));
        const y = where(mask, x, hot).transpose([1, 0]).broadcastTo([3, 'batch']).squeeze();
        const loss = concat([y.sum().expandDims(0), picked.sum().expandDims(0)], 0).sum();
        return graph({ loss, dx: grad(loss, x) });
      },
    ];
    for (const build of builders) {
      const before = build();
      const after = roundTrip(before);
      expect(printGraph(after)).toBe(printGraph(before));
      expect(toJSON(after)).toStrictEqual(toJSON(before));
      expectSameValues(before, after);
    }
  });
});

describe('toJSON options and errors', () => {
  it('writes trained values in place of the params\' initial values', () => {
    const { loss, W } = forward();
    const trained = tensor([1.5, -0, NaN], { dtype: 'float64' });
    const after = fromJSON(JSON.stringify(toJSON(loss, { values: new Map([[W, trained]]) })));
    const loadedW = after.nodes.find((n) => n.name === 'W')!;
    expect(bits(loadedW.value!)).toEqual(bits(trained));
    expect(Array.from(W.value!.data)).toEqual([0.25, -0, 1 / 3]);
  });

  it('refuses a trained value of the wrong shape or dtype, and values for non-params', () => {
    const { loss, W, x } = forward();
    expect(() => toJSON(loss, { values: new Map([[W, tensor([1, 2], { dtype: 'float64' })]]) })).toThrow(GraphError);
    expect(() => toJSON(loss, { values: new Map([[W, tensor([1, 2, 3])]]) })).toThrow(/float32/);
    expect(() => toJSON(loss, { values: new Map([[x, tensor([1, 2, 3], { dtype: 'float64' })]]) })).toThrow(/only params/);
  });
});

// ---------------------------------------------------------------- malformed files

/** input x [2, 3] (0), param b [3] (1), add (2), exp (3), sum axes [1] (4); output loss = 4. */
function small(): Json {
  const x = input([2, 3], { name: 'x' });
  const b = param([1, 2, 3], { name: 'b' });
  return jsonOf(graph({ loss: sum(x.add(b).exp(), { axis: 1 }) }));
}

describe('fromJSON rejects malformed files with a GraphError at the right path', () => {
  it('accepts the untouched file', () => {
    expect(fromJSON(small()).nodes.map((n) => n.op)).toEqual(['input', 'param', 'add', 'exp', 'sum']);
  });

  it('JSON syntax errors and non-objects', () => {
    expectGraphError('{"format": ', '$', /not valid JSON/);
    expectGraphError('[1, 2]', '$', /expected an object, found a list of 2/);
    expectGraphError(null, '$');
    expectGraphError(42, '$');
    expectGraphError(new Map(), '$');
  });

  it('wrong format or version', () => {
    const a = small();
    a.format = 'onnx';
    expectGraphError(a, '$.format', /expected format "stablegrad-graph", found the string "onnx"/);
    const b = small();
    b.version = 2;
    expectGraphError(b, '$.version', /unsupported version: this build reads version 1, found the number 2/);
    const c = small();
    delete c.format;
    expectGraphError(c, '$.format', /found nothing/);
  });

  it('unexpected and missing keys', () => {
    const a = small();
    a.extra = 1;
    expectGraphError(a, '$.extra', /unexpected key "extra"/);
    const b = small();
    delete b.nodes[2].name;
    expectGraphError(b, '$.nodes[2].name', /missing key "name"/);
    const c = small();
    c.nodes[1].value.units = 'm';
    expectGraphError(c, '$.nodes[1].value.units', /unexpected key/);
    const d = small();
    d.outputs[0]['odd key'] = 0;
    expectGraphError(d, '$.outputs[0]["odd key"]');
  });

  it('nodes that are not a list, or not objects', () => {
    const a = small();
    a.nodes = { 0: a.nodes[0] };
    expectGraphError(a, '$.nodes', /expected a list of nodes, found an object/);
    const b = small();
    b.nodes[3] = 'exp';
    expectGraphError(b, '$.nodes[3]', /expected an object, found the string "exp"/);
  });

  it('unknown ops, with a hint', () => {
    const a = small();
    a.nodes[3].op = 'epx';
    expectGraphError(a, '$.nodes[3].op', /unknown op "epx"; did you mean "exp"\?/);
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'launchMissiles']) {
      const b = small();
      b.nodes[3].op = name;
      expectGraphError(b, '$.nodes[3].op', /unknown op/);
    }
    const c = small();
    c.nodes[3].op = 7;
    expectGraphError(c, '$.nodes[3].op', /expected an op name, found the number 7/);
  });

  it('wrong arity', () => {
    const a = small();
    a.nodes[2].inputs = [0];
    expectGraphError(a, '$.nodes[2].inputs', /op add takes 2 inputs, found 1/);
    const b = small();
    b.nodes[3].inputs = [2, 2];
    expectGraphError(b, '$.nodes[3].inputs', /op exp takes 1 input, found 2/);
    const c = small();
    c.nodes[0].inputs = [0];
    expectGraphError(c, '$.nodes[0].inputs', /op input takes 0 inputs, found 1/);
  });

  it('input indices that are not integers', () => {
    for (const bad of [1.5, -1, '1', null, [1], { node: 1 }]) {
      const a = small();
      a.nodes[2].inputs[1] = bad;
      expectGraphError(a, '$.nodes[2].inputs[1]', /expected the index of an earlier node/);
    }
  });

  it('self references, forward references and cycles', () => {
    const a = small();
    a.nodes[3].inputs = [3];
    expectGraphError(a, '$.nodes[3].inputs[0]', /cycle or forward reference/);
    const b = small();
    b.nodes[2].inputs = [0, 4];
    expectGraphError(b, '$.nodes[2].inputs[1]', /cycle or forward reference/);
    const c = small();
    c.nodes[2].inputs = [0, 99];
    expectGraphError(c, '$.nodes[2].inputs[1]', /cycle or forward reference/);
  });

  it('attributes missing, extra or of the wrong kind', () => {
    const a = small();
    delete a.nodes[4].attrs.keepDims;
    expectGraphError(a, '$.nodes[4].attrs.keepDims', /missing attribute "keepDims" of op sum \(true or false\)/);
    const b = small();
    b.nodes[4].attrs.axis = 1;
    expectGraphError(b, '$.nodes[4].attrs.axis', /op sum has no attribute "axis" \(it has axes, keepDims\)/);
    const c = small();
    c.nodes[3].attrs.toString = 'x';
    expectGraphError(c, '$.nodes[3].attrs.toString', /op exp has no attribute "toString" \(it has none\)/);
    const d = small();
    d.nodes[4].attrs.keepDims = 'false';
    expectGraphError(d, '$.nodes[4].attrs.keepDims', /expected true or false, found the string "false"/);
    const e = small();
    e.nodes[4].attrs.axes = [0.5];
    expectGraphError(e, '$.nodes[4].attrs.axes[0]', /expected an integer/);
    const f = small();
    f.nodes[4].attrs.axes = 1;
    expectGraphError(f, '$.nodes[4].attrs.axes', /expected a list of integers/);
    const g = small();
    g.nodes[4].attrs = [];
    expectGraphError(g, '$.nodes[4].attrs', /expected an object/);
  });

  it('attributes that the op\'s shape rule refuses', () => {
    const a = small();
    a.nodes[4].attrs.axes = [2];
    expectGraphError(a, '$.nodes[4]', /does not fit its inputs: .*axes \[2\]/);
  });

  it('bad dtypes', () => {
    const a = small();
    a.nodes[3].dtype = 'float16';
    expectGraphError(a, '$.nodes[3].dtype', /expected a dtype \(float32, float64 or int32\), found the string "float16"/);
    const b = small();
    b.nodes[0].attrs.dtype = 'complex64';
    expectGraphError(b, '$.nodes[0].attrs.dtype', /expected a dtype/);
    const c = small();
    c.nodes[1].value.dtype = 'uint8';
    expectGraphError(c, '$.nodes[1].value.dtype', /expected a dtype/);
  });

  it('bad shapes: non-integer, negative, too large, too many dimensions, symbolic where fixed is needed', () => {
    const cases: [number | string | null, RegExp][] = [[2.5, /2.5/], [-3, /-3/], [2 ** 31, /2147483648/], ['', /""/], [true as never, /true/]];
    for (const [bad, message] of cases) {
      const a = small();
      a.nodes[0].attrs.shape[1] = bad;
      expectGraphError(a, '$.nodes[0].attrs.shape[1]', message);
      const b = small();
      b.nodes[3].shape[1] = bad;
      expectGraphError(b, '$.nodes[3].shape[1]', message);
    }
    const c = small();
    c.nodes[0].attrs.shape = new Array(65).fill(1);
    expectGraphError(c, '$.nodes[0].attrs.shape', /rank 65 is more than 64/);
    const d = small();
    d.nodes[1].attrs.shape = ['n'];
    expectGraphError(d, '$.nodes[1].attrs.shape[0]', /fixed shape/);
    const e = small();
    e.nodes[1].value.shape = [null];
    expectGraphError(e, '$.nodes[1].value.shape[0]', /fixed shape/);
    // -1 is for reshape attributes, not for an input's declared shape.
    const f = small();
    f.nodes[0].attrs.shape = [-1, 3];
    expectGraphError(f, '$.nodes[0]', /dimension -1/);
  });

  it('values too large to allocate, or whose data does not match the shape, fail before allocating', () => {
    const a = small();
    a.nodes[1].attrs.shape = [65536, 65536];
    a.nodes[1].value.shape = [65536, 65536];
    expectGraphError(a, '$.nodes[1].value.shape', /more than 268435456 elements/);
    const b = small();
    b.nodes[1].attrs.shape = [2 ** 27];
    b.nodes[1].value.shape = [2 ** 27];
    expectGraphError(b, '$.nodes[1].value.data', /needs 134217728 numbers, found 3/);
    const c = small();
    c.nodes[1].value.data.pop();
    expectGraphError(c, '$.nodes[1].value.data', /needs 3 numbers, found 2/);
    const d = small();
    d.nodes[1].value.data = '1,2,3';
    expectGraphError(d, '$.nodes[1].value.data', /expected a list of numbers/);
  });

  it('value data that is not numeric', () => {
    for (const bad of ['nan', 'inf', '1', '', {}, [], true, null]) {
      const a = small();
      a.nodes[1].value.data[2] = bad;
      expectGraphError(a, '$.nodes[1].value.data[2]', /expected a number, "NaN", "Infinity", "-Infinity" or "-0"/);
    }
    const b = small();
    b.nodes[1].value.data[0] = 1e39;
    expectGraphError(b, '$.nodes[1].value.data[0]', /outside the float32 range/);
  });

  it('int32 data that is not an int32 integer', () => {
    const i = constant([1, 2], { dtype: 'int32', name: 'i' });
    for (const bad of [1.5, 2 ** 31, -(2 ** 31) - 1, 'NaN', '-0', null]) {
      const a = jsonOf(graph(i));
      a.nodes[0].value.data[1] = bad;
      expectGraphError(a, '$.nodes[0].value.data[1]', /expected an int32 integer/);
    }
  });

  it('recorded shape or dtype that differ from what the op computes', () => {
    const a = small();
    a.nodes[3].shape = [3, 2];
    expectGraphError(a, '$.nodes[3].shape', /recorded shape \[3, 2\] differs from \[2, 3\], computed by exp/);
    const b = small();
    b.nodes[4].shape = [2, 1];
    expectGraphError(b, '$.nodes[4].shape', /differs/);
    const c = small();
    c.nodes[3].dtype = 'float64';
    expectGraphError(c, '$.nodes[3].dtype', /recorded dtype float64 differs from float32/);
    const d = small();
    d.nodes[0].shape = ['batch', 3];
    expectGraphError(d, '$.nodes[0].shape', /differs/);
    // A change upstream is caught where it stops fitting: [2, 3] + [4] does not broadcast.
    const e = small();
    e.nodes[1].attrs.shape = [4];
    e.nodes[1].shape = [4];
    e.nodes[1].value.shape = [4];
    e.nodes[1].value.data.push(4);
    expectGraphError(e, '$.nodes[2]', /does not fit its inputs: add 'add': .*do not broadcast/);
  });

  it('value shape or dtype that differ from the node', () => {
    const a = small();
    a.nodes[1].value = { dtype: 'float32', shape: [1, 3], data: [1, 2, 3] };
    expectGraphError(a, '$.nodes[1].value.shape', /value has shape \[1, 3\] but the param has \[3\]/);
    const b = small();
    b.nodes[1].value = { dtype: 'float64', shape: [3], data: [1, 2, 3] };
    expectGraphError(b, '$.nodes[1].value.dtype', /value is float64 but the param is float32/);
    const c = small();
    delete c.nodes[1].value;
    expectGraphError(c, '$.nodes[1].value', /needs its value/);
    const d = small();
    d.nodes[3].value = { dtype: 'float32', shape: [], data: [1] };
    expectGraphError(d, '$.nodes[3].value', /only param and constant nodes hold a value, not exp/);
  });

  it('scope names that scope() refuses, by the same rule', () => {
    for (const name of ['', 'a/b', '/', 'dense/']) {
      expect(() => scope(name, () => 0)).toThrow(/scope name must be non-empty and contain no '\/'/);
      const a = small();
      a.nodes[2].scope = ['layer', name];
      expectGraphError(a, '$.nodes[2].scope[1]', /scope name must be non-empty and contain no '\/'/);
    }
  });

  it('sizes the builder refuses (oneHot depth 2^31-1, reshapes past 2^28 elements), with the builder\'s message', () => {
    const labels = input([3], { name: 'labels', dtype: 'int32' });
    expect(() => labels.oneHot(2 ** 31 - 1)).toThrow(ShapeError);
    expect(() => labels.oneHot(2 ** 31 - 1)).toThrow(`holds more than ${MAX_ELEMENTS} elements`);
    const a = jsonOf(graph({ y: labels.oneHot(4) }));
    a.nodes[1].attrs.depth = 2 ** 31 - 1;
    a.nodes[1].shape = [3, 2 ** 31 - 1];
    expectGraphError(a, '$.nodes[1]', new RegExp(`oneHot 'oneHot': output: shape \\[3, 2147483647\\] holds more than ${MAX_ELEMENTS} elements`));
    const b = jsonOf(graph({ y: labels.oneHot(4) }));
    b.nodes[1].attrs.depth = 2 ** 31;
    expectGraphError(b, '$.nodes[1]', /more than 2147483647/);
    const c = jsonOf(graph({ y: input([2], { name: 'x' }).reshape([2, 1]) }));
    c.nodes[1].attrs.shape = [2 ** 20, 2 ** 20];
    expectGraphError(c, '$.nodes[1]', /does not fit its inputs/);
  });

  it('a graph whose size is known only at run time is refused before evaluate allocates', () => {
    const labels = input(['batch'], { name: 'labels', dtype: 'int32' });
    const g = fromJSON(JSON.stringify(jsonOf(graph({ y: labels.oneHot(2 ** 20).sum() }))));
    expect(() => evaluate(g.outputs[0]!, { labels: new Int32Array(1024) })).toThrow(ShapeError);
    expect(() => evaluate(g.outputs[0]!, { labels: new Int32Array(1024) })).toThrow(/\[1024, 1048576\] holds more than/);
  });

  it('a UTF-8 byte-order mark before the text is skipped', () => {
    const text = JSON.stringify(small());
    expect(fromJSON(`\ufeff${text}`).nodes.length).toBe(5);
    expectGraphError(`\ufeff\ufeff${text}`, '$', /not valid JSON/);
  });

  it('names that are not strings, scopes that are not lists of strings', () => {
    const a = small();
    a.nodes[2].name = 3;
    expectGraphError(a, '$.nodes[2].name', /expected a string, found the number 3/);
    const b = small();
    b.nodes[2].scope = 'layer';
    expectGraphError(b, '$.nodes[2].scope', /expected a list of scope names/);
    const c = small();
    c.nodes[2].scope = ['layer', null];
    expectGraphError(c, '$.nodes[2].scope[1]', /expected a string, found null/);
  });

  it('outputs that are malformed, point at missing nodes, repeat a name, or leave nodes unused', () => {
    const a = small();
    a.outputs[0].node = 5;
    expectGraphError(a, '$.outputs[0].node', /expected the index of a node \(0 to 4\), found the number 5/);
    const b = small();
    b.outputs = { loss: 4 };
    expectGraphError(b, '$.outputs', /expected a list of outputs/);
    const c = small();
    c.outputs.push({ name: 'loss', node: 3 });
    expectGraphError(c, '$.outputs[1].name', /output name "loss" is used twice/);
    const d = small();
    d.outputs[0].name = ['loss'];
    expectGraphError(d, '$.outputs[0].name', /expected a string/);
    const e = small();
    e.outputs[0].node = 3;
    expectGraphError(e, '$.nodes[4]', /is not used by any output/);
  });

  it('__proto__ and other prototype keys neither pollute nor pass', () => {
    const text = JSON.stringify(small());
    const cases: [string, string][] = [
      [text.replace('"format"', '"__proto__":{"polluted":1},"format"'), '$.__proto__'],
      [text.replace('"keepDims"', '"__proto__":{"polluted":1},"keepDims"'), '$.nodes[4].attrs.__proto__'],
      [text.replace('"op":"exp"', '"op":"exp","__proto__":{"value":{}}'), '$.nodes[3].__proto__'],
      [text.replace('"name":"loss"', '"constructor":{"prototype":{"polluted":1}},"name":"loss"'), '$.outputs[0].constructor'],
    ];
    for (const [bad, path] of cases) {
      expectGraphError(bad, path, /unexpected key|no attribute/);
      expectGraphError(JSON.parse(bad), path);
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    // Inherited keys are never read: an object whose prototype holds the fields is not a node.
    const a = small();
    a.nodes[3] = Object.assign(Object.create(a.nodes[3] as object) as object, {});
    expectGraphError(a, '$.nodes[3]', /expected an object/);
  });

  it('getters are refused rather than run', () => {
    const a = small();
    let called = false;
    Object.defineProperty(a.nodes[3], 'name', { enumerable: true, get: () => { called = true; return 'exp'; } });
    expectGraphError(a, '$.nodes[3].name', /getter/);
    expect(called).toBe(false);
  });

  it('never runs code from the file (no eval, Function or dynamic import in the loader)', () => {
    const source = readFileSync(new URL('../src/json.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/\beval\s*\(|\bFunction\s*\(|\bimport\s*\(|\brequire\s*\(/);
  });
});
