/**
 * `fromOnnx`: PyTorch's export of a digits MLP evaluates to PyTorch's numbers; imported graphs
 * stabilize and round-trip; unsupported operators come in one typed error; hostile bytes give a
 * typed error, never a crash or a hang.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ValueInfoProtoSchema, GraphProtoSchema, ModelProtoSchema, NodeProtoSchema, OperatorSetIdProtoSchema, TensorProtoSchema } from 'onnx-buf';
import { evaluate, graph, input, param, StablegradError, tensor } from '@stablegrad/core';
import { stabilize } from '@stablegrad/rewrite';
import { fromOnnx, OnnxFormatError, toOnnx, UnsupportedOnnxOpsError } from '@stablegrad/onnx';

const fixture = (name: string): Buffer => readFileSync(new URL(`fixtures/${name}`, import.meta.url));
const digits = fixture('digits-mlp.onnx');
const io = JSON.parse(fixture('digits-mlp.io.json').toString('utf8')) as { x: number[][]; x_shape: number[]; y: number[][] };

describe('a model exported by PyTorch', () => {
  it('imports as inputs, params, matmul/transpose/add, relu and softmax, with batch symbolic', () => {
    const g = fromOnnx(digits, { file: 'digits-mlp.onnx' });
    expect(g.outputNames).toEqual(['y']);
    const x = g.nodes.find((n) => n.op === 'input')!;
    expect([x.name, x.shape, x.dtype]).toEqual(['x', ['batch', 64], 'float32']);
    expect(g.outputs[0]!.shape).toEqual(['batch', 10]);
    expect(g.nodes.filter((n) => n.op === 'param').map((n) => n.name)).toEqual(['l1.weight', 'l1.bias', 'l2.weight', 'l2.bias', 'l3.weight', 'l3.bias']);
    expect(new Set(g.nodes.map((n) => n.op))).toEqual(new Set(['input', 'param', 'transpose', 'matmul', 'add', 'relu', 'softmax']));
  });

  it("evaluates to PyTorch's outputs (max difference 7.5e-9: one float32 ULP of the largest output)", () => {
    const g = fromOnnx(digits);
    const y = evaluate(g.outputs[0]!, { x: tensor(io.x) });
    expect(y.shape).toEqual([4, 10]);
    const expected = io.y.flat();
    const diff = Math.max(...expected.map((v, i) => Math.abs(v - y.data[i]!)));
    expect(diff).toBeLessThan(1e-8);
    expect(diff).toBeLessThanOrEqual(2 ** (Math.floor(Math.log2(Math.max(...expected))) - 23)); // one float32 ULP there
  });

  it('stabilizes: a cross-entropy written on its softmax fuses into the logit form', () => {
    const g = fromOnnx(digits);
    const labels = input(['batch', 10], { name: 'labels' });
    const loss = labels.mul(g.outputs[0]!.log()).sum({ axis: -1 }).neg().mean();
    const { graph: stable, report } = stabilize(graph({ loss }));
    expect(stable.nodes.some((n) => n.op === 'softmaxCrossEntropyWithLogits')).toBe(true);
    expect(report.firings.length).toBeGreaterThan(0);
  });
});

describe('round trip', () => {
  it('toOnnx then fromOnnx gives the same numbers, names and symbolic dims', () => {
    const x = input(['batch', 3], { name: 'x', dtype: 'float64' });
    const w = param(tensor([[1, -2], [0.5, 3], [-1, 1]], { dtype: 'float64' }), { name: 'w' });
    const out = x.matmul(w).relu().logSoftmax().sum({ axis: -1, keepDims: true }).transpose().reshape([-1]);
    const back = fromOnnx(toOnnx({ out }));
    expect(back.nodes.find((n) => n.op === 'input')!.shape).toEqual(['batch', 3]);
    const feed = tensor([[1, 2, 3], [-4, 5, 0.25]], { dtype: 'float64' });
    expect(Array.from(evaluate(back.outputs[0]!, { x: feed }).data)).toEqual(Array.from(evaluate(out, { x: feed }).data));
  });
});

/** A model with the given nodes on a float32 input `x` [2, 2] (opset 13), its last node's output as the graph's output. */
function model(nodes: { op: string; inputs: string[]; output: string }[]): Uint8Array {
  // The declarations of 'x' and of an output, taken from an exported graph.
  const declared = fromBinary(ModelProtoSchema, toOnnx({ y: input([2, 2], { name: 'x' }).relu() })).graph!;
  const output = create(ValueInfoProtoSchema, { name: nodes.at(-1)!.output, type: declared.output[0]!.type! });
  const g = create(GraphProtoSchema, {
    name: 'g',
    node: nodes.map((n, i) => create(NodeProtoSchema, { name: `n${i}`, opType: n.op, input: n.inputs, output: [n.output] })),
    input: declared.input,
    output: [output],
  });
  return toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, opsetImport: [create(OperatorSetIdProtoSchema, { version: 13n })], graph: g }));
}

