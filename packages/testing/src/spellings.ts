/**
 * A catalogue of the ways people write losses and their pieces, copied from tutorials, course
 * notebooks and library docs (numpy, PyTorch, Keras/TF, CS231n, fast.ai), each with the fused
 * or stable op `stabilize` must bring it to, or the ops it must *not* produce (a clip that is
 * not a guard, a wrong axis, a probability fed from outside). The property tests run every
 * entry on extreme and typical inputs, and the docs list what each one becomes.
 * @module
 */
import {
  abs, add, clip, div, equal, exp, expandDims, gather, input, log, logsumexp, matmul, max, maximum, mean, mul, neg,
  type Node, oneHot, pow, reshape, sigmoid, sigmoidCrossEntropyWithLogits, softmax, sparseSoftmaxCrossEntropyWithLogits, sub,
  squeeze, sum, tanh, transpose, where,
} from '@stablegrad/core';
import type { FloatDType } from './arbitraries.js';

/**
 * The inputs a spelling is written over: binary logits `z` and labels `y` (length 4), batches
 * of 3 rows of 4 class logits `Z` (and `T`), label rows `Y` (distributions, positive where
 * `positiveLabels`), class indices `labels`, and a row vector `row` of logits for the
 * course's `np.dot` form (shape [1, 4], labels `rowY`); other shapes with `spellingInputs`'
 * options. Any node may stand for an input (the random loss graphs put affine logits in `z`,
 * `Z` or `row`).
 * @example
 * ```ts
 * const x = spellingInputs('float64');
 * LOSS_SPELLINGS[0]!.build(x);
 * ```
 */
export interface SpellingInputs {
  readonly z: Node;
  readonly y: Node;
  readonly Z: Node;
  readonly T: Node;
  readonly Y: Node;
  readonly labels: Node;
  readonly row: Node;
  readonly rowY: Node;
}

/**
 * Shapes of the inputs of `spellingInputs`: `binary` for `z` and `y` (default [4]), `batch`
 * and `classes` for `Z`, `T`, `Y` and `labels` (default 3 and 4), `rowLength` for `row` and
 * `rowY` (default 4).
 * @example
 * ```ts
 * spellingInputs('float64', { binary: [2, 3], batch: 2, classes: 3, rowLength: 3 } satisfies SpellingShapes);
 * ```
 */
export interface SpellingShapes {
  readonly binary?: readonly number[];
  readonly batch?: number;
  readonly classes?: number;
  readonly rowLength?: number;
}

/**
 * Fresh inputs of a dtype (names as in `SpellingInputs`), of the default shapes or of `shapes`.
 * @example
 * ```ts
 * const { z, y } = spellingInputs('float32');
 * ```
 */
export function spellingInputs(dtype: FloatDType, shapes: SpellingShapes = {}): SpellingInputs {
  const f = (name: string, shape: readonly number[]) => input([...shape], { name, dtype });
  const [binary, batch, classes, rowLength] = [shapes.binary ?? [4], shapes.batch ?? 3, shapes.classes ?? 4, shapes.rowLength ?? 4];
  return {
    z: f('z', binary), y: f('y', binary), Z: f('Z', [batch, classes]), T: f('T', [batch, classes]), Y: f('Y', [batch, classes]),
    labels: input([batch], { name: 'labels', dtype: 'int32' }), row: f('row', [1, rowLength]), rowY: f('rowY', [1, rowLength]),
  };
}

/** The static length of axis `axis` of `node` (the catalogue's inputs have concrete shapes). */
function dim(node: Node, axis: number): number {
  const d = node.shape[axis];
  if (typeof d !== 'number') throw new RangeError(`loss spellings: axis ${axis} of ${node.name} must be concrete, got ${String(d)}`);
  return d;
}

/**
 * One way of writing a loss (or a piece of one) and what stabilize must make of it.
 * @example
 * ```ts
 * const s: LossSpelling = {
 *   name: 'sigmoid-as-reciprocal', source: 'numpy / course: 1 / (1 + np.exp(-z))',
 *   build: ({ z, y }) => ..., fusesTo: ['sigmoidCrossEntropyWithLogits'],
 * };
 * ```
 */
