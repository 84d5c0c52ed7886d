/**
 * `lint`: where does a graph lose its digits? Samples the inputs, measures every node's local and
 * total error in bits against the high-precision reference, blames the nodes whose own op loses
 * digits, says where in the input space it happens, and checks whether `stabilize` fixes it by
 * running it and measuring again on the same samples.
 * @module
 */
import {
  bindFeeds, consumers, type Feeds, type Graph, graph, type GraphOutputs, isGraph, type Node, StablegradError, type Tensor, type TensorLike,
  topoSort,
} from '@stablegrad/core';
import { type RewriteReport, stabilize as runStabilize } from '@stablegrad/rewrite';
import { type Accumulator, record, summarize } from './accumulate.js';
import { LintError } from './errors.js';
import { measurableNodes, measureSample } from './measure.js';
import { checkOptions, checkRangeNames, DEFAULTS, type LintOptions, type Settings, type StabilizeCheck } from './options.js';
import type { LintReport, NodeLint, StabilizedLint, StabilizeVerdict } from './report.js';
import { type Range, rangeOf, sampleTensor, seededRandom } from './sampling.js';

/**
 * Finds where a graph loses floating-point accuracy. Every float op node is measured on sampled
 * inputs: its *local* error (its own op, on exactly computed inputs: the blame) and its *total*
 * error (its value as computed), in bits. Nodes whose mean local error reaches `threshold` are
 * flagged, with where it happens (`z > 36.7`) and whether `stabilize` fixes it. Forward and
 * gradient graphs alike; deterministic for a seed.
 * @example
 * ```ts
 * const z = input(['batch'], { dtype: 'float64', name: 'z' });
 * const y = input(['batch'], { dtype: 'float64', name: 'y' });
 * const p = sigmoid(z);
 * const loss = neg(add(mul(y, log(p)), mul(sub(1, y), log(sub(1, p))))).mean();
 * const report = lint({ loss }, { ranges: { y: [0, 1] } });
 * report.flagged.map((n) => n.node.op);  // ['log', 'log', 'sub']: log p, log(1 - p), 1 - p
 * report.flagged.find((n) => n.node.op === 'sub')?.region?.condition; // 'z > 22.2': 1 - p has lost half its bits
 * report.stabilized?.clean;              // true: the fused sigmoidCrossEntropyWithLogits loses nothing
 * console.log(formatLint(report));
 * ```
 */
export function lint(g: Graph | GraphOutputs, options: LintOptions = {}): LintReport {
  const started = Date.now();
  const settings = checkOptions(options);
  const whole = isGraph(g) ? g : graph(g);
  const measured = measureGraph(whole, settings, started);
  if (settings.stabilize === false) return { ...strip(measured, started) };
  const { graph: after, report } = settings.stabilize === true ? runStabilize(whole) : checkedStabilize(settings.stabilize, whole);
  const afterLint = measureGraph(after, { ...settings, samplesGiven: measured.feeds }, started);
  const clean = afterLint.flagged.length === 0;
  const kept = new Set(after.nodes);
  // A node merged with an equal one (common subexpressions) is gone but not fixed: its twin,
  // the same op on inputs of the same paths, is still flagged. (Paths alone are not unique.)
  const stillFlagged = new Set(afterLint.flagged.map((n) => twinKey(n.node)));
  const verdict = (n: NodeLint): NodeLint => {
    if (!n.flagged) return n;
    const unchanged = kept.has(n.node) || stillFlagged.has(twinKey(n.node));
    const stabilize: StabilizeVerdict = unchanged ? 'unchanged' : clean ? 'fixed' : 'improved';
    return { ...n, stabilize };
  };
  const nodes = measured.nodes.map(verdict);
  const byNode = new Map(nodes.map((n) => [n.node, n]));
  const stabilized: StabilizedLint = { report, graph: after, lint: strip(afterLint, started), clean };
  return {
    ...strip(measured, started),
    nodes,
    flagged: measured.flagged.map((n) => byNode.get(n.node)!),
    outputs: measured.outputs.map((n) => byNode.get(n.node)!),
    elapsedMs: Date.now() - started,
    stabilized,
  };
}

