/**
 * How each stablegrad op becomes ONNX operators: one entry per op, typed so that the compiler
 * refuses a new op until it has one. Fused ops map to their *stable* decompositions, so an
 * exported graph keeps what the rewrite bought. The mapping table of docs/onnx.md is generated
 * from these entries.
 * @module
 */
import type { OpName } from '@stablegrad/core';
import { expm1, floatType, sigmoid, softmaxParts, lastDim, log1p, logsumexpKeep, oneHot, softplusTail, type Emit } from './emit.js';

/**
 * One op's ONNX mapping: a graph source, a decomposition into ONNX operators (`onnx` lists the
 * operators it uses, `note` what it keeps or loses), or no faithful mapping (`reason`).
 * @example
 * ```ts
 * EXPORTS.relu;    // { onnx: ['Relu'], emit: ... }
 * EXPORTS.gatherGrad; // { onnx: null, reason: '...' }
 * ```
 */
export type OnnxMapping =
  | { readonly source: 'input' | 'initializer'; readonly onnx: readonly string[]; readonly note?: string }
  | {
    readonly onnx: readonly string[];
    readonly note?: string;
    /** Appends the ONNX nodes for `e.node` and returns the name of the value they compute. */
    readonly emit: (e: Emit) => string;
  }
  | { readonly onnx: null; readonly reason: string };

/** Attributes of conv2d and of the pooling ops (core's shape rules have checked them). */
interface WindowAttrs { readonly strides: readonly number[]; readonly dilations?: readonly number[]; readonly poolSize?: readonly number[]; readonly padding: string }

/**
 * ONNX pads `[top, left, bottom, right]` for Keras' padding along the input's spatial sizes (the
 * odd padding at the end), which need static height and width for 'same'.
 */
function windowPads(e: Emit, k: readonly number[], { strides, dilations = [1, 1], padding }: WindowAttrs): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  const x = e.node.inputs[0]!;
  const [h, w] = [x.shape[1], x.shape[2]];
  if (typeof h !== 'number' || typeof w !== 'number') e.fail(`'same' padding needs a static height and width for ONNX pads, got ${String(h)} x ${String(w)}`);
  const total = (size: number, i: number) => Math.max((Math.ceil(size / strides[i]!) - 1) * strides[i]! + (k[i]! - 1) * dilations[i]! + 1 - size, 0);
  const [th, tw] = [total(h, 0), total(w, 1)];
  return [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
}

/** Runs an NCHW ONNX operator on an NHWC value: transposes in and out. */
function nhwc(e: Emit, x: string, run: (nchw: string) => string): string {
  return e.op('Transpose', [run(e.op('Transpose', [x], { perm: [0, 3, 1, 2] }))], { perm: [0, 2, 3, 1] });
}

/** MaxPool or AveragePool (padding never counted: count_include_pad 0) between transposes. */
const pool = (type: 'MaxPool' | 'AveragePool'): OnnxMapping => ({
  onnx: ['Transpose', type],
  note: type === 'MaxPool' ? 'NHWC transposed to ONNX\'s NCHW and back; padding never wins, as in Keras' : 'NHWC transposed to ONNX\'s NCHW and back; padding never counts (count_include_pad 0), as in Keras; ONNX Runtime\'s CPU provider runs float32 only',
  emit: (e) => {
    const a = e.node.attrs as unknown as WindowAttrs;
    const size = a.poolSize!;
    const pads = windowPads(e, size, a);
    return nhwc(e, x0(e), (t) => e.op(type, [t], { kernel_shape: [...size], strides: [...a.strides], pads }));
  },
});

/** A reduction's attributes. */
interface ReduceAttrs { readonly axes: readonly number[]; readonly keepDims: boolean }