export interface LossSpelling {
  /** kebab-case, unique. */
  readonly name: string;
  /** Where it is written this way, and how it reads there. */
  readonly source: string;
  /** Builds the graph as written, over the given inputs. */
  /**
   * `average` is how the spelling averages its per-example losses: `mean` over all elements
   * unless given; the random loss graphs (graphs.ts) pass the identity, so that their own
   * weights and reductions apply per example.
   */
  readonly build: (x: SpellingInputs, average?: (perExample: Node) => Node) => Node;
  /** Ops the stabilized graph must contain (the fused or stable form). */
  readonly fusesTo: readonly string[];
  /** Ops it must not contain: for the spellings that are not what they look like. */
  readonly refuses?: readonly string[];
  /**
   * The written form has a guard (an epsilon, a clip, a clamp) that stabilize drops: values
   * agree with it only where the guard is inactive (see the Keras rules' policy).
   */
  readonly dropsGuard?: boolean;
  /** Hard 0/1 labels only (a `where` on y == 1); label rows one-hot. */
  readonly hardLabels?: boolean;
  /** Label rows strictly positive (log Y of a KL divergence). */
  readonly positiveLabels?: boolean;
  /**
   * Sign of the per-example value, default non-negative (a loss): `nonPositive` (a
   * log-probability) or `mixed`. Sums of values of both signs cancel, so the random loss
   * graphs do not reduce `mixed` values, and shift only non-negative ones.
   */
  readonly sign?: 'nonPositive' | 'mixed';
}

const E = 1e-7;
const bce = (average: (perExample: Node) => Node, y: Node, p: Node): Node => neg(average(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))));
const cce = (average: (perExample: Node) => Node, Y: Node, p: Node): Node => average(neg(sum(mul(Y, log(p)), { axis: 1 })));

const SCE = 'sigmoidCrossEntropyWithLogits';
const CE = 'softmaxCrossEntropyWithLogits';
const SPARSE = 'sparseSoftmaxCrossEntropyWithLogits';

/**
 * Every spelling stabilize is checked against. Each is an identity of real numbers with its
 * fused form, except the `refuses` entries (which must keep their meaning unfused) and the
 * `dropsGuard` entries (the exact loss instead of the guarded one).
 * @example
 * ```ts
 * for (const s of LOSS_SPELLINGS) console.log(s.name, '->', s.fusesTo.join(', '));
 * ```
 */
