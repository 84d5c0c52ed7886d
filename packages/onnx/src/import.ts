/**
 * ONNX -> stablegrad: the operator subset stablegrad has becomes a graph that can be drawn,
 * linted, stabilized and evaluated. Every unsupported operator is listed in one error.
 * @module
 */
import {
  abs, add, cast, clip, concat, constant, div, exp, expandDims, graph, input, log, logSoftmax, logsumexp, matmul, max, maximum, mean, min,
  minimum, mul, neg, param, pow, relu, reshape, sigmoid, sign, softmax, softplus, sqrt, squeeze, sub, sum, tanh, transpose,
  type Dim, type DType, type Graph, type Node,
} from '@stablegrad/core';
import { OnnxFormatError, OnnxImportError, UnsupportedOnnxOpsError } from './errors.js';
import { decodeModel, ONNX_TYPE, type AttributeProto, type NodeProto, type ValueInfoProto } from './proto.js';
import { convImporter, poolImporter } from './import-window.js';
import { readTensor, toTensor, type OnnxTensor } from './tensors.js';

/**
 * Options of `fromOnnx`.
 * @example
 * ```ts
 * fromOnnx(bytes, { file: 'model.onnx', initializers: 'constant' });
 * ```
 */
export interface FromOnnxOptions {
  /** Name of the file the bytes came from, for error messages. */
  readonly file?: string;
  /** What float initializers become: trainable `param`s (default) or `constant`s. */
  readonly initializers?: 'param' | 'constant';
}

/**
 * What an importer rule sees of one ONNX node.
 * @example
 * ```ts
 * const gemmBias = (c: ImportContext) => (c.has(2) ? c.input(2) : undefined);
 * ```
 */
export interface ImportContext {
  readonly node: NodeProto;
  /** Where the node is, for errors: `file: node 'name' (OpType)`. */
  readonly where: string;
  /** The node's i-th input as a stablegrad node (an error when absent). */
  input(i: number): Node;
  /** Whether the i-th input is given (optional inputs may be empty strings). */
  has(i: number): boolean;
  /** The i-th input as constant integers (shapes, axes), or an error when it is computed. */
  ints(i: number): number[];
  /** The i-th input as one constant number. */
  scalar(i: number): number;
  /** The node's attribute `name`, if given. */
  attr(name: string): AttributeProto | undefined;
  /** An integer attribute, or `fallback` (ONNX's default) when absent. */
  int(name: string, fallback: number): number;
  /** A float attribute, or `fallback` when absent. */
  float(name: string, fallback: number): number;
  /** An integer-list attribute (`perm`, `axes`), if given. */
  intList(name: string): number[] | undefined;
  /** The model's default-domain opset version. */
  readonly opset: number;
}

/**
 * An importer rule: builds the stablegrad node for one ONNX node.
 * @example
 * ```ts
 * const reluRule: Importer = (c) => relu(c.input(0));
 * ```
 */
export type Importer = (ctx: ImportContext) => Node;

const unary = (f: (x: Node) => Node): Importer => (c) => f(c.input(0));
const binary = (f: (a: Node, b: Node) => Node): Importer => (c) => f(c.input(0), c.input(1));
const fold = (f: (a: Node, b: Node) => Node): Importer => (c) => c.node.input.slice(1).reduce((acc, _, i) => f(acc, c.input(i + 1)), c.input(0));

/** Softmax-like axis: opset 13 is per-axis; before it, the input is flattened to 2-D at `axis`, which agrees only for the last axis. */
function softmaxAxis(c: ImportContext, rank: number): number {
  const axis = c.int('axis', c.opset >= 13 ? -1 : 1);
  const normal = axis < 0 ? axis + rank : axis;
  if (c.opset < 13 && normal !== rank - 1) throw new OnnxImportError(`${c.where}: opset ${c.opset} flattens at axis ${axis} before the softmax, which stablegrad has no op for (only the last axis)`);
  return normal;
}

/** Reduction axes: an attribute up to opset 17 (13 for ReduceSum), an input afterwards. */
function reduction(f: (x: Node, options: { axis?: number[]; keepDims: boolean }) => Node): Importer {
  return (c) => {
    const x = c.input(0);
    const axes = c.has(1) ? c.ints(1) : c.intList('axes');
    const keepDims = c.int('keepdims', 1) === 1;
    if (axes === undefined || axes.length === 0) {
      if (c.int('noop_with_empty_axes', 0) === 1) return x;
      return f(x, { keepDims });
    }
    return f(x, { axis: axes, keepDims });
  };
}

