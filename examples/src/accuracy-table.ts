/**
 * `npm run accuracy-table`: measures, for each hand-written loss form in float32 and float64,
 * the largest error (ULP and bits) of the naive graph and of the stabilized graph against the
 * high-precision reference of the exact loss, for the loss and for its gradient with respect to
 * the logits, over extreme inputs; prints the table and writes docs/accuracy.md.
 * The exact loss is built directly with the fused ops (`sigmoidCrossEntropyWithLogits`, ...),
 * whose references are independent of the rewrite rules. For the Keras-clipped forms the naive
 * column is the distance of the clipped loss from the exact loss: stabilizing drops the clip.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import {
  add, clip, div, evaluate, exp, gather, grad, input, log, log1mexp, log1p, logaddexp, max, mean, mul, neg, type Node, sigmoid, sigmoidCrossEntropyWithLogits,
  softmax, softmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropyWithLogits, sub, sum, type Tensor, tensor,
} from '@stablegrad/core';
import { prepareTraining, stabilize } from '@stablegrad/rewrite';
import {
  createDecimalMath, extremeFloats, type FloatDType, floatOf, logitVector, probabilityVector, referenceEvaluate, ulpDistance,
} from '@stablegrad/testing';

/** Largest error of one graph over all points, and how many results were not finite where the truth is. */
export interface ErrorStats {
  /** Largest ULP distance to the truth among finite results (0 when there are none). */
  readonly maxUlp: number;
  /** Results that are NaN or infinite where the truth is finite. */
  readonly nonFinite: number;
}

/** One line of the table. */
export interface AccuracyRow {
  readonly form: string;
  /** The naive graph as users write it. */
  readonly written: string;
  readonly dtype: FloatDType;
  /** Input points (a point is one example: a logit, or a row of logits). */
  readonly points: number;
  readonly loss: { readonly naive: ErrorStats; readonly stabilized: ErrorStats; readonly elements: number };
  readonly gradient: { readonly naive: ErrorStats; readonly stabilized: ErrorStats; readonly elements: number };
}

/** Options of `accuracyTable`. */
export interface AccuracyTableOptions {
  /** Seeded random points per form and dtype on top of the hand-picked extremes (default 200). */
  readonly samples?: number;
  readonly seed?: number;
  /** Forms to measure (default all, see FORM_NAMES). */
  readonly forms?: readonly FormName[];
  readonly dtypes?: readonly FloatDType[];
}

/** The measured forms, in table order. */
export const FORM_NAMES = [
  'binary naive', 'binary Keras-clipped', 'categorical naive', 'categorical Keras-clipped', 'sparse via gather',
  'multi-label', 'log(1+x)', '(1+a)-(1-a)', 'binary, sigmoid as 1/(1+e^-z)', 'stable log-softmax', 'sparse via logsumexp',
  'log(1-e^x)', 'log(e^a+e^b)',
] as const;

/** A form's name. */
export type FormName = (typeof FORM_NAMES)[number];

const EPSILON = 1e-7;
const PRECISE = createDecimalMath(400);
const CLASSES = 3;

/** Points as flat arrays by input name, with their shapes. */
interface Points {
  readonly count: number;
  readonly values: { readonly [name: string]: { readonly shape: number[]; readonly data: number[]; readonly dtype?: 'int32' } };
}

/** The naive graph, the exact loss, and the variable to differentiate with respect to. */
interface Built {
  readonly naive: Node;
  readonly truth: Node;
  readonly truthGradient: Node;
  readonly wrt: Node;
  readonly feeds: Map<Node, Tensor>;
}

interface Form {
  readonly written: string;
  points(dtype: FloatDType, samples: number, seed: number): Points;
  /** The exact gradient cancels (softmax(z) sum(y) - y): compute its reference with 400 digits. */
  readonly preciseGradient?: boolean;
  /** The naive graph, the exact loss, the exact gradient (default: `grad` of the exact loss) and the variable. */
  build(inputs: (name: string) => Node): { naive: Node; truth: Node; truthGradient?: Node; wrt: string };
}