export const LOSS_SPELLINGS: readonly LossSpelling[] = [
  // Binary cross-entropy, the sigmoid written out.
  { name: 'bce-sigmoid-as-reciprocal', source: 'numpy / Andrew Ng course: p = 1 / (1 + np.exp(-z))', build: ({ z, y }, average = mean) => bce(average, y, div(1, add(1, exp(neg(z))))), fusesTo: [SCE] },
  { name: 'bce-sigmoid-as-exp-ratio', source: 'tutorials: p = exp(z) / (1 + exp(z))', build: ({ z, y }, average = mean) => bce(average, y, div(exp(z), add(1, exp(z)))), fusesTo: [SCE] },
  { name: 'bce-sigmoid-as-tanh', source: 'p = 0.5 * (1 + tanh(z / 2))', build: ({ z, y }, average = mean) => bce(average, y, mul(0.5, add(1, tanh(div(z, 2))))), fusesTo: [SCE] },
  { name: 'log-of-reciprocal-sigmoid', sign: 'nonPositive', source: 'np.log(1 / (1 + np.exp(-z)))', build: ({ z }) => log(div(1, add(1, exp(neg(z))))), fusesTo: ['logSigmoid'] },
  { name: 'minus-log-one-plus-exp', sign: 'nonPositive', source: '-np.log(1 + np.exp(-z)) (log-sigmoid)', build: ({ z }) => neg(log(add(1, exp(neg(z))))), fusesTo: ['logSigmoid'] },
  { name: 'z-minus-log-one-plus-exp', sign: 'nonPositive', source: 'z - np.log(1 + np.exp(z)) (log-sigmoid)', build: ({ z }) => sub(z, log(add(1, exp(z)))), fusesTo: ['logSigmoid'] },
  {
    name: 'bce-logit-form-written-out', source: 'TF docs: max(z, 0) - z * y + log(1 + exp(-abs(z)))',
    build: ({ z, y }, average = mean) => average(add(sub(maximum(z, 0), mul(z, y)), log(add(1, exp(neg(abs(z))))))), fusesTo: [SCE],
  },
  { name: 'bce-pytorch-docs-form', source: 'PyTorch docs: (1 - y) * z + log(1 + exp(-z))', build: ({ z, y }, average = mean) => average(add(mul(sub(1, y), z), log(add(1, exp(neg(z)))))), fusesTo: [SCE] },
  { name: 'bce-softplus-form', source: 'softplus(z) - z * y', build: ({ z, y }, average = mean) => average(sub(log(add(1, exp(z))), mul(z, y))), fusesTo: [SCE] },
  {
    name: 'bce-all-terms-negated', source: 'expanded by hand: -y log p - log(1 - p) + y log(1 - p)',
    build: ({ z, y }, average = mean) => { const p = sigmoid(z); return average(add(sub(neg(mul(y, log(p))), log(sub(1, p))), mul(y, log(sub(1, p))))); }, fusesTo: [SCE],
  },
  {
    name: 'bce-course-np-dot', source: 'Andrew Ng compute_cost: -1/m * (np.dot(Y, np.log(A).T) + np.dot(1 - Y, np.log(1 - A).T))',
    build: ({ row, rowY }) => {
      const A = sigmoid(row);
      return mul(-1 / dim(row, 1), add(matmul(rowY, transpose(log(A))), matmul(sub(1, rowY), transpose(log(sub(1, A))))));
    },
    fusesTo: [SCE],
  },
  {
    name: 'bce-where', source: 'np.where(y == 1, -np.log(p), -np.log(1 - p))', hardLabels: true,
    build: ({ z, y }, average = mean) => { const p = sigmoid(z); return average(where(equal(y, 1), neg(log(p)), neg(log(sub(1, p))))); }, fusesTo: [SCE],
  },
  {
    name: 'bce-epsilon-inside-log', source: 'tutorials: -(y log(p + 1e-7) + (1 - y) log(1 - p + 1e-7))', dropsGuard: true,
    build: ({ z, y }, average = mean) => { const p = sigmoid(z); return neg(average(add(mul(y, log(add(p, E))), mul(sub(1, y), log(add(sub(1, p), E)))))); }, fusesTo: [SCE],
  },
  {
    name: 'bce-maximum-guard', source: 'np.log(np.maximum(p, 1e-12)) guards', dropsGuard: true,
    build: ({ z, y }, average = mean) => { const p = sigmoid(z); return neg(average(add(mul(y, log(maximum(p, 1e-12))), mul(sub(1, y), log(maximum(sub(1, p), 1e-12)))))); }, fusesTo: [SCE],
  },
  {
    name: 'bce-pytorch-bceloss-clamp', source: 'PyTorch BCELoss: log clamped at -100', dropsGuard: true,
    build: ({ z, y }, average = mean) => { const p = sigmoid(z); return neg(average(add(mul(y, maximum(log(p), -100)), mul(sub(1, y), maximum(log(sub(1, p)), -100))))); }, fusesTo: [SCE],
  },
  {
    name: 'bce-keras-logit-recovery', source: 'old Keras backend: p = clip(p, eps, 1 - eps); sigmoid_cross_entropy_with_logits(y, log(p / (1 - p)))', dropsGuard: true,
    build: ({ z, y }, average = mean) => { const p = clip(sigmoid(z), E, 1 - E); return average(sigmoidCrossEntropyWithLogits(log(div(p, sub(1, p))), y)); }, fusesTo: [SCE],
  },
  {
    name: 'binary-focal-loss', source: 'focal loss (Lin et al.), gamma = 2: -(y (1 - p)^2 log p + (1 - y) p^2 log(1 - p))',
    build: ({ z, y }, average = mean) => { const p = sigmoid(z); return neg(average(add(mul(mul(y, pow(sub(1, p), 2)), log(p)), mul(mul(sub(1, y), pow(p, 2)), log(sub(1, p)))))); },
    fusesTo: ['logSigmoid'], refuses: ['log'],
  },
  { name: 'bce-sigmoid-as-pow', source: 'p = (1 + exp(-z)) ** -1', build: ({ z, y }, average = mean) => bce(average, y, pow(add(1, exp(neg(z))), -1)), fusesTo: [SCE] },
  {
    name: 'bce-softplus-terms', source: 'TF docs: y * -log(sigmoid(z)) + (1 - y) * -log(1 - sigmoid(z)) as y softplus(-z) + (1 - y) softplus(z)',
    build: ({ z, y }, average = mean) => average(add(mul(y, log(add(1, exp(neg(z))))), mul(sub(1, y), log(add(1, exp(z)))))), fusesTo: [SCE],
  },
  // Softmax and categorical cross-entropy.
  {
    name: 'cce-softmax-with-expand-dims', source: 'exp(z) / sum(exp(z), axis=1)[:, None]',
    build: ({ Z, Y }, average = mean) => cce(average, Y, div(exp(Z), expandDims(sum(exp(Z), { axis: 1 }), 1))), fusesTo: [CE],
  },
  {
    name: 'cce-softmax-with-reshape', source: 'exp(z) / sum(exp(z), axis=1).reshape(-1, 1)',
    build: ({ Z, Y }, average = mean) => cce(average, Y, div(exp(Z), reshape(sum(exp(Z), { axis: 1 }), [dim(Z, 0), 1]))), fusesTo: [CE],
  },
  {
    name: 'cce-stable-softmax', source: 'CS231n: e = exp(z - max(z, axis=1, keepdims)); p = e / sum(e, axis=1, keepdims)',
    build: ({ Z, Y }, average = mean) => { const e = exp(sub(Z, max(Z, { axis: 1, keepDims: true }))); return cce(average, Y, div(e, sum(e, { axis: 1, keepDims: true }))); }, fusesTo: [CE],
  },
  { name: 'cce-z-minus-logsumexp', source: 'log_softmax = z - logsumexp(z, axis=1, keepdims)', build: ({ Z, Y }, average = mean) => average(neg(sum(mul(Y, sub(Z, logsumexp(Z, { axis: 1, keepDims: true }))), { axis: 1 }))), fusesTo: [CE] },
  { name: 'cce-z-minus-log-sum-exp', source: 'z - log(sum(exp(z), axis=1, keepdims))', build: ({ Z, Y }, average = mean) => average(neg(sum(mul(Y, sub(Z, log(sum(exp(Z), { axis: 1, keepDims: true })))), { axis: 1 }))), fusesTo: [CE] },
  {
    name: 'cce-stable-log-softmax', source: 'm = max(z); (z - m) - log(sum(exp(z - m))) (its gradient cancels unless fused)',
    build: ({ Z, Y }, average = mean) => {
      const shifted = sub(Z, max(Z, { axis: 1, keepDims: true }));
      return average(neg(sum(mul(Y, sub(shifted, log(sum(exp(shifted), { axis: 1, keepDims: true })))), { axis: 1 })));
    },
    fusesTo: [CE],
  },
  // Labels not known to sum to 1 keep a (1 - sum y) lse(z) term, which carries the rounding of sum(y): checked with one-hot rows.
  { name: 'cce-through-logsumexp', source: 'mean(logsumexp(z) - sum(y * z))', hardLabels: true, build: ({ Z, Y }, average = mean) => average(sub(logsumexp(Z, { axis: 1 }), sum(mul(Y, Z), { axis: 1 }))), fusesTo: [CE] },
  {
    name: 'sparse-through-logsumexp', source: 'CS231n: -z[range(n), y] + log(sum(exp(z), axis=1))',
    build: ({ Z, labels }, average = mean) => average(add(neg(gather(Z, labels, { axis: 1, batchDims: 1 })), log(sum(exp(Z), { axis: 1 })))), fusesTo: [SPARSE],
  },
  {
    name: 'sparse-pytorch-gather-unsqueeze', source: 'PyTorch: -log_softmax(z).gather(1, y.unsqueeze(1)).squeeze(1)',
    build: ({ Z, labels }, average = mean) => average(neg(squeeze(gather(log(softmax(Z, 1)), expandDims(labels, 1), { axis: 1, batchDims: 1 }), 1))), fusesTo: [SPARSE],
  },
  {
    name: 'sparse-probability-picked-first', source: 'log(sum(one_hot(y) * p, axis=1))',
    build: ({ Z, labels }, average = mean) => average(neg(log(sum(mul(oneHot(labels, dim(Z, 1), { dtype: Z.dtype }), softmax(Z, 1)), { axis: 1 })))), fusesTo: [SPARSE],
  },
  { name: 'kl-divergence-ratio', source: 'sum(pt * log(pt / q))', positiveLabels: true, build: ({ Z, Y }, average = mean) => average(sum(mul(Y, log(div(Y, softmax(Z, 1)))), { axis: 1 })), fusesTo: [CE] },
  {
    name: 'kl-divergence-difference', source: 'sum(pt * (log pt - log q)) (PyTorch kl_div with log q as input)', positiveLabels: true,
    build: ({ Z, Y }, average = mean) => average(sum(mul(Y, sub(log(Y), log(softmax(Z, 1)))), { axis: 1 })), fusesTo: [CE],
  },
  { name: 'cce-in-bits', source: '-sum(y * log(p) / ln 2)', build: ({ Z, Y }, average = mean) => average(neg(sum(mul(Y, div(log(softmax(Z, 1)), Math.LN2)), { axis: 1 }))), fusesTo: [CE] },
  { name: 'cce-in-bits-outside', source: '-sum(y * log p) / ln 2', build: ({ Z, Y }, average = mean) => div(cce(average, Y, softmax(Z, 1)), Math.LN2), fusesTo: [CE] },
  { name: 'cce-maximum-guard', source: '-sum(y * log(max(p, 1e-12)))', dropsGuard: true, build: ({ Z, Y }, average = mean) => cce(average, Y, maximum(softmax(Z, 1), 1e-12)), fusesTo: [CE] },
  {
    name: 'multiclass-focal-loss', source: 'focal loss, gamma = 2: -(1 - p_t)^2 log p_t with p_t = softmax(z)[y]',
    build: ({ Z, labels }, average = mean) => { const pt = gather(softmax(Z, 1), labels, { axis: 1, batchDims: 1 }); return average(neg(mul(pow(sub(1, pt), 2), log(pt)))); },
    fusesTo: [SPARSE, 'expm1'], refuses: ['log', 'softmax'],
  },
  {
    name: 'pytorch-focal-loss', source: 'ce = cross_entropy(z, y); pt = exp(-ce); (1 - pt)^2 * ce',
    build: ({ Z, labels }, average = mean) => { const ce = sparseSoftmaxCrossEntropyWithLogits(Z, labels); return average(mul(pow(sub(1, exp(neg(ce))), 2), ce)); },
    fusesTo: [SPARSE, 'expm1'],
  },
  // What must not fuse: the graphs keep their meaning.
  { name: 'refuse-softmax-on-another-axis', source: 'softmax over the batch axis, summed over classes', build: ({ Z, Y }, average = mean) => cce(average, Y, softmax(Z, 0)), fusesTo: ['logSoftmax'], refuses: [CE, SPARSE] },
  { name: 'refuse-probability-from-outside', source: 'log of a probability fed as an input', build: ({ Y, T }, average = mean) => cce(average, Y, T), fusesTo: ['log'], refuses: [CE, SPARSE, 'logSoftmax'] },
  { name: 'refuse-clip-that-is-not-a-guard', source: 'clip(p, 0.1, 0.9): a modelling choice', build: ({ z }) => neg(log(clip(sigmoid(z), 0.1, 0.9))), fusesTo: ['clip'], refuses: ['logSigmoid', SCE] },
  { name: 'refuse-large-epsilon', sign: 'mixed', source: '-log(sigmoid(x) + 1e-3): the 1e-3 changes the loss', build: ({ z }) => neg(log(add(sigmoid(z), 1e-3))), fusesTo: ['sigmoid'], refuses: ['logSigmoid', SCE] },
  {
    name: 'refuse-different-max-shifts', source: 'exp(z - rowmax) / sum(exp(z - globalmax)): a bug, not a softmax',
    build: ({ Z }) => div(exp(sub(Z, max(Z, { axis: 1, keepDims: true }))), sum(exp(sub(Z, max(Z))), { axis: 1, keepDims: true })), fusesTo: ['exp'], refuses: ['softmax'],
  },
  {
    name: 'refuse-lse-of-other-logits', sign: 'mixed', source: 'logsumexp(t) - z[y]: two different logits',
    build: ({ Z, T, labels }, average = mean) => average(sub(logsumexp(T, { axis: 1 }), gather(Z, labels, { axis: 1, batchDims: 1 }))), fusesTo: ['logsumexp'], refuses: [SPARSE, CE],
  },
];
