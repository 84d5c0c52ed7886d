/**
 * What the playground computes for a loss, without touching the page (so tests run it in Node):
 * the graph read from the text, what `stabilize` made of it (the `explain` report and the
 * before/after DOT picture), and the value and gradient of both graphs along the logit.
 * @module
 */
import { type DType, evaluate, graph, grad, input, type Node, parseExpression, tensor } from '@stablegrad/core';
import { toDiffDot } from '@stablegrad/dot';
import { explain, prepareTraining, type RewriteReport, stabilize } from '@stablegrad/rewrite';

/** A loss to start from: its name, its text, and the range of the swept variable. */
export interface LossExample {
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly from: number;
  readonly to: number;
}

/**
 * The examples: binary cross-entropy written from probabilities, the same loss as the tf.keras
 * backend writes it (the probability clipped to [1e-7, 1 - 1e-7] and 1e-7 added inside each
 * log), and the cancellation `(1 + a) - (1 - a)` of the project's seed, swept over tiny `a`.
 */
export const EXAMPLES: readonly LossExample[] = [
  { id: 'naive-bce', title: 'Naive binary cross-entropy', text: '-(y * log(sigmoid(z)) + (1 - y) * log(1 - sigmoid(z)))', from: -40, to: 40 },
  {
    id: 'keras-clipped',
    title: 'Keras-clipped cross-entropy (epsilon 1e-7)',
    text: '-(y * log(clip(sigmoid(z), 1e-7, 1 - 1e-7) + 1e-7) + (1 - y) * log(1 - clip(sigmoid(z), 1e-7, 1 - 1e-7) + 1e-7))',
    from: -40,
    to: 40,
  },
  { id: 'seed-cancellation', title: 'Cancellation (1 + a) - (1 - a)', text: '(1 + a) - (1 - a)', from: -1e-6, to: 1e-6 },
];

/**
 * The variables a loss may use, all scalars of the page's dtype: `z` the logit and `a` a small
 * number (whichever the text uses is swept along the x axis), `y` the label.
 */
export const VARIABLE_NAMES = ['z', 'y', 'a'] as const;

/** A loss read and stabilized. */
export interface Analysis {
  readonly text: string;
  readonly dtype: DType;
  /** The loss as written. */
  readonly naive: Node;
  /** The loss after `stabilize`. */
  readonly stabilized: Node;
  /** The variable swept along the x axis (`z`, or `a` when the text has no `z`). */
  readonly sweep: Node;
  /** The label `y` (fed, whether the text uses it or not). */
  readonly label: Node;
  readonly report: RewriteReport;
  /** `explain(report)`: one block per rule that fired. */
  readonly explanation: string;
  /** Names of the rules that fired, in order. */
  readonly rules: readonly string[];
  /** The before/after picture, for `renderSvg`. */
  readonly diffDot: string;
  /** d naive / d sweep, differentiated as written. */
  readonly naiveGradient: Node;
  /** The library's pipeline: stabilize, then grad, then simplify. */
  readonly stableLoss: Node;
  readonly stableGradient: Node;
}

/**
 * Reads `text` (an ExpressionError for bad text) and stabilizes it.
 * @example
 * ```ts
 * const analysis = analyze(EXAMPLES[0]!.text, 'float32');
 * analysis.rules; // [..., 'binary-cross-entropy', ...]
 * ```
 */