const round = (dtype: FloatDType) => (x: number): number => (dtype === 'float32' ? Math.fround(x) : x);
const finite = (xs: readonly number[]): boolean => xs.every(Number.isFinite);
const unique = (xs: readonly number[]): number[] => [...new Map(xs.map((x) => [Object.is(x, -0) ? '-0' : String(x), x])).values()];
const sample = <T>(arbitrary: fc.Arbitrary<T>, count: number, seed: number): T[] => (count > 0 ? fc.sample(arbitrary, { numRuns: count, seed }) : []);

/** Logits where sigmoid saturates, exp overflows, and the float types end, plus moderate ones. */
function binaryLogits(dtype: FloatDType): number[] {
  const moderate = [1e4, 1000, 100, 50, 30, 20, 10, 5, 2, 1, 0.5, 1e-3, 1e-8].flatMap((v) => [v, -v]);
  return unique([...extremeFloats(dtype), ...moderate].map(round(dtype)));
}

/** Rows of three logits: ties, one dominant class (tiny losses), huge spreads, overflow edges. */
function logitRows(dtype: FloatDType): number[][] {
  const rows = [
    [0, 0, 0], [1, 2, 3], [20, 0, 0], [40, 0, 0], [100, 0, 0], [1e4, 0, -1e4], [-1e4, 0, 1e4], [88.7, 0, -103.9],
    [709.78, 0, -745.1], [1000, 999, 998], [1e30, -1e30, 0], [-50, -50, -50], [1e-8, 0, -1e-8], [17, -17, 0], [37, -37, 0],
    [0, -1e4, -1e4], [-1e30, 0, 0],
  ];
  return rows.map((r) => r.map(round(dtype))).filter(finite);
}

const argmax = (row: readonly number[]): number => row.indexOf(Math.max(...row));
const argmin = (row: readonly number[]): number => row.indexOf(Math.min(...row));
const oneHotRow = (k: number): number[] => Array.from({ length: CLASSES }, (_, i) => (i === k ? 1 : 0));

/** Label rows for a logit row: one-hot on the largest and smallest logit, uniform, smoothed. */
function labelRows(row: readonly number[], dtype: FloatDType): number[][] {
  const r = round(dtype);
  const third = r(1 / 3);
  const smoothed = Array.from({ length: CLASSES }, (_, i) => (i === argmax(row) ? r(0.9) : r(0.05)));
  return [oneHotRow(argmax(row)), oneHotRow(argmin(row)), [third, third, r(1 - 2 * third)], smoothed];
}

function rowsPoints(z: number[][], other: { name: string; rows: number[][] | number[]; dtype?: 'int32' }): Points {
  const n = z.length;
  const labels = other.rows;
  const labelShape = Array.isArray(labels[0]) ? [n, CLASSES] : [n];
  return {
    count: n,
    values: {
      z: { shape: [n, CLASSES], data: z.flat() },
      [other.name]: { shape: labelShape, data: (labels as (number | number[])[]).flat(), ...(other.dtype === undefined ? {} : { dtype: other.dtype }) },
    },
  };
}

function binaryPoints(dtype: FloatDType, samples: number, seed: number): Points {
  const ys = [0, 1, 0.5, 0.1, 0.9, 1e-3].map(round(dtype));
  const pairs = binaryLogits(dtype).flatMap((z) => ys.map((y) => [z, y] as const));
  pairs.push(...sample(fc.tuple(floatOf(dtype), floatOf(dtype, { min: 0, max: 1 })), samples, seed));
  const n = pairs.length;
  return { count: n, values: { z: { shape: [n], data: pairs.map((p) => p[0]) }, y: { shape: [n], data: pairs.map((p) => p[1]) } } };
}

function softLabelPoints(dtype: FloatDType, samples: number, seed: number): Points {
  const rows = logitRows(dtype).flatMap((z) => labelRows(z, dtype).map((y) => [z, y] as const));
  const drawn = sample(fc.tuple(logitVector(CLASSES, dtype), probabilityVector(CLASSES, { dtype })), samples, seed);
  rows.push(...drawn.map(([z, y]) => [Array.from(z.data), Array.from(y.data)] as const));
  return rowsPoints(rows.map((r) => r[0]), { name: 'y', rows: rows.map((r) => r[1]) });
}