const x0 = (e: Emit): string => e.inputs[0]!;
const x1 = (e: Emit): string => e.inputs[1]!;
const x2 = (e: Emit): string => e.inputs[2]!;
const same = (type: string): OnnxMapping => ({ onnx: [type], emit: (e) => e.op(type, e.inputs) });
const toInt32 = (e: Emit, bool: string): string => e.op('Cast', [bool], { to: 6 });
const compare = (type: string): OnnxMapping => ({ onnx: [type, 'Cast'], note: 'bool result cast to int32 0/1', emit: (e) => toInt32(e, e.op(type, e.inputs)) });
const reduce = (type: string): OnnxMapping => ({
  onnx: [type],
  emit: (e) => {
    const { axes, keepDims } = e.node.attrs as unknown as ReduceAttrs;
    return axes.length === 0 ? e.op('Identity', [x0(e)]) : e.op(type, [x0(e), e.ints(axes)], { keepdims: keepDims ? 1 : 0 });
  },
});
const attr = <T>(e: Emit, name: string): T => e.node.attrs[name] as T;
/** `(1 - y) sigmoid(z) - pw y sigmoid(-z)`. */
const weightedGrad = (e: Emit, pw: string): string => {
  const y = x1(e);
  const one = e.scalar(1);
  const pos = e.op('Mul', [e.op('Sub', [one, y]), sigmoid(e, x0(e))]);
  return e.op('Sub', [pos, e.op('Mul', [e.op('Mul', [pw, y]), sigmoid(e, e.op('Neg', [x0(e)]))])]);
};
/** `c |z| + (1 + (pw - 1) y) log1p(e^-|z|)`, c = 1 - y for z >= 0 and pw y below. */
const weightedLoss = (e: Emit, pw: string): string => {
  const [z, y] = [x0(e), x1(e)];
  const one = e.scalar(1);
  const c = e.op('Where', [e.op('GreaterOrEqual', [z, e.scalar(0)]), e.op('Sub', [one, y]), e.op('Mul', [pw, y])]);
  const weight = e.op('Add', [one, e.op('Mul', [e.op('Sub', [pw, one]), y])]);
  return e.op('Add', [e.op('Mul', [c, e.op('Abs', [z])]), e.op('Mul', [weight, softplusTail(e, z, floatType(e))])]);
};

/**
 * Every stablegrad op's ONNX mapping (opset 18), keyed by op name.
 * @example
 * ```ts
 * EXPORTS.sigmoidCrossEntropyWithLogits.onnx; // ['Relu', 'Mul', 'Sub', 'Abs', 'Neg', 'Exp', ...]
 * ```
 */
