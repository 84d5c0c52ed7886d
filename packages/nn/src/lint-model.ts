/**
 * `model.lint()`: the stability lint on what a model trains. The loss and its gradients as
 * written (no stabilize) are measured on rows of the user's data (or on drawn inputs), at the
 * model's current weights, and checked against what compile's stabilize pass trains: the report
 * says which nodes of the written loss lose digits, where, and whether the trained graph is clean.
 * The lint package (with its high-precision arithmetic) is loaded only when this runs.
 * @module
 */
import { type Feeds, type Graph, type Node, type Tensor, tensor, type TensorLike } from '@stablegrad/core';
import type { LintOptions, LintReport } from '@stablegrad/lint';
import { prepareTraining } from '@stablegrad/rewrite';
import { rowRange } from './data.js';
import { ModelError } from './errors.js';
import { checkKnownOptions } from './names.js';

/**
 * Options of `model.lint`: the lint's options (without `points`), and the data to measure on.
 * @example
 * ```ts
 * const report = await model.lint({ x: features, y: labels, samples: 200 });
 * ```
 */
export interface ModelLintOptions extends Omit<LintOptions, 'points' | 'stabilize'> {
  /** Compare with what compile trains (default true), or not (`false`: the written graph alone). */
  readonly stabilize?: boolean;
  /** Features to measure on, one row per sample (evenly spread over the rows); drawn when left out. */
  readonly x?: TensorLike;
  /** Labels of those rows; drawn (valid classes or [0, 1]) when left out. */
  readonly y?: TensorLike;
  /** Rows in each sample (a batch); default 1. */
  readonly rowsPerSample?: number;
}

const MODEL_LINT_OPTIONS = ['x', 'y', 'rowsPerSample', 'stabilize', 'samples', 'seed', 'timeLimitMs', 'ranges', 'dims', 'threshold', 'digits'] as const;

/**
 * What `lintModel` needs of a model (a `Sequential`): its written graph at the current weights,
 * whether it is compiled, and its output (whose last dimension counts the classes of its labels).
 * @example
 * ```ts
 * const lintable: LintableModel = model;
 * ```
 */
export interface LintableModel {
  /** The model's written graph (`loss` and `prediction`) at its current weights. */
  toGraph(): Graph;
  readonly compiled: unknown;
  /** The inference-mode output node: its last dimension is the number of classes. */
  readonly output: Node;
}

/**
 * Lints `model`'s training graph; see `Sequential.lint`.
 * @example
 * ```ts
 * console.log(formatLint(await lintModel(model, { x, y })));
 * ```
 */
export async function lintModel(model: LintableModel, options: ModelLintOptions = {}): Promise<LintReport> {
  checkKnownOptions('lint', options, MODEL_LINT_OPTIONS);
  const { x, y, rowsPerSample = 1, stabilize = true, ...lintOptions } = options;
  if (typeof stabilize !== 'boolean') throw new ModelError(`lint: stabilize must be true or false, got ${String(stabilize)}`);
  if (!Number.isInteger(rowsPerSample) || rowsPerSample < 1) throw new ModelError(`lint: rowsPerSample must be a whole number >= 1, got ${String(rowsPerSample)}`);
  if ((x === undefined) !== (y === undefined)) throw new ModelError('lint: give both x and y (rows to measure on), or neither (inputs are drawn)');
  if (model.compiled === undefined) throw new ModelError('lint: the model is not compiled; call model.compile({ loss, optimizer }) first');
  // The written graph of a copy at the current weights: its params hold them.
  const written = model.toGraph();
  const lossOutput = written.outputs[written.outputNames.indexOf('loss')]!;
  const loss = lossOutput.shape.length === 0 ? lossOutput : lossOutput.mean();
  const params = written.nodes.filter((n) => n.op === 'param');
  const naive = prepareTraining({ loss, params }, { stabilize: false }).graph;
  const stabilized = (): ReturnType<typeof prepareTraining> => prepareTraining({ loss, params }, { stabilize: true });
  const inputs = naive.nodes.filter((n) => n.op === 'input');
  const features = inputs.find((n) => n.name === 'x')!;
  const labels = inputs.find((n) => n.name === 'y')!;
  const { lint } = await import('@stablegrad/lint');
  const units = model.output.shape.at(-1) as number;
  const ranges = {
    [features.name]: [-10, 10] as const,
    [labels.name]: labels.dtype === 'int32' ? [0, units - 1] as const : [0, 1] as const,
    ...lintOptions.ranges,
  };
  const points = x === undefined ? undefined : rowsOf(features, labels, tensor(x, { dtype: features.dtype }), tensor(y!, { dtype: labels.dtype }), rowsPerSample, lintOptions.samples ?? 300);
  return lint(naive, {
    ...lintOptions,
    ranges,
    dims: { batch: rowsPerSample, ...lintOptions.dims },
    stabilize: stabilize ? stabilized : false,
    ...(points === undefined ? {} : { points, samples: points.length }),
  });
}

/** Samples of `rowsPerSample` consecutive rows, starting at rows spread evenly over the data. */
function rowsOf(features: Node, labels: Node, x: Tensor, y: Tensor, rowsPerSample: number, samples: number): Feeds[] {
  const rows = x.shape[0] ?? 0;
  if (x.shape.length !== features.shape.length || y.shape[0] !== rows) {
    throw new ModelError(`lint: x must be [rows, ${features.shape.slice(1).join(', ')}] and y must have as many rows, got x ${JSON.stringify(x.shape)} and y ${JSON.stringify(y.shape)}`);
  }
  if (rows < rowsPerSample) throw new ModelError(`lint: x has ${rows} rows, fewer than rowsPerSample ${rowsPerSample}`);
  const starts = Math.min(samples, rows - rowsPerSample + 1);
  const xWidth = x.data.length / rows;
  const yWidth = y.data.length / rows;
  return Array.from({ length: starts }, (_, i) => {
    const start = Math.floor((i * (rows - rowsPerSample + 1)) / starts);
    // Shaped like the input they feed: labels given as [rows] feed a [batch, 1] input.
    const slice = (t: Tensor, width: number, node: Node): Tensor => ({
      ...rowRange(t, start, start + rowsPerSample),
      shape: [rowsPerSample, ...node.shape.slice(1).map((d) => (typeof d === 'number' ? d : width))],
    });
    return new Map<Node, Tensor>([[features, slice(x, xWidth, features)], [labels, slice(y, yWidth, labels)]]);
  });
}