function classPoints(dtype: FloatDType, samples: number, seed: number): Points {
  const rows = logitRows(dtype).flatMap((z) => [argmax(z), argmin(z)].map((k) => [z, k] as const));
  const drawn = sample(fc.tuple(logitVector(CLASSES, dtype), fc.integer({ min: 0, max: CLASSES - 1 })), samples, seed);
  rows.push(...drawn.map(([z, k]) => [Array.from(z.data), k] as const));
  return rowsPoints(rows.map((r) => r[0]), { name: 'labels', rows: rows.map((r) => r[1]), dtype: 'int32' });
}

function multiLabelPoints(dtype: FloatDType, samples: number, seed: number): Points {
  const r = round(dtype);
  const labels = [[1, 0, 1], [0, 0, 0], [1, 1, 1], [0.5, 0.1, 0.9].map(r)];
  const rows = logitRows(dtype).flatMap((z) => labels.map((y) => [z, y] as const));
  const label = floatOf(dtype, { min: 0, max: 1 });
  const drawn = sample(fc.tuple(logitVector(CLASSES, dtype), fc.array(label, { minLength: CLASSES, maxLength: CLASSES })), samples, seed);
  rows.push(...drawn.map(([z, y]) => [Array.from(z.data), y] as const));
  return rowsPoints(rows.map((row) => row[0]), { name: 'y', rows: rows.map((row) => row[1]) });
}

function scalarPoints(name: string, hand: readonly number[], drawn: fc.Arbitrary<number>, dtype: FloatDType, samples: number, seed: number): Points {
  const xs = unique([...hand.map(round(dtype)), ...sample(drawn, samples, seed)]);
  return { count: xs.length, values: { [name]: { shape: [xs.length], data: xs } } };
}

const tiny = (dtype: FloatDType): number[] => extremeFloats(dtype).filter((x) => x !== 0 && Math.abs(x) < 1e-30);

/** Naive binary cross-entropy of probabilities p: -(y log p + (1 - y) log(1 - p)). */
const bce = (y: Node, p: Node): Node => neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p)))));
/** Naive categorical cross-entropy: -sum(y log p, -1). */
const cce = (y: Node, p: Node): Node => neg(sum(mul(y, log(p)), { axis: -1 }));
/**
 * The exact gradient of `sum_i y_i (lse(z) - z_i)` for any labels: `softmax(z) sum(y) - y`, built
 * from generic ops so that its reference does not depend on the fused gradient op under test.
 */
const softLabelGradient = (z: Node, y: Node): Node => sub(mul(softmax(z), sum(y, { axis: -1, keepDims: true })), y);