export const EXPORTS: { readonly [K in OpName]: OnnxMapping } = {
  input: { source: 'input', onnx: ['graph input'], note: 'named dimensions become dim params' },
  param: { source: 'initializer', onnx: ['initializer'] },
  constant: { source: 'initializer', onnx: ['initializer'] },
  neg: same('Neg'),
  abs: same('Abs'),
  sign: same('Sign'),
  exp: same('Exp'),
  log: same('Log'),
  log1p: { onnx: ['Add', 'Sub', 'Log', 'Mul', 'Div', 'Equal', 'IsInf', 'Where'], note: "Kahan's log(u) x / (u - 1), a few ULP (ONNX has no Log1p)", emit: (e) => log1p(e, x0(e), floatType(e)) },
  expm1: { onnx: ['Exp', 'Sub', 'Mul', 'Div', 'Log', 'Equal', 'IsInf', 'Where'], note: "Kahan's (u - 1) x / log(u), a few ULP (ONNX has no Expm1)", emit: (e) => expm1(e, x0(e), floatType(e)) },
  sqrt: same('Sqrt'),
  square: { onnx: ['Mul'], emit: (e) => e.op('Mul', [x0(e), x0(e)]) },
  tanh: same('Tanh'),
  sigmoid: {
    onnx: ['GreaterOrEqual', 'Neg', 'Abs', 'Exp', 'Add', 'Div', 'Where'],
    note: '1 / (1 + e^-x) above 0, e^x / (1 + e^x) below: a few ULP everywhere (ONNX Runtime\'s Sigmoid loses the tails)',
    emit: (e) => sigmoid(e, x0(e)),
  },
  relu: same('Relu'),
  softplus: {
    onnx: ['Relu', 'Abs', 'Neg', 'Exp', 'log1p', 'Add'],
    note: 'max(x, 0) + log1p(e^-|x|): never overflows, tiny values kept',
    emit: (e) => e.op('Add', [e.op('Relu', [x0(e)]), softplusTail(e, x0(e), floatType(e))]),
  },
  logSigmoid: {
    onnx: ['Relu', 'Neg', 'Abs', 'Exp', 'log1p', 'Add'],
    note: '-(max(-x, 0) + log1p(e^-|x|))',
    emit: (e) => e.op('Neg', [e.op('Add', [e.op('Relu', [e.op('Neg', [x0(e)])]), softplusTail(e, x0(e), floatType(e))])]),
  },
  log1mexp: {
    onnx: ['Greater', 'Where', 'Log', 'Neg', 'Exp', 'expm1', 'log1p'],
    note: 'log(-expm1(x)) above -log 2, log1p(-e^x) below (Maechler)',
    emit: (e) => {
      const t = floatType(e);
      const near = e.op('Log', [e.op('Neg', [expm1(e, x0(e), t)])]);
      const far = log1p(e, e.op('Neg', [e.op('Exp', [x0(e)])]), t);
      return e.op('Where', [e.op('Greater', [x0(e), e.scalar(-Math.LN2)]), near, far]);
    },
  },
  logaddexp: {
    onnx: ['Max', 'Sub', 'Equal', 'Where', 'Abs', 'Neg', 'Exp', 'log1p', 'Add'],
    note: 'max(a, b) + log1p(e^-|a - b|), equal infinities handled',
    emit: (e) => {
      const [a, b] = [x0(e), x1(e)];
      const d = e.op('Where', [e.op('Equal', [a, b]), e.scalar(0), e.op('Sub', [a, b])]);
      return e.op('Add', [e.op('Max', [a, b]), softplusTail(e, d, floatType(e))]);
    },
  },
  add: same('Add'),
  sub: same('Sub'),
  mul: same('Mul'),
  div: same('Div'),
  pow: same('Pow'),
  maximum: same('Max'),
  minimum: same('Min'),
  equal: compare('Equal'),
  notEqual: { onnx: ['Equal', 'Not', 'Cast'], note: 'bool result cast to int32 0/1', emit: (e) => toInt32(e, e.op('Not', [e.op('Equal', e.inputs)])) },
  less: compare('Less'),
  lessEqual: compare('LessOrEqual'),
  greater: compare('Greater'),
  greaterEqual: compare('GreaterOrEqual'),
  where: { onnx: ['Cast', 'Where'], note: 'the int32 condition cast to bool', emit: (e) => e.op('Where', [e.op('Cast', [x0(e)], { to: 9 }), x1(e), x2(e)]) },
  clip: { onnx: ['Clip'], emit: (e) => e.op('Clip', [x0(e), e.scalar(attr<number>(e, 'lo')), e.scalar(attr<number>(e, 'hi'))]) },
  cast: {
    onnx: ['Cast'],
    note: 'float to int32 truncates in both; NaN, infinities and out-of-range values are undefined in ONNX',
    emit: (e) => e.op('Cast', [x0(e)], { to: ({ float32: 1, float64: 11, int32: 6 } as const)[e.node.dtype] }),
  },
  sum: reduce('ReduceSum'),
  mean: reduce('ReduceMean'),
  max: reduce('ReduceMax'),
  min: reduce('ReduceMin'),
  logsumexp: {
    onnx: ['ReduceMax', 'IsInf', 'Where', 'Sub', 'Exp', 'ReduceSum', 'Log', 'Add', 'Squeeze'],
    note: 'max subtracted before exp, as stablegrad does',
    emit: (e) => {
      const { axes, keepDims } = e.node.attrs as unknown as ReduceAttrs;
      if (axes.length === 0) return e.op('Identity', [x0(e)]);
      const kept = logsumexpKeep(e, x0(e), axes, floatType(e));
      return keepDims ? kept : e.op('Squeeze', [kept, e.ints(axes)]);
    },
  },
  matmul: { onnx: ['MatMul'], note: 'ONNX Runtime accumulates float32 products in float32 (stablegrad in float64)', emit: (e) => e.op('MatMul', e.inputs) },
  transpose: { onnx: ['Transpose'], emit: (e) => e.op('Transpose', [x0(e)], { perm: attr<number[]>(e, 'perm') }) },
  reshape: {
    onnx: ['Reshape'], note: 'named dimensions read at run time with Shape',
    emit: (e) => {
      const shape = attr<(number | string)[]>(e, 'shape');
      return e.op('Reshape', [x0(e), e.dims(shape)], shape.includes(0) ? { allowzero: 1 } : {});
    },
  },
  broadcastTo: { onnx: ['Expand'], emit: (e) => e.op('Expand', [x0(e), e.dims(attr<(number | string)[]>(e, 'shape'))]) },
  concat: { onnx: ['Concat'], emit: (e) => e.op('Concat', e.inputs, { axis: attr<number>(e, 'axis') }) },
  expandDims: { onnx: ['Unsqueeze'], emit: (e) => e.op('Unsqueeze', [x0(e), e.ints([attr<number>(e, 'axis')])]) },
  squeeze: { onnx: ['Squeeze'], emit: (e) => e.op('Squeeze', [x0(e), e.ints(attr<number[]>(e, 'axes'))]) },
  sumTo: {
    onnx: ['ReduceSum', 'Shape', 'Reshape'],
    note: 'the summed axes are decided at export from the static shapes',
    emit: (e) => {
      const [g, like] = e.node.inputs as [typeof e.node, typeof e.node];
      const lead = g.rank - like.rank;
      const axes = Array.from({ length: lead }, (_, i) => i);
      like.shape.forEach((d, i) => {
        const gd = g.shape[lead + i];
        if (d === 1 && gd !== 1) axes.push(lead + i);
        else if (d !== gd && typeof d !== 'number') e.fail(`cannot tell at export whether dimension ${i} of '${like.path}' (${String(d)}) is 1 at run time`);
      });
      const summed = axes.length === 0 ? x0(e) : e.op('ReduceSum', [x0(e), e.ints(axes)], { keepdims: 1 });
      return e.op('Reshape', [summed, e.op('Shape', [x1(e)])]);
    },
  },
  broadcastLike: { onnx: ['Shape', 'Expand'], emit: (e) => e.op('Expand', [x0(e), e.op('Shape', [x1(e)])]) },
  reshapeLike: { onnx: ['Shape', 'Reshape'], emit: (e) => e.op('Reshape', [x0(e), e.op('Shape', [x1(e)])]) },
  softmax: { onnx: ['Softmax'], emit: (e) => e.op('Softmax', [x0(e)], { axis: attr<number>(e, 'axis') }) },
  logSoftmax: { onnx: ['LogSoftmax'], emit: (e) => e.op('LogSoftmax', [x0(e)], { axis: attr<number>(e, 'axis') }) },
  oneHot: {
    onnx: ['Range', 'Cast', 'Unsqueeze', 'Equal'], note: 'labels outside [0, depth) give a zero row',
    emit: (e) => oneHot(e, x0(e), e.scalar(attr<number>(e, 'depth'), 'int64'), e.node.dtype),
  },
  gather: {
    onnx: ['Cast', 'Gather'], note: 'batchDims 0 only',
    emit: (e) => {
      if (attr<number>(e, 'batchDims') !== 0) e.fail('ONNX Gather has no batch dimensions (batchDims must be 0)');
      return e.op('Gather', [x0(e), e.op('Cast', [x1(e)], { to: 7 })], { axis: attr<number>(e, 'axis') });
    },
  },
  gatherGrad: { onnx: null, reason: 'a scatter-add of repeated indices (ONNX ScatterND with reduction is not deterministic across engines); export the forward or loss graph, or a graph whose gather has no gradient' },
  slice: {
    onnx: ['Slice'], note: 'size -1 runs to the end',
    emit: (e) => {
      const begin = attr<number[]>(e, 'begin');
      const ends = attr<number[]>(e, 'size').map((s, i) => (s === -1 ? 2 ** 31 - 1 : begin[i]! + s));
      return e.op('Slice', [x0(e), e.ints(begin), e.ints(ends), e.ints(begin.map((_, i) => i))]);
    },
  },
  sliceGrad: {
    onnx: ['Shape', 'Sub', 'Concat', 'Pad'], note: 'zeros around g, the pads read from the shapes at run time',
    emit: (e) => {
      const begin = e.ints(attr<number[]>(e, 'begin'));
      const after = e.op('Sub', [e.op('Sub', [e.op('Shape', [x1(e)]), e.op('Shape', [x0(e)])]), begin]);
      return e.op('Pad', [x0(e), e.op('Concat', [begin, after], { axis: 0 })]);
    },
  },
  sigmoidCrossEntropyWithLogits: {
    onnx: ['Relu', 'Mul', 'Sub', 'Abs', 'Neg', 'Exp', 'log1p', 'Add'],
    note: 'max(z, 0) - z y + log1p(e^-|z|): finite for every finite z, tiny losses kept',
    emit: (e) => {
      const [z, y] = [x0(e), x1(e)];
      return e.op('Add', [e.op('Sub', [e.op('Relu', [z]), e.op('Mul', [z, y])]), softplusTail(e, z, floatType(e))]);
    },
  },
  softmaxCrossEntropyWithLogits: {
    onnx: ['ReduceMax', 'Sub', 'Equal', 'Exp', 'Where', 'ReduceSum', 'Cast', 'log1p', 'Mul', 'Squeeze', 'Add'],
    note: 'sum(y (m - z)) + sum(y) log1p(T), m = max z, T the other terms of the softmax sum: finite for every finite z, tiny losses kept',
    emit: (e) => {
      const axis = attr<number>(e, 'axis');
      const { gap, tail } = softmaxParts(e, x0(e), axis, floatType(e));
      const first = e.op('ReduceSum', [e.op('Mul', [x1(e), gap]), e.ints([axis])], { keepdims: 0 });
      const labels = e.op('ReduceSum', [x1(e), e.ints([axis])], { keepdims: 0 });
      return e.op('Add', [first, e.op('Mul', [labels, e.op('Squeeze', [tail, e.ints([axis])])])]);
    },
  },
  sparseSoftmaxCrossEntropyWithLogits: {
    onnx: ['ReduceMax', 'Sub', 'Equal', 'Exp', 'Where', 'ReduceSum', 'Cast', 'log1p', 'Unsqueeze', 'GatherElements', 'Squeeze', 'Add'],
    note: '(m - z[label]) + log1p(T): finite for every finite z, tiny losses kept; labels outside [0, k) are an ONNX Runtime error',
    emit: (e) => {
      const { gap, tail } = softmaxParts(e, x0(e), -1, floatType(e));
      const index = e.op('Unsqueeze', [e.op('Cast', [x1(e)], { to: 7 }), e.ints([-1])]);
      const picked = e.op('GatherElements', [gap, index], { axis: -1 });
      return e.op('Squeeze', [e.op('Add', [picked, tail]), e.ints([-1])]);
    },
  },
  sigmoidCrossEntropyGrad: { onnx: ['sigmoid', 'Sub'], note: 'sigmoid(z) - y: cancels where sigmoid(z) is close to y (stablegrad compensates)', emit: (e) => e.op('Sub', [sigmoid(e, x0(e)), x1(e)]) },
  softmaxCrossEntropyGrad: {
    onnx: ['Softmax', 'ReduceSum', 'Mul', 'Sub'], note: 'softmax(z) sum(y) - y: cancels where softmax(z) is close to y (stablegrad compensates)',
    emit: (e) => {
      const axis = attr<number>(e, 'axis');
      const total = e.op('ReduceSum', [x1(e), e.ints([axis])], { keepdims: 1 });
      return e.op('Sub', [e.op('Mul', [e.op('Softmax', [x0(e)], { axis }), total]), x1(e)]);
    },
  },
  sparseSoftmaxCrossEntropyGrad: {
    onnx: ['Softmax', 'Shape', 'Range', 'Equal', 'Cast', 'Sub'], note: 'softmax(z) - oneHot(label): the label entry p - 1 cancels (stablegrad sums the others)',
    emit: (e) => e.op('Sub', [e.op('Softmax', [x0(e)], { axis: -1 }), oneHot(e, x1(e), lastDim(e, x0(e)), e.node.dtype)]),
  },
  weightedSigmoidCrossEntropyWithLogits: {
    onnx: ['GreaterOrEqual', 'Where', 'Sub', 'Mul', 'Abs', 'Exp', 'log1p', 'Add'],
    note: 'c |z| + (1 + (pw - 1) y) log1p(e^-|z|), two non-negative terms',
    emit: (e) => weightedLoss(e, x2(e)),
  },
  weightedSigmoidCrossEntropyGrad: {
    onnx: ['Sub', 'sigmoid', 'Neg', 'Mul'], note: '(1 - y) sigmoid(z) - pw y sigmoid(-z): cancels near the optimum (stablegrad compensates)',
    emit: (e) => weightedGrad(e, x2(e)),
  },
  rsqrt: { onnx: ['Sqrt', 'Reciprocal'], note: '1 / sqrt(x), as stablegrad computes it', emit: (e) => e.op('Reciprocal', [e.op('Sqrt', [x0(e)])]) },
  variance: {
    onnx: ['ReduceMean', 'Sub', 'Mul'],
    note: 'two-pass: the mean of squared deviations from the mean (stablegrad also compensates the sums)',
    emit: (e) => {
      const { axes, keepDims } = e.node.attrs as unknown as ReduceAttrs;
      if (axes.length === 0) {
        const d = e.op('Sub', [x0(e), x0(e)]);
        return e.op('Mul', [d, d]);
      }
      const d = e.op('Sub', [x0(e), e.op('ReduceMean', [x0(e), e.ints(axes)], { keepdims: 1 })]);
      return e.op('ReduceMean', [e.op('Mul', [d, d]), e.ints(axes)], { keepdims: keepDims ? 1 : 0 });
    },
  },
  conv2d: {
    onnx: ['Transpose', 'Conv'],
    note: 'NHWC and HWIO transposed to ONNX\'s NCHW and OIHW and back; Keras\' padding as explicit pads; ONNX Runtime\'s CPU provider runs float32 only',
    emit: (e) => {
      const a = e.node.attrs as unknown as WindowAttrs;
      const filter = e.node.inputs[1]!;
      const k = [filter.shape[0], filter.shape[1]];
      if (!k.every((d): d is number => typeof d === 'number')) e.fail('the filter needs a static kernel size');
      const pads = windowPads(e, k as number[], a);
      const oihw = e.op('Transpose', [x1(e)], { perm: [3, 2, 0, 1] });
      return nhwc(e, x0(e), (t) => e.op('Conv', [t, oihw], { strides: [...a.strides], dilations: [...a.dilations!], pads }));
    },
  },
  conv2dBackpropInput: { onnx: null, reason: 'a gradient op: export the forward or loss graph' },
  conv2dBackpropFilter: { onnx: null, reason: 'a gradient op: export the forward or loss graph' },
  maxPool2d: pool('MaxPool'),
  maxPool2dGrad: { onnx: null, reason: 'a gradient op: export the forward or loss graph' },
  maxPool2dGradGrad: { onnx: null, reason: 'a second-order gradient op: export the forward or loss graph' },
  avgPool2d: pool('AveragePool'),
  avgPool2dGrad: { onnx: null, reason: 'a gradient op: export the forward or loss graph' },
};