const ONNX_DTYPES: { readonly [type: number]: DType } = { [ONNX_TYPE.float]: 'float32', [ONNX_TYPE.double]: 'float64', [ONNX_TYPE.int32]: 'int32', [ONNX_TYPE.int64]: 'int32' };

/**
 * The ONNX operators `fromOnnx` reads, each with the stablegrad ops it becomes. One entry per
 * operator: the import mapping table of docs/onnx.md is generated from it.
 * @example
 * ```ts
 * Object.keys(IMPORTERS).includes('Gemm'); // true
 * ```
 */
export const IMPORTERS: { readonly [opType: string]: { readonly to: string; readonly rule: Importer } } = {
  Abs: { to: 'abs', rule: unary(abs) },
  Add: { to: 'add', rule: binary(add) },
  Sub: { to: 'sub', rule: binary(sub) },
  Mul: { to: 'mul', rule: binary(mul) },
  Div: { to: 'div', rule: binary(div) },
  Pow: { to: 'pow', rule: binary(pow) },
  Neg: { to: 'neg', rule: unary(neg) },
  Exp: { to: 'exp', rule: unary(exp) },
  Log: { to: 'log', rule: unary(log) },
  Sqrt: { to: 'sqrt', rule: unary(sqrt) },
  Sign: { to: 'sign', rule: unary(sign) },
  Relu: { to: 'relu', rule: unary(relu) },
  Sigmoid: { to: 'sigmoid', rule: unary(sigmoid) },
  Tanh: { to: 'tanh', rule: unary(tanh) },
  Softplus: { to: 'softplus', rule: unary(softplus) },
  Max: { to: 'maximum', rule: fold(maximum) },
  Min: { to: 'minimum', rule: fold(minimum) },
  Identity: { to: '(nothing)', rule: (c) => c.input(0) },
  Dropout: { to: '(nothing: inference)', rule: (c) => c.input(0) },
  MatMul: { to: 'matmul', rule: binary(matmul) },
  Conv: { to: 'transpose, conv2d, add', rule: convImporter },
  MaxPool: { to: 'transpose, maxPool2d', rule: poolImporter('max') },
  AveragePool: { to: 'transpose, avgPool2d', rule: poolImporter('avg') },
  Gemm: {
    to: 'matmul, transpose, mul, add',
    rule: (c) => {
      // Y = alpha op(A) op(B) + beta C
      let a = c.input(0);
      let b = c.input(1);
      if (c.int('transA', 0) === 1) a = transpose(a);
      if (c.int('transB', 0) === 1) b = transpose(b);
      let y = matmul(a, b);
      const alpha = c.float('alpha', 1);
      if (alpha !== 1) y = mul(y, constant(alpha, { dtype: y.dtype }));
      if (!c.has(2)) return y;
      let bias = c.input(2);
      const beta = c.float('beta', 1);
      if (beta !== 1) bias = mul(bias, constant(beta, { dtype: bias.dtype }));
      return add(y, bias);
    },
  },
  Softmax: { to: 'softmax', rule: (c) => { const x = c.input(0); return softmax(x, softmaxAxis(c, x.rank)); } },
  LogSoftmax: { to: 'logSoftmax', rule: (c) => { const x = c.input(0); return logSoftmax(x, softmaxAxis(c, x.rank)); } },
  Transpose: { to: 'transpose', rule: (c) => { const perm = c.intList('perm'); return perm === undefined ? transpose(c.input(0)) : transpose(c.input(0), perm); } },
  Reshape: {
    to: 'reshape',
    rule: (c) => {
      const x = c.input(0);
      const allowZero = c.int('allowzero', 0) === 1;
      // ONNX: 0 copies the input's dimension (unless allowzero), -1 is inferred.
      const target = c.ints(1).map((d, i): Dim => (d === 0 && !allowZero ? (x.shape[i] ?? 0) : d));
      return reshape(x, target.map((d) => (d === null ? -1 : d)));
    },
  },
  Flatten: {
    to: 'reshape',
    rule: (c) => {
      const x = c.input(0);
      const axis = c.int('axis', 1) < 0 ? c.int('axis', 1) + x.rank : c.int('axis', 1);
      const inner = x.shape.slice(axis);
      if (!inner.every((d) => typeof d === 'number')) throw new OnnxImportError(`${c.where}: flattening symbolic dimensions after axis ${axis} is not supported`);
      const size = (inner as number[]).reduce((p, d) => p * d, 1);
      return axis === 0 ? reshape(x, [1, size]) : reshape(x, [-1, size]);
    },
  },
  Unsqueeze: {
    to: 'expandDims',
    rule: (c) => {
      const x = c.input(0);
      const given = c.has(1) ? c.ints(1) : c.intList('axes') ?? [];
      // Axes index the output, whose rank is the input's plus one per axis; insert from the lowest.
      const axes = given.map((a) => (a < 0 ? a + x.rank + given.length : a)).sort((p, q) => p - q);
      return axes.reduce((acc, a) => expandDims(acc, a), x);
    },
  },
  Squeeze: { to: 'squeeze', rule: (c) => { const axes = c.has(1) ? c.ints(1) : c.intList('axes'); return axes === undefined ? squeeze(c.input(0)) : squeeze(c.input(0), axes); } },
  Concat: { to: 'concat', rule: (c) => concat(c.node.input.map((_, i) => c.input(i)), c.int('axis', 0)) },
  Clip: {
    to: 'clip',
    rule: (c) => {
      const lo = c.opset >= 11 ? (c.has(1) ? c.scalar(1) : -Infinity) : c.float('min', -Infinity);
      const hi = c.opset >= 11 ? (c.has(2) ? c.scalar(2) : Infinity) : c.float('max', Infinity);
      return clip(c.input(0), lo, hi);
    },
  },
  Cast: {
    to: 'cast',
    rule: (c) => {
      const to = ONNX_DTYPES[c.int('to', 0)];
      if (to === undefined) throw new OnnxImportError(`${c.where}: casts to ONNX element type ${c.int('to', 0)}; stablegrad has float32, float64 and int32`);
      return cast(c.input(0), to);
    },
  },
  ReduceSum: { to: 'sum', rule: reduction(sum) },
  ReduceMean: { to: 'mean', rule: reduction(mean) },
  ReduceMax: { to: 'max', rule: reduction(max) },
  ReduceMin: { to: 'min', rule: reduction(min) },
  ReduceLogSumExp: { to: 'logsumexp', rule: reduction(logsumexp) },
};