const FORMS: Record<FormName, Form> = {
  'binary naive': {
    written: '-(y log p + (1 - y) log(1 - p)), p = sigmoid(z)',
    points: binaryPoints,
    build: (i) => ({ naive: bce(i('y'), sigmoid(i('z'))), truth: sigmoidCrossEntropyWithLogits(i('z'), i('y')), wrt: 'z' }),
  },
  'binary Keras-clipped': {
    written: 'same, p = clip(sigmoid(z), 1e-7, 1 - 1e-7)',
    points: binaryPoints,
    build: (i) => ({ naive: bce(i('y'), clip(sigmoid(i('z')), EPSILON, 1 - EPSILON)), truth: sigmoidCrossEntropyWithLogits(i('z'), i('y')), wrt: 'z' }),
  },
  'categorical naive': {
    written: '-sum(y log softmax(z), -1)',
    points: softLabelPoints,
    preciseGradient: true,
    build: (i) => ({
      naive: cce(i('y'), softmax(i('z'))),
      truth: softmaxCrossEntropyWithLogits(i('z'), i('y')),
      truthGradient: softLabelGradient(i('z'), i('y')),
      wrt: 'z',
    }),
  },
  'categorical Keras-clipped': {
    written: 'p = softmax(z); p = clip(p / sum(p, -1), 1e-7, 1 - 1e-7); -sum(y log p, -1)',
    points: softLabelPoints,
    preciseGradient: true,
    build: (i) => {
      const p = softmax(i('z'));
      const kept = clip(div(p, sum(p, { axis: -1, keepDims: true })), EPSILON, 1 - EPSILON);
      return { naive: cce(i('y'), kept), truth: softmaxCrossEntropyWithLogits(i('z'), i('y')), truthGradient: softLabelGradient(i('z'), i('y')), wrt: 'z' };
    },
  },
  'sparse via gather': {
    written: '-gather(log softmax(z), labels, axis 1, batchDims 1)',
    points: classPoints,
    build: (i) => ({
      naive: neg(gather(log(softmax(i('z'))), i('labels'), { axis: 1, batchDims: 1 })),
      truth: sparseSoftmaxCrossEntropyWithLogits(i('z'), i('labels')),
      wrt: 'z',
    }),
  },
  'multi-label': {
    written: 'mean(-(y log p + (1 - y) log(1 - p)), -1), p = sigmoid(z) over 3 outputs',
    points: multiLabelPoints,
    build: (i) => ({
      naive: mean(bce(i('y'), sigmoid(i('z'))), { axis: -1 }),
      truth: mean(sigmoidCrossEntropyWithLogits(i('z'), i('y')), { axis: -1 }),
      wrt: 'z',
    }),
  },
  'log(1+x)': {
    written: 'log(1 + x)',
    points: (dtype, samples, seed) => scalarPoints(
      'x', [0, ...tiny(dtype), 1e-20, 1e-16, 1e-10, 1e-8, 1e-5, 1e-3, -1e-3, -1e-7, -0.5, -0.9, 0.5, 1, 10, 1e10, 1e30],
      floatOf(dtype, { min: -0.99, max: 1e6 }), dtype, samples, seed,
    ),
    build: (i) => ({ naive: log(add(1, i('x'))), truth: log1p(i('x')), wrt: 'x' }),
  },
  '(1+a)-(1-a)': {
    written: '(1 + a) - (1 - a), e.g. a = 1e-4',
    points: (dtype, samples, seed) => scalarPoints(
      'a', [1e-4, -1e-4, 1e-8, 1e-16, 1e-30, ...tiny(dtype), 0.25, 1, 100, 1e4],
      floatOf(dtype, { min: -1e3, max: 1e3 }), dtype, samples, seed,
    ),
    build: (i) => ({ naive: sub(add(1, i('a')), sub(1, i('a'))), truth: mul(i('a'), 2), wrt: 'a' }),
  },
  'binary, sigmoid as 1/(1+e^-z)': {
    written: 'same as binary naive, p = 1 / (1 + exp(-z)) (numpy, the course)',
    points: binaryPoints,
    build: (i) => ({ naive: bce(i('y'), div(1, add(1, exp(neg(i('z')))))), truth: sigmoidCrossEntropyWithLogits(i('z'), i('y')), wrt: 'z' }),
  },
  'stable log-softmax': {
    written: 'm = max(z); -sum(y ((z - m) - log(sum(exp(z - m)))), -1): stable values, cancelling gradient',
    points: softLabelPoints,
    preciseGradient: true,
    build: (i) => {
      const shifted = sub(i('z'), max(i('z'), { axis: -1, keepDims: true }));
      const logp = sub(shifted, log(sum(exp(shifted), { axis: -1, keepDims: true })));
      return { naive: neg(sum(mul(i('y'), logp), { axis: -1 })), truth: softmaxCrossEntropyWithLogits(i('z'), i('y')), truthGradient: softLabelGradient(i('z'), i('y')), wrt: 'z' };
    },
  },
  'sparse via logsumexp': {
    written: '-z[range(n), labels] + log(sum(exp(z), 1)) (CS231n)',
    points: classPoints,
    build: (i) => ({
      naive: add(neg(gather(i('z'), i('labels'), { axis: 1, batchDims: 1 })), log(sum(exp(i('z')), { axis: 1 }))),
      truth: sparseSoftmaxCrossEntropyWithLogits(i('z'), i('labels')),
      wrt: 'z',
    }),
  },
  'log(1-e^x)': {
    written: 'log(1 - exp(x)), x < 0',
    points: (dtype, samples, seed) => scalarPoints(
      'x', [-1e-30, -1e-20, -1e-10, -1e-7, -1e-4, -0.01, -0.5, -0.69, -0.7, -1, -2, -10, -20, -40, -100, -700, -745, ...tiny(dtype).map((t) => -t)],
      floatOf(dtype, { min: -800, max: -1e-30 }), dtype, samples, seed,
    ),
    build: (i) => ({ naive: log(sub(1, exp(i('x')))), truth: log1mexp(i('x')), wrt: 'x' }),
  },
  'log(e^a+e^b)': {
    written: 'log(exp(a) + exp(b)), b = -a / 2',
    points: (dtype, samples, seed) => scalarPoints(
      'a', [0, 1e-8, 1, -1, 10, 100, 700, 710, 1000, -1000, -1500, 1e30, -1e30], floatOf(dtype, { min: -3000, max: 3000 }), dtype, samples, seed,
    ),
    build: (i) => ({ naive: log(add(exp(i('a')), exp(mul(i('a'), -0.5)))), truth: logaddexp(i('a'), mul(i('a'), -0.5)), wrt: 'a' }),
  },
};

