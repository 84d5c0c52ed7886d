/**
 * `prepareTraining`: the graphs of a training step, before any backend runs them. Stabilize the
 * forward graph, differentiate it, then simplify the forward and gradient graphs together.
 * Stabilizing before `grad` is what makes the gradients come out as `sigmoid(z) - y` and
 * `softmax(z) - y` (the fused loss ops' own VJPs) instead of divisions by saturated
 * probabilities. The result is graphs, run by core's `evaluate` or by `compile` from
 * `@stablegrad/compile`, which schedules them onto buffers.
 * @module
 */
import { grad, type Graph, type Node, StablegradError, topoSort } from '@stablegrad/core';
import { checkOptionKeys, withRuleContext } from './context.js';
import { rewrite, type RewriteReport } from './engine.js';
import { PHASES } from './rules/index.js';
import { STABILIZE_OPTIONS, type StabilizeOptions } from './stabilize.js';

/**
 * What to train: a scalar loss, the params to train, and other outputs to keep (predictions).
 * @example
 * ```ts
 * const training: TrainingGraph = { loss, params: [W, b], outputs: { prediction: sigmoid(logits) } };
 * prepareTraining(training);
 * ```
 */
export interface TrainingGraph {
  /** A scalar float node. */
  readonly loss: Node;
  /** The nodes to differentiate with respect to (params, or inputs). */
  readonly params: readonly Node[];
  /** Further outputs by name, e.g. `{ prediction: sigmoid(z) }`; they share nodes with the loss. */
  readonly outputs?: { readonly [name: string]: Node };
}

/**
 * Options of `prepareTraining`, plus the rewrite engine's limits.
 * @example
 * ```ts
 * prepareTraining({ loss, params: [W] }, { stabilize: false }); // plain grad + simplify, for comparisons
 * ```
 */
export interface PrepareTrainingOptions extends StabilizeOptions {
  /** Run canonicalize and stabilize on the forward graph first (default true; false for comparisons). */
  readonly stabilize?: boolean;
}

/**
 * The prepared training graphs: loss, gradients and outputs, stabilized and simplified.
 * @example
 * ```ts
 * const { loss: stableLoss, gradients, graph: whole, report } = prepareTraining({ loss, params: [W, b] });
 * const [lossValue, dW, db] = evaluate([stableLoss, ...gradients], feeds);
 * ```
 */
export interface PreparedTraining {
  /** The (stabilized, simplified) loss. */
  readonly loss: Node;
  /** d loss / d param, one per param, in order. */
  readonly gradients: readonly Node[];
  /** The other outputs, by the names given. */
  readonly outputs: { readonly [name: string]: Node };
  /** Everything in one graph: outputs `loss`, `grad(<param path>)` per param, then the named outputs. */
  readonly graph: Graph;
  /** Every firing, stabilize phases (on the forward graph) first, then simplify (on the whole). */
  readonly report: RewriteReport;
}

/**
 * Stabilizes the forward graph (loss and outputs), differentiates the loss with core's `grad`,
 * and simplifies the combined graph (constant folding, common subexpressions, identities).
 * With `stabilize: false` the forward graph is differentiated as written (and still simplified).
 * @example
 * ```ts
 * const z = input([4], { name: 'z' });
 * const y = input([4], { name: 'y' });
 * const p = sigmoid(z);
 * const loss = mean(neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))));
 * const { gradients } = prepareTraining({ loss, params: [z] });
 * formatExpression(gradients[0]); // 'mul(0.25, sigmoidCrossEntropyGrad(z, y))'
 * ```
 */
export function prepareTraining(model: TrainingGraph, options: PrepareTrainingOptions = {}): PreparedTraining {
  return prepare(model, options, 'prepareTraining');
}

/**
 * The former name of {@link prepareTraining}, which prepares graphs and compiles nothing (the
 * compile package's `compile` does). Its errors name `compileTraining`.
 * @deprecated Use {@link prepareTraining}.
 * @example
 * ```ts
 * compileTraining({ loss, params: [W, b] }); // the same as prepareTraining({ loss, params: [W, b] })
 * ```
 */
export function compileTraining(model: TrainingGraph, options: PrepareTrainingOptions = {}): PreparedTraining {
  return prepare(model, options, 'compileTraining');
}

/**
 * The former name of {@link PrepareTrainingOptions}.
 * @deprecated Use {@link PrepareTrainingOptions}.
 * @example
 * ```ts
 * const options: CompileTrainingOptions = { stabilize: false };
 * ```
 */
export type CompileTrainingOptions = PrepareTrainingOptions;

/**
 * The former name of {@link PreparedTraining}.
 * @deprecated Use {@link PreparedTraining}.
 * @example
 * ```ts
 * const training: CompiledTraining = prepareTraining({ loss, params: [W] });
 * ```
 */
export type CompiledTraining = PreparedTraining;

// `where` names the function the caller called, in option and output-name errors.
function prepare(model: TrainingGraph, options: PrepareTrainingOptions, where: string): PreparedTraining {
  checkOptionKeys(options, [...STABILIZE_OPTIONS, 'stabilize'], where);
  const names = Object.keys(model.outputs ?? {});
  const gradientNames = uniqueNames(model.params.map((p) => `grad(${p.path})`));
  const taken = new Set(['loss', ...gradientNames]);
  for (const name of names) {
    if (taken.has(name)) throw new StablegradError(`${where}: the output name '${name}' is taken by the loss or a gradient; rename the output`);
  }

  let forward = [model.loss, ...names.map((name) => model.outputs![name]!)];
  let stabilized: RewriteReport = { firings: [], phases: [] };
  if (options.stabilize ?? true) {
    const phases = PHASES.filter((phase) => phase.name !== 'simplify');
    const result = withRuleContext(options, () => rewrite(asGraph(forward, ['loss', ...names]), phases, options));
    forward = [...result.graph.outputs];
    stabilized = result.report;
  }

  const loss = forward[0]!;
  const gradients = grad(loss, model.params);
  const whole = asGraph([loss, ...gradients, ...forward.slice(1)], ['loss', ...gradientNames, ...names]);
  const simplified = rewrite(whole, PHASES.filter((phase) => phase.name === 'simplify'), options);
  const out = simplified.graph.outputs;
  const count = model.params.length;
  return {
    loss: out[0]!,
    gradients: out.slice(1, 1 + count),
    outputs: Object.fromEntries(names.map((name, i) => [name, out[1 + count + i]!])),
    graph: simplified.graph,
    report: {
      firings: [...stabilized.firings, ...simplified.report.firings],
      phases: [...stabilized.phases, ...simplified.report.phases],
    },
  };
}

function asGraph(outputs: readonly Node[], outputNames: readonly string[]): Graph {
  return { outputs, outputNames, nodes: topoSort(outputs) };
}

// Params with the same path get `#2`, `#3`, ... so that every output has its own name.
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}#${n}`;
  });
}