describe('unsupported operators', () => {
  it('are listed by name in one error, with the first node using each', () => {
    const bytes = model([
      { op: 'ConvTranspose', inputs: ['x', 'x'], output: 'a' },
      { op: 'Relu', inputs: ['a'], output: 'b' },
      { op: 'LpPool', inputs: ['b'], output: 'c' },
      { op: 'ConvTranspose', inputs: ['c', 'x'], output: 'd' },
    ]);
    let error: unknown;
    try {
      fromOnnx(bytes, { file: 'cnn.onnx' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedOnnxOpsError);
    expect((error as UnsupportedOnnxOpsError).operators).toEqual(['ConvTranspose', 'LpPool']);
    expect((error as Error).message).toBe("cnn.onnx: 2 ONNX operators are not supported by stablegrad: ConvTranspose (first at node 'n0'), LpPool (first at node 'n2')");
  });

  it('include the decomposition operators of an exported fused loss (export is one-way for them)', () => {
    const z = input([2, 2], { name: 'z' });
    const bytes = toOnnx({ loss: z.softplus() });
    expect(() => fromOnnx(bytes)).toThrow(UnsupportedOnnxOpsError);
    expect(() => fromOnnx(bytes)).toThrow(/Equal .*IsInf .*Where/);
  });
});

describe('hostile bytes', () => {
  const expectTyped = (bytes: Uint8Array): void => {
    let error: unknown;
    try {
      fromOnnx(bytes, { file: 'bad.onnx' });
    } catch (e) {
      error = e;
    }
    expect(error, `${bytes.length} bytes`).toBeInstanceOf(StablegradError);
  };

  it('truncated files give a typed error at every cut', () => {
    const started = performance.now();
    for (let cut = 0; cut < digits.length - 1; cut += 37) expectTyped(digits.subarray(0, cut));
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('random bytes give a typed error (seeded, 300 buffers)', () => {
    let a = 7;
    const next = (): number => (a = (Math.imul(a, 1103515245) + 12345) >>> 0) >>> 24;
    for (let k = 0; k < 300; k++) expectTyped(Uint8Array.from({ length: 1 + (k % 200) }, next));
  });

  it('huge declared sizes are refused before anything is allocated', () => {
    // A length prefix of 2^32 - 1 bytes for the graph field (7), with 3 bytes behind it.
    expectTyped(Uint8Array.from([0x08, 0x08, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]));
    // A well-formed initializer that declares 2^40 elements.
    const t = create(TensorProtoSchema, { name: 'w', dims: [2n ** 20n, 2n ** 20n], dataType: 1 });
    const g = create(GraphProtoSchema, { initializer: [t], output: [] });
    const bytes = toBinary(ModelProtoSchema, create(ModelProtoSchema, { irVersion: 8n, opsetImport: [create(OperatorSetIdProtoSchema, { version: 13n })], graph: g }));
    expect(() => fromOnnx(bytes, { file: 'huge.onnx' })).toThrow(OnnxFormatError);
    expect(() => fromOnnx(bytes, { file: 'huge.onnx' })).toThrow(/huge.onnx: initializer 'w': .*more than stablegrad's limit/);
  });

  it('deeply nested messages do not overflow the stack', () => {
    // graph (7) -> node (1) -> attribute (5) -> g (6) -> node -> ... 30000 messages deep, built
    // from the inside out so that each length prefix is known.
    const fields = Array.from({ length: 30000 }, (_, i) => [1, 5, 6][i % 3]!);
    const headers: number[][] = [];
    let length = 0;
    for (const field of fields.reverse()) {
      const header = [(field << 3) | 2, ...varint(length)];
      headers.push(header);
      length += header.length;
    }
    expectTyped(Uint8Array.from([0x08, 0x08, 0x3a, ...varint(length), ...headers.reverse().flat()]));
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