function buildForm(form: Form, dtype: FloatDType, points: Points): Built {
  const nodes = new Map<string, Node>();
  const feeds = new Map<Node, Tensor>();
  const inputOf = (name: string): Node => {
    const known = nodes.get(name);
    if (known !== undefined) return known;
    const spec = points.values[name];
    if (spec === undefined) throw new RangeError(`accuracy table: no points for input '${name}'`);
    const node = input(spec.shape, { dtype: spec.dtype ?? dtype, name });
    nodes.set(name, node);
    feeds.set(node, tensor(spec.data, { dtype: spec.dtype ?? dtype, shape: spec.shape }));
    return node;
  };
  const { naive, truth, truthGradient, wrt } = form.build(inputOf);
  const x = inputOf(wrt);
  return { naive, truth, truthGradient: truthGradient ?? grad(sum(truth), x), wrt: x, feeds };
}

function errors(got: ArrayLike<number>, truth: readonly number[], dtype: FloatDType): ErrorStats {
  let maxUlp = 0;
  let nonFinite = 0;
  for (let i = 0; i < truth.length; i++) {
    const [g, t] = [got[i]!, truth[i]!];
    if (!Number.isFinite(t)) continue;
    if (!Number.isFinite(g)) nonFinite++;
    else maxUlp = Math.max(maxUlp, ulpDistance(g, t, dtype));
  }
  return { maxUlp, nonFinite };
}

/**
 * Measures every form in every dtype.
 * @example
 * ```ts
 * const rows = accuracyTable({ samples: 0, forms: ['binary naive'], dtypes: ['float32'] });
 * rows[0].loss.stabilized.maxUlp; // 1
 * ```
 */
export function accuracyTable(options: AccuracyTableOptions = {}): AccuracyRow[] {
  const samples = options.samples ?? 200;
  const seed = options.seed ?? 20240611;
  const rows: AccuracyRow[] = [];
  for (const name of options.forms ?? FORM_NAMES) {
    for (const dtype of options.dtypes ?? (['float32', 'float64'] as const)) {
      const form = FORMS[name];
      const points = form.points(dtype, samples, seed);
      const { naive, truth, truthGradient, wrt, feeds } = buildForm(form, dtype, points);
      const stable = stabilize({ loss: naive }).graph.outputs[0]!;
      // Per-point losses are independent, so the gradient of their sum is each point's gradient.
      const naiveGrad = prepareTraining({ loss: sum(naive), params: [wrt] }, { stabilize: false }).gradients[0]!;
      const stableGrad = prepareTraining({ loss: sum(naive), params: [wrt] }).gradients[0]!;
      const exactLoss = referenceEvaluate(truth, feeds);
      // 400 digits: a gradient such as softmax(z) sum(y) - y cancels to e^-700 in float64.
      const exactGrad = referenceEvaluate(truthGradient, feeds, form.preciseGradient === true ? { math: PRECISE } : {});
      const [gotNaive, gotStable, gotNaiveGrad, gotStableGrad] = evaluate([naive, stable, naiveGrad, stableGrad], feeds);
      rows.push({
        form: name,
        written: form.written,
        dtype,
        points: points.count,
        loss: {
          naive: errors(gotNaive!.data, exactLoss!.values, dtype),
          stabilized: errors(gotStable!.data, exactLoss!.values, dtype),
          elements: exactLoss!.values.length,
        },
        gradient: {
          naive: errors(gotNaiveGrad!.data, exactGrad!.values, dtype),
          stabilized: errors(gotStableGrad!.data, exactGrad!.values, dtype),
          elements: exactGrad!.values.length,
        },
      });
    }
  }
  return rows;
}