/** Runs a user's stabilize function and checks what it gives back. */
function checkedStabilize(check: StabilizeCheck, g: Graph): { graph: Graph; report: RewriteReport } {
  const result = check(g) as { graph?: unknown; report?: unknown } | undefined;
  if (result === undefined || !isGraph(result.graph) || typeof result.report !== 'object' || result.report === null) {
    throw new LintError('lint: the stabilize function must return { graph, report } (as stabilize and prepareTraining do)');
  }
  const inputs = new Set(g.nodes.filter((n) => n.op === 'input'));
  const foreign = result.graph.nodes.filter((n) => n.op === 'input' && !inputs.has(n));
  if (foreign.length > 0) {
    throw new LintError(`lint: the graph the stabilize function returned reads inputs the linted graph does not have: ${foreign.map((n) => `'${n.path}'`).join(', ')}`);
  }
  return result as { graph: Graph; report: RewriteReport };
}

/** What makes two nodes the same computation once common subexpressions are merged. */
function twinKey(node: Node): string {
  return JSON.stringify([node.path, node.op, node.attrs, node.inputs.map((n) => n.path)]);
}

interface Measured extends Omit<LintReport, 'elapsedMs' | 'stabilized'> {
  readonly feeds: readonly ReadonlyMap<Node, Tensor>[];
}

function strip(m: Measured, started: number): LintReport {
  const { feeds: _feeds, ...rest } = m;
  return { ...rest, elapsedMs: Date.now() - started };
}

/** Measures one sample; errors of kernels or references (an index out of range) say which sample and what to change. */
function measureWithContext<T>(measure: () => T, draw: number, fromPoints: boolean): T {
  try {
    return measure();
  } catch (e) {
    if (!(e instanceof StablegradError) || e instanceof LintError) throw e;
    const where = fromPoints ? `points[${draw}]` : `drawn sample ${draw}`;
    const advice = fromPoints ? 'check that point' : 'declare ranges (int32 labels and indices: [0, classes - 1]) or dims that fit the graph';
    throw new LintError(`lint: ${where} cannot be evaluated: ${e.message}; ${advice}`);
  }
}

function measureGraph(g: Graph, settings: Settings, started: number): Measured {
  const nodes = topoSort(g.outputs);
  const measured = measurableNodes(nodes);
  const inputs = nodes.filter((n) => n.op === 'input');
  const readers = consumers(nodes);
  if (settings.samplesGiven === undefined) checkRangeNames(settings.ranges, inputs);
  const ranges = new Map(inputs.map((x) => [x, rangeOf(x, readers.get(x) ?? [], settings.ranges)]));
  if (measured.length === 0) {
    throw new LintError('lint: nothing to measure: the graph has no float operation (only inputs, params, constants or int32 values)');
  }
  // Two streams: what is drawn depends on the seed only, not on how many nodes keep observations.
  const random = seededRandom(settings.seed);
  const reservoirRandom = seededRandom(settings.seed ^ 0x5bd1e995);
  const acc = new Map<Node, Accumulator>();
  const feeds: ReadonlyMap<Node, Tensor>[] = [];
  let rejected = 0;
  let decimalSamples = 0;
  let stoppedBy: 'samples' | 'time' | 'rejections' = 'samples';
  // Given points are measured as they are, each once; drawn samples may be redrawn when rejected.
  const given = settings.samplesGiven;
  const maxDraws = given?.length ?? (settings.points.length > 0 ? settings.points.length : settings.samples * 4 + 16);
  let draw = 0;
  for (; feeds.length < settings.samples && draw < maxDraws; draw++) {
    if (Date.now() - started > settings.timeLimitMs && feeds.length > 0) {
      stoppedBy = 'time';
      break;
    }
    const sample = given?.[draw] ?? drawSample(inputs, ranges, settings, draw, random);
    const result = measureWithContext(() => measureSample(nodes, g.outputs, measured, sample, settings.math), draw, settings.points.length > 0);
    if (result === undefined) {
      rejected++;
      continue;
    }
    if (result.reference === 'decimal') decimalSamples++;
    record(acc, result.nodes, feeds.length, settings.threshold, reservoirRandom);
    feeds.push(sample);
  }
  if (stoppedBy === 'samples' && feeds.length < settings.samples && given === undefined && settings.points.length === 0) stoppedBy = 'rejections';
  if (feeds.length === 0) {
    throw new LintError(
      `lint: none of ${rejected} samples gives a real-valued output (the true value is NaN for all of them); ` +
        `declare input ranges where the graph is defined (ranges: { ${inputs.map((x) => `${x.name}: [min, max]`).join(', ')} })`,
    );
  }
  const nodeLints = measured.map((node) => summarize(node, acc.get(node)!, settings.threshold, inputs, feeds));
  const flagged = nodeLints.filter((n) => n.flagged).sort((a, b) => b.local.mean - a.local.mean);
  const byNode = new Map(nodeLints.map((n) => [n.node, n]));
  const outputs = g.outputs.flatMap((o) => byNode.get(o) ?? []);
  return {
    graph: g, nodes: nodeLints, flagged, outputs, samples: feeds.length, rejected, decimalSamples, stoppedBy, seed: settings.seed,
    threshold: settings.threshold, feeds,
  };
}