export function analyze(text: string, dtype: DType): Analysis {
  const [z, y, a] = VARIABLE_NAMES.map((name) => input([], { name, dtype })) as [Node, Node, Node];
  const written = parseExpression(text, { z, y, a });
  // A loss that is not a scalar (a broadcast, a reshape) is summed, so that it has a gradient.
  const naive = written.shape.length === 0 ? written : written.sum();
  const used = new Set(graph({ naive }).nodes.filter((n) => n.op === 'input').map((n) => n.name));
  const sweep = used.has('z') ? z : used.has('a') ? a : undefined;
  if (sweep === undefined) throw new PlaygroundError('the curves sweep z (a logit) or a: use one of them in the loss');
  const { graph: after, report } = stabilize(graph({ loss: naive }));
  const stabilized = after.outputs[0]!;
  const prepared = prepareTraining({ loss: naive, params: [sweep] });
  return {
    text,
    dtype,
    naive,
    stabilized,
    sweep,
    label: y,
    report,
    explanation: explain(report),
    rules: report.firings.map((f) => f.rule),
    diffDot: toDiffDot(graph({ loss: naive }), after, { report, title: 'before (grey) and after (green) stabilize' }),
    naiveGradient: grad(naive, sweep),
    stableLoss: prepared.loss,
    stableGradient: prepared.gradients[0]!,
  };
}

/** A problem with the loss that is not in its syntax. */
export class PlaygroundError extends Error {
  override name = 'PlaygroundError';
}

/** Value and gradient of both graphs at each point (NaN and infinities kept as computed). */
export interface Curves {
  readonly x: Float64Array;
  readonly naiveValue: Float64Array;
  readonly naiveGradient: Float64Array;
  readonly stableValue: Float64Array;
  readonly stableGradient: Float64Array;
}

/**
 * Evaluates both graphs and their gradients at `points` evenly spaced values of the swept
 * variable in [from, to], with the label fixed at `label`.
 * @example
 * ```ts
 * const c = curves(analyze('-log(sigmoid(z))', 'float32'), { from: -40, to: 40, points: 81, label: 1 });
 * c.stableValue[0]; // 40: -log(sigmoid(-40))
 * ```
 */
export function curves(analysis: Analysis, range: { from: number; to: number; points: number; label: number }): Curves {
  const { from, to, points, label } = range;
  if (!(Number.isFinite(from) && Number.isFinite(to) && from < to)) throw new PlaygroundError(`the range must have from < to, both finite; got [${from}, ${to}]`);
  if (!(Number.isInteger(points) && points >= 2 && points <= 10_000)) throw new PlaygroundError(`points must be an integer in 2..10000, got ${points}`);
  if (!Number.isFinite(label)) throw new PlaygroundError(`the label y must be a finite number, got ${label}`);
  const result = {
    x: new Float64Array(points),
    naiveValue: new Float64Array(points),
    naiveGradient: new Float64Array(points),
    stableValue: new Float64Array(points),
    stableGradient: new Float64Array(points),
  };
  const { dtype } = analysis;
  for (let i = 0; i < points; i++) {
    const x = from + ((to - from) * i) / (points - 1);
    const feeds = new Map([[analysis.sweep, tensor(x, { dtype })], [analysis.label, tensor(label, { dtype })]]);
    const [nv, ng] = evaluate([analysis.naive, analysis.naiveGradient], feeds);
    const [sv, sg] = evaluate([analysis.stableLoss, analysis.stableGradient], feeds);
    result.x[i] = x;
    result.naiveValue[i] = nv!.data[0]!;
    result.naiveGradient[i] = ng!.data[0]!;
    result.stableValue[i] = sv!.data[0]!;
    result.stableGradient[i] = sg!.data[0]!;
  }
  return result;
}

/**
 * Where a curve is not finite: how many points, and the first x. The page prints it under the
 * plot, since a chart cannot draw NaN.
 * @example
 * ```ts
 * nonFinite(Float64Array.of(1, NaN, Infinity), Float64Array.of(0, 1, 2)); // { count: 2, firstX: 1 }
 * ```
 */
export function nonFinite(values: Float64Array, x: Float64Array): { count: number; firstX: number | undefined } {
  let count = 0;
  let firstX: number | undefined;
  values.forEach((v, i) => {
    if (Number.isFinite(v)) return;
    count++;
    firstX ??= x[i];
  });
  return { count, firstX };
}