/** ULP as a short number with its bits of error: `3 (2.0 bits)`, `4.2e18 (62.0 bits)`. */
function formatError(e: ErrorStats): string {
  const ulp = e.maxUlp < 1e6 ? String(e.maxUlp) : e.maxUlp.toExponential(1).replace('e+', 'e');
  return `${ulp} (${Math.log2(1 + e.maxUlp).toFixed(1)} bits)`;
}

/**
 * The table as Markdown, with a header line saying which command writes it.
 * @example
 * ```ts
 * writeFileSync('docs/accuracy.md', formatAccuracyTable(accuracyTable()));
 * ```
 */
export function formatAccuracyTable(rows: readonly AccuracyRow[], options: { samples?: number } = {}): string {
  const lines = [
    '<!-- Generated by `npm run accuracy-table` (examples/src/accuracy-table.ts); do not edit by hand. -->',
    '# Accuracy: naive vs stabilized losses',
    '',
    'For each loss form as people write it (the naive graph) and the same graph after `stabilize`, the largest',
    'error against the exact loss computed at 60 significant digits and rounded once to the dtype, in ULP and bits',
    '(`log2(1 + ULP)`), over the extreme inputs (logits where sigmoid saturates and exp overflows or underflows,',
    `±1e4, ±1e30, the largest finite values, subnormals, one dominant class) plus ${options.samples ?? 200} seeded random points`,
    'per form and dtype. "Non-finite" counts NaN or infinite results where the exact value is finite. Gradients are',
    'with respect to the logits (x or a for the last two forms): the naive one is `grad` of the graph as written',
    '(`prepareTraining` with `stabilize: false`), the stabilized one the pipeline\'s (`prepareTraining`).',
    'Keras-clipped forms are measured against the exact, unclipped loss: stabilizing replaces the clip (a guard',
    'that saturates the loss at -log(1e-7) and zeroes its gradient) with the exact logit form.',
    '',
    '| form | dtype | points | loss naive | loss stabilized | non-finite naive / stabilized | gradient naive | gradient stabilized | non-finite naive / stabilized |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.form} | ${r.dtype} | ${r.points} | ${formatError(r.loss.naive)} | ${formatError(r.loss.stabilized)} | ` +
      `${r.loss.naive.nonFinite} / ${r.loss.stabilized.nonFinite} of ${r.loss.elements} | ${formatError(r.gradient.naive)} | ` +
      `${formatError(r.gradient.stabilized)} | ${r.gradient.naive.nonFinite} / ${r.gradient.stabilized.nonFinite} of ${r.gradient.elements} |`);
  }
  const off = rows.filter((r) => r.loss.stabilized.maxUlp > 4 || r.gradient.stabilized.maxUlp > 4);
  if (off.length > 0) {
    const categorical = off.some((r) => r.form.startsWith('categorical'))
      ? ' Labels fed as an input are not known to sum to 1, so a categorical loss over them is not fused into ' +
        '`softmaxCrossEntropyWithLogits`: its loss goes through `logSoftmax` and is exact, but its gradient is the generic ' +
        '`softmax(z) sum(y) - y`, which cancels where softmax(z) is close to y (z = [20, 0, 0], y = [1, 0, 0]).'
      : '';
    lines.push('', `Stabilized results more than 4 ULP off: ${off.map((r) => `${r.form} (${r.dtype})`).join(', ')}.${categorical}`);
  }
  lines.push('', 'The forms, as written:', '');
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.form)) continue;
    seen.add(r.form);
    lines.push(`- **${r.form}**: \`${r.written}\``);
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = formatAccuracyTable(accuracyTable());
  const file = fileURLToPath(new URL('../../docs/accuracy.md', import.meta.url));
  writeFileSync(file, text);
  console.log(text);
  console.log(`written to ${file}`);
}