/** One sample: a given point (with missing inputs drawn), or every input drawn. */
function drawSample(
  inputs: readonly Node[], ranges: ReadonlyMap<Node, Range>, settings: Settings, draw: number, random: () => number,
): ReadonlyMap<Node, Tensor> {
  const point = settings.points[draw];
  const fed = point === undefined ? new Map<Node, Tensor>() : bindPoint(inputs, point, draw);
  const dims = new Map(settings.dims);
  for (const [node, t] of fed) node.shape.forEach((d, i) => typeof d === 'string' && dims.set(d, t.shape[i]!));
  const sample = new Map<Node, Tensor>(fed);
  for (const x of inputs) {
    if (sample.has(x)) continue;
    const shape = x.shape.map((d) => (typeof d === 'number' ? d : (d !== null ? dims.get(d) : undefined) ?? DEFAULTS.dim));
    sample.set(x, sampleTensor(x.dtype, shape, ranges.get(x)!, random));
  }
  return sample;
}

/** A user's point checked like `evaluate`'s feeds; inputs it leaves out are drawn. */
function bindPoint(inputs: readonly Node[], point: Feeds, draw: number): Map<Node, Tensor> {
  if (typeof point !== 'object' || point === null || Array.isArray(point)) {
    throw new LintError(`lint: points[${draw}] must be feeds (a Map from input nodes, or an object keyed by input name), got ${point === null ? 'null' : Array.isArray(point) ? 'an array' : typeof point}`);
  }
  const known = (): string => inputs.map((x) => `'${x.path}'`).join(', ');
  if (point instanceof Map) {
    const stranger = [...point.keys()].find((k) => !inputs.includes(k as Node));
    if (stranger !== undefined) throw new LintError(`lint: points[${draw}] feeds ${String(stranger)}, which is not an input of the graph (inputs: ${known()})`);
  } else {
    const stranger = Object.keys(point).find((k) => !inputs.some((x) => x.path === k || x.name === k));
    if (stranger !== undefined) throw new LintError(`lint: points[${draw}] names '${stranger}', which is not an input of the graph (inputs: ${known()})`);
  }
  const byName = point as { readonly [name: string]: TensorLike };
  const given: ReadonlyMap<Node, TensorLike> = point instanceof Map
    ? point
    : new Map(inputs.filter((x) => x.path in byName || x.name in byName).map((x) => [x, byName[x.path] ?? byName[x.name]!]));
  try {
    return bindFeeds(inputs.filter((x) => given.has(x)), given).values;
  } catch (e) {
    throw new LintError(`lint: points[${draw}]: ${e instanceof Error ? e.message : String(e)}`);
  }
}