/** A value while importing: a node, or constant integers kept for shape-like inputs. */
interface Value { node?: Node; readonly tensor?: OnnxTensor; readonly name: string }

/**
 * Reads an ONNX model (bytes of a `.onnx` file) into a stablegrad graph: graph inputs become
 * `input`s (symbolic dimensions keep their names, so a `batch` dim param stays `'batch'`),
 * float initializers become `param`s (or `constant`s), nodes become the ops of `IMPORTERS`.
 * Throws `UnsupportedOnnxOpsError` listing every operator it has no op for, `OnnxFormatError`
 * for bytes that are not a readable model (never a crash or a hang), `OnnxImportError` for a
 * supported operator used in a way stablegrad cannot reproduce.
 * @example
 * ```ts
 * const g = fromOnnx(readFileSync('digits-mlp.onnx'), { file: 'digits-mlp.onnx' });
 * evaluate(g.outputs[0], { x: rows }); // PyTorch's probabilities
 * ```
 */
export function fromOnnx(bytes: Uint8Array, options: FromOnnxOptions = {}): Graph {
  const file = options.file ?? 'ONNX model';
  const model = decodeModel(bytes, file);
  const g = model.graph!;
  const opset = Number(model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0n);
  if (opset < 7) throw new OnnxFormatError(`${file}: imports ONNX opset ${opset}; fromOnnx reads opset 7 and later`);

  const unsupported = new Map<string, string>();
  for (const n of g.node) {
    const standard = n.domain === '' || n.domain === 'ai.onnx';
    if (standard && (n.opType === 'Constant' || Object.hasOwn(IMPORTERS, n.opType))) continue;
    const key = standard ? n.opType : `${n.domain}.${n.opType}`;
    if (!unsupported.has(key)) unsupported.set(key, n.name);
  }
  if (unsupported.size > 0) throw new UnsupportedOnnxOpsError(unsupported, file);

  const values = new Map<string, Value>();
  for (const t of g.initializer) values.set(t.name, { tensor: readTensor(t, `${file}: initializer '${t.name}'`), name: t.name });
  for (const info of g.input) {
    if (values.has(info.name)) continue; // an initializer listed as an input (IR < 4) keeps its value
    values.set(info.name, { node: graphInput(info, file), name: info.name });
  }

  const asNode = (v: Value): Node => {
    if (v.node === undefined) {
      const t = toTensor(v.tensor!);
      const useParam = options.initializers !== 'constant' && t.dtype !== 'int32';
      v.node = useParam ? param(t, { name: v.name }) : constant(t, { name: v.name });
    }
    return v.node;
  };

  for (const [index, n] of g.node.entries()) {
    const where = `${file}: node '${n.name || `#${index}`}' (${n.opType})`;
    const get = (i: number): Value => {
      const name = n.input[i];
      if (name === undefined || name === '') throw new OnnxImportError(`${where}: input ${i} is missing`);
      const v = values.get(name);
      if (v === undefined) throw new OnnxFormatError(`${where}: input '${name}' is produced by no earlier node, initializer or graph input`);
      return v;
    };
    const attr = (name: string): AttributeProto | undefined => n.attribute.find((a) => a.name === name);
    const ctx: ImportContext = {
      node: n, where, opset,
      input: (i) => asNode(get(i)),
      has: (i) => (n.input[i] ?? '') !== '',
      ints: (i) => {
        const v = get(i);
        if (v.tensor === undefined) throw new OnnxImportError(`${where}: input ${i} ('${v.name}') must be a constant (an initializer or a Constant node)`);
        return Array.from(v.tensor.data);
      },
      scalar: (i) => {
        const v = get(i);
        if (v.tensor === undefined || v.tensor.data.length !== 1) throw new OnnxImportError(`${where}: input ${i} ('${v.name}') must be a constant scalar`);
        return v.tensor.data[0]!;
      },
      attr,
      int: (name, fallback) => { const a = attr(name); return a === undefined ? fallback : Number(a.i); },
      float: (name, fallback) => attr(name)?.f ?? fallback,
      intList: (name) => attr(name)?.ints.map(Number),
    };
    if (n.output.length === 0) throw new OnnxFormatError(`${where}: has no output`);
    if (n.opType === 'Constant') {
      const value = attr('value');
      if (value?.t === undefined) throw new OnnxImportError(`${where}: only a Constant with a tensor 'value' is supported`);
      values.set(n.output[0]!, { tensor: readTensor(value.t, where), name: n.output[0]! });
      continue;
    }
    let out: Node;
    try {
      out = IMPORTERS[n.opType]!.rule(ctx);
    } catch (error) {
      if (error instanceof OnnxImportError || error instanceof OnnxFormatError) throw error;
      throw new OnnxImportError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
    values.set(n.output[0]!, { node: out, name: n.output[0]! });
  }

  const outputs: Record<string, Node> = {};
  for (const o of g.output) {
    const v = values.get(o.name);
    if (v === undefined) throw new OnnxFormatError(`${file}: graph output '${o.name}' is produced by no node`);
    outputs[o.name] = asNode(v);
  }
  if (Object.keys(outputs).length === 0) throw new OnnxFormatError(`${file}: the graph has no outputs`);
  return graph(outputs);
}

function graphInput(info: ValueInfoProto, file: string): Node {
  const where = `${file}: graph input '${info.name}'`;
  if (info.type?.value.case !== 'tensorType') throw new OnnxImportError(`${where} is not a tensor`);
  const tt = info.type.value.value;
  const dtype = ONNX_DTYPES[tt.elemType];
  if (dtype === undefined) throw new OnnxImportError(`${where} has ONNX element type ${tt.elemType}; stablegrad has float32, float64 and int32 (int64 is read as int32)`);
  if (tt.shape === undefined) throw new OnnxImportError(`${where} has no shape (its rank is unknown)`);
  const shape: Dim[] = tt.shape.dim.map((d) => {
    if (d.value.case === 'dimValue') return Number(d.value.value);
    if (d.value.case === 'dimParam' && d.value.value !== '') return d.value.value;
    return null;
  });
  return input(shape, { dtype, name: info.name });
}
