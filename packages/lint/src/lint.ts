/**
 * `lint`: where does a graph lose its digits? Samples the inputs, measures every node's local and
 * total error in bits against the high-precision reference, blames the nodes whose own op loses
 * digits, says where in the input space it happens, and checks whether `stabilize` fixes it by
 * running it and measuring again on the same samples.
 * @module
 */
import {
  bindFeeds, consumers, StablegradError, type ConcreteShape, type Feeds, type Graph, graph, type GraphOutputs, isGraph, type Node, type Tensor,
  type TensorLike, topoSort,
} from '@stablegrad/core';
import { type RewriteReport, stabilize as runStabilize } from '@stablegrad/rewrite';
import { createMixedPrecisionMath, type DecimalMath } from '@stablegrad/testing';
import { LintError } from './errors.js';
import { MAX_BITS, measurableNodes, measureSample, type NodeSample } from './measure.js';
import { findRegion, type Observation, type Region, upstreamVariables, variablesFor } from './region.js';
import { checkRange, type Range, rangeOf, sampleTensor, seededRandom } from './sampling.js';

/**
 * Options of `lint`.
 * @example
 * ```ts
 * lint({ loss }, { samples: 500, seed: 7, ranges: { y: [0, 1] }, dims: { batch: 8 }, threshold: 2 });
 * ```
 */
export interface LintOptions {
  /** How many samples (points of the input space) to measure; default 300. */
  readonly samples?: number;
  /** Seed of the sampler: the same seed gives the same samples and the same report. Default 1. */
  readonly seed?: number;
  /** Stop sampling after this many milliseconds even if fewer samples were measured; default 60,000. */
  readonly timeLimitMs?: number;
  /**
   * Value ranges `[min, max]` per input (by name or scope path). Inputs without one are drawn
   * from the domain of the ops that read them (log: `[0, inf]`, cross-entropy labels: `[0, 1]`),
   * else from every finite value of their dtype; int32 inputs default to `[0, 1]`.
   */
  readonly ranges?: { readonly [input: string]: Range };
  /** Sizes of symbolic dimensions (`batch`, ...); every other unknown dimension is 4. */
  readonly dims?: { readonly [name: string]: number };
  /** A node is flagged when its mean local error is at least this many bits; default 4. */
  readonly threshold?: number;
  /**
   * Also run `stabilize` and measure its result on the same samples (default true); or a
   * function giving the graph to compare with, e.g. for a gradient graph, the one
   * `prepareTraining` builds with stabilize (stabilize the loss, then differentiate).
   */
  readonly stabilize?: boolean | StabilizeCheck;
  /**
   * Significant digits of the reference's rounded operations (quotients, roots, exp, log; sums
   * and products are exact); default 30.
   */
  readonly digits?: number;
  /**
   * Points to measure instead of (the first of) the drawn samples, e.g. rows of a data set;
   * inputs a point does not feed are drawn as usual.
   */
  readonly points?: readonly Feeds[];
}

/**
 * What the stabilize check compares with: the rewritten graph (its outputs in the same order as
 * the linted graph's) and the rewrite's report.
 * @example
 * ```ts
 * const check: StabilizeCheck = () => prepareTraining({ loss, params }, { stabilize: true });
 * lint(prepareTraining({ loss, params }, { stabilize: false }).graph, { stabilize: check });
 * ```
 */
export type StabilizeCheck = (g: Graph) => { readonly graph: Graph; readonly report: RewriteReport };

/**
 * Bits of error over all measured elements of all samples.
 * @example
 * ```ts
 * const { mean, max }: ErrorStats = report.outputs[0]!.total;
 * ```
 */
export interface ErrorStats {
  readonly mean: number;
  readonly max: number;
}

/**
 * The element where a node's local error was largest.
 * @example
 * ```ts
 * const { bits, computed, exact, at } = nodeLint.worst!;
 * ```
 */
export interface WorstCase {
  /** Its local error in bits. */
  readonly bits: number;
  /** The interpreter's value of the node there. */
  readonly computed: number;
  /** The true value, correctly rounded. */
  readonly exact: number;
  /** The inputs there: aligned elements (`z`), or summaries of whole inputs (`max(x)`). */
  readonly at: { readonly [variable: string]: number };
}

/**
 * What `stabilize` does about a flagged node: rewrites it and the graph is clean (`fixed`),
 * rewrites it but other nodes stay flagged (`improved`), or leaves it as it is (`unchanged`).
 * @example
 * ```ts
 * const verdict: StabilizeVerdict = 'fixed';
 * ```
 */
export type StabilizeVerdict = 'fixed' | 'improved' | 'unchanged';

/**
 * The lint's findings for one node.
 * @example
 * ```ts
 * for (const n of report.flagged) console.log(n.node.path, n.local.mean, n.region?.condition);
 * ```
 */
export interface NodeLint {
  readonly node: Node;
  /** Error the node's own op introduces, given exactly computed inputs (blame). */
  readonly local: ErrorStats;
  /** Error of the node's value as the interpreter computes it (accumulated). */
  readonly total: ErrorStats;
  /** Share of measured elements with at least `threshold` bits of local error. */
  readonly badShare: number;
  /**
   * Share of elements whose true value is finite but beyond the dtype's range (it rounds to an
   * infinity). Reported, not flagged; the nodes reading such a value are not blamed for it (their
   * local error is not measured in those samples).
   */
  readonly overflowShare: number;
  /** Share of measured elements whose local error is at least half the dtype's bits (32 of float64's 64, 16 of float32's 32). */
  readonly lostHalfShare: number;
  /**
   * Mean local error at or above `threshold`, or at least 1% of the elements losing half
   * their bits: a rare but total loss (naive cross-entropy past the point where sigmoid rounds
   * to 1) is a finding even where the mean stays small.
   */
  readonly flagged: boolean;
  /** Where the large local errors happen (flagged nodes only; undefined if no simple condition explains them). */
  readonly region?: Region & { /** The bits of local error the condition describes (at least). */ readonly bits: number };
  /** The element with the largest local error (flagged nodes only). */
  readonly worst?: WorstCase;
  /** What stabilize does about it (flagged nodes, when stabilize was run). */
  readonly stabilize?: StabilizeVerdict;
}

/**
 * What `stabilize` changes, measured on the same samples.
 * @example
 * ```ts
 * if (report.stabilized?.clean) console.log('stabilize fixes every finding');
 * ```
 */
export interface StabilizedLint {
  /** The rewrite's report (`explain(report)` prints it). */
  readonly report: RewriteReport;
  /** The stabilized graph. */
  readonly graph: Graph;
  /** Its lint (without a further stabilize check). */
  readonly lint: LintReport;
  /** No node of the stabilized graph is flagged. */
  readonly clean: boolean;
}

/**
 * The result of `lint`.
 * @example
 * ```ts
 * const report = lint({ loss }, { ranges: { y: [0, 1] } });
 * console.log(formatLint(report));
 * ```
 */
export interface LintReport {
  /** The graph that was measured. */
  readonly graph: Graph;
  /** Every measured node (float ops), in graph order. */
  readonly nodes: readonly NodeLint[];
  /** The flagged nodes, worst (largest mean local error) first. */
  readonly flagged: readonly NodeLint[];
  /** The graph's outputs (float ones), in order. */
  readonly outputs: readonly NodeLint[];
  /** Samples measured. */
  readonly samples: number;
  /** Samples drawn but left out because an output's true value is not a real number there. */
  readonly rejected: number;
  /**
   * Samples whose true values came from the decimal reference: the fast double-double one could
   * not be trusted there (cancellation beyond 45 bits, overflow, underflow).
   */
  readonly decimalSamples: number;
  /**
   * Why sampling stopped: the sample count was reached (or the given points were used up), the
   * time limit (checked between samples; each pass measures at least one), or too many drawn
   * samples were rejected (four times the samples asked for).
   */
  readonly stoppedBy: 'samples' | 'time' | 'rejections';
  readonly seed: number;
  readonly threshold: number;
  /** Wall time of the whole lint, including the stabilize check. */
  readonly elapsedMs: number;
  /** The stabilize check, unless it was turned off. */
  readonly stabilized?: StabilizedLint;
}

const DEFAULTS = { samples: 300, seed: 1, timeLimitMs: 60_000, threshold: 4, digits: 30, dim: 4 };
const OPTION_NAMES = ['samples', 'seed', 'timeLimitMs', 'ranges', 'dims', 'threshold', 'stabilize', 'digits', 'points'];
/** Share of elements losing half their bits that flags a node whatever its mean error. */
const LOST_HALF_SHARE = 0.01;
/** Observations kept per node for the region search (a uniform reservoir). */
const RESERVOIR = 4000;

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

interface Settings {
  readonly samples: number;
  readonly seed: number;
  readonly timeLimitMs: number;
  readonly ranges: ReadonlyMap<string, Range>;
  readonly dims: ReadonlyMap<string, number>;
  readonly threshold: number;
  readonly stabilize: boolean | StabilizeCheck;
  readonly math: DecimalMath;
  readonly points: readonly Feeds[];
  /** Samples to reuse (the stabilize check measures the same points). */
  readonly samplesGiven?: readonly ReadonlyMap<Node, Tensor>[];
}

interface Measured extends Omit<LintReport, 'elapsedMs' | 'stabilized'> {
  readonly feeds: readonly ReadonlyMap<Node, Tensor>[];
}

function strip(m: Measured, started: number): LintReport {
  const { feeds: _feeds, ...rest } = m;
  return { ...rest, elapsedMs: Date.now() - started };
}

/** Per-node running sums over all samples. */
interface Accumulator {
  count: number;
  localSum: number;
  localMax: number;
  totalSum: number;
  totalMax: number;
  bad: number;
  lostHalf: number;
  /** Elements seen, including those of samples where local error was not measured. */
  elements: number;
  overflows: number;
  seen: number;
  reservoir: Observation[];
  worst: { bits: number; sample: number; element: number; computed: number; exact: number } | undefined;
  /** The node's shape in each sample (batches may differ between given points). */
  shapes: ConcreteShape[];
}

/** A declared range must name an input (by name or path): a typo would silently be ignored. */
function checkRangeNames(ranges: ReadonlyMap<string, Range>, inputs: readonly Node[]): void {
  for (const name of ranges.keys()) {
    if (!inputs.some((x) => x.path === name || x.name === name)) {
      throw new LintError(`lint: ranges.${name} names no input of the graph (inputs: ${inputs.map((x) => `'${x.path}'`).join(', ') || 'none'})`);
    }
  }
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
  const nodeLints = measured.map((node) => summarize(node, acc.get(node)!, settings, inputs, feeds));
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

function record(acc: Map<Node, Accumulator>, result: ReadonlyMap<Node, NodeSample>, sample: number, threshold: number, random: () => number): void {
  for (const [node, s] of result) {
    let a = acc.get(node);
    if (a === undefined) {
      a = { count: 0, localSum: 0, localMax: 0, totalSum: 0, totalMax: 0, bad: 0, lostHalf: 0, elements: 0, overflows: 0, seen: 0, reservoir: [], worst: undefined, shapes: [] };
      acc.set(node, a);
    }
    a.shapes[sample] = s.computed.shape;
    a.elements += s.local.length;
    a.overflows += s.overflows;
    if (s.inputOverflowed) continue;
    for (let k = 0; k < s.local.length; k++) {
      const bits = s.local[k]!;
      a.count++;
      a.localSum += bits;
      if (bits >= threshold) a.bad++;
      if (bits >= halfBits(node)) a.lostHalf++;
      a.totalSum += s.total[k]!;
      a.totalMax = Math.max(a.totalMax, s.total[k]!);
      a.localMax = Math.max(a.localMax, bits);
      if (a.worst === undefined || bits > a.worst.bits) a.worst = { bits, sample, element: k, computed: s.computed.data[k]!, exact: s.exact[k]! };
      // Reservoir sampling keeps a uniform subset of every element ever seen.
      const observation = { bits, sample, element: k };
      a.seen++;
      if (a.reservoir.length < RESERVOIR) a.reservoir.push(observation);
      else {
        const j = Math.floor(random() * a.seen);
        if (j < RESERVOIR) a.reservoir[j] = observation;
      }
    }
  }
}

function summarize(node: Node, a: Accumulator | undefined, settings: Settings, inputs: readonly Node[], feeds: readonly ReadonlyMap<Node, Tensor>[]): NodeLint {
  if (a === undefined || a.count === 0) {
    const overflowShare = a === undefined ? 0 : a.overflows / Math.max(1, a.elements);
    return { node, local: { mean: 0, max: 0 }, total: { mean: 0, max: 0 }, badShare: 0, lostHalfShare: 0, overflowShare, flagged: false };
  }
  const local = { mean: a.localSum / a.count, max: a.localMax };
  const total = { mean: a.totalSum / a.count, max: a.totalMax };
  const badShare = a.bad / a.count;
  const lostHalfShare = a.lostHalf / a.count;
  const flagged = local.mean >= settings.threshold || lostHalfShare >= LOST_HALF_SHARE;
  const overflowShare = a.overflows / Math.max(1, a.elements);
  if (!flagged) return { node, local, total, badShare, lostHalfShare, overflowShare, flagged };
  // Inputs and upstream values that line up with the node first; summaries of whole inputs
  // (their max, min, spread) only when none of those explains the errors.
  const { aligned, summaries } = variablesFor(a.shapes, inputs, feeds);
  const lined = [...aligned, ...upstreamVariables(node, a.shapes, feeds)];
  // Describe where half the digits are gone if that happens, else where the threshold is crossed.
  const level = a.lostHalf > 0 ? halfBits(node) : settings.threshold;
  const isBad = (o: Observation): boolean => o.bits >= level;
  const badShareAtLevel = a.reservoir.filter(isBad).length / a.reservoir.length;
  // Past nine in ten bad points there is no region to describe: it is the whole input space.
  const everywhere: Region | undefined = badShareAtLevel >= 0.9 ? { condition: 'everywhere', recall: 1, precision: badShareAtLevel } : undefined;
  const region = everywhere ?? findRegion(a.reservoir, isBad, lined) ?? findRegion(a.reservoir, isBad, summaries);
  const w = a.worst!;
  const at = Object.fromEntries([...lined, ...summaries].map((v) => [v.name, v.value(w.sample, w.element)]));
  return {
    node, local, total, badShare, lostHalfShare, overflowShare, flagged,
    ...(region === undefined ? {} : { region: { ...region, bits: level } }),
    worst: { bits: w.bits, computed: w.computed, exact: w.exact, at },
  };
}

function checkOptions(options: LintOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new LintError(`lint: options must be an object, got ${String(options)}`);
  const unknown = Object.keys(options).filter((k) => !OPTION_NAMES.includes(k));
  if (unknown.length > 0) throw new LintError(`lint: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (options: ${OPTION_NAMES.join(', ')})`);
  const whole = (name: string, value: unknown, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new LintError(`lint: ${name} must be a whole number >= ${min}, got ${String(value)}`);
    return value;
  };
  const threshold = options.threshold ?? DEFAULTS.threshold;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 64)) throw new LintError(`lint: threshold must be a number of bits in (0, 64], got ${String(threshold)}`);
  const ranges = new Map(Object.entries(options.ranges ?? {}).map(([name, r]) => [name, checkRange(name, r)]));
  const dims = new Map(Object.entries(options.dims ?? {}).map(([name, d]) => [name, whole(`dims.${name}`, d, 0, 1)]));
  if (options.stabilize !== undefined && typeof options.stabilize !== 'boolean' && typeof options.stabilize !== 'function') {
    throw new LintError(`lint: stabilize must be true, false or a function giving the graph to compare with, got ${String(options.stabilize)}`);
  }
  if (options.points !== undefined && (!Array.isArray(options.points) || options.points.length === 0)) {
    throw new LintError('lint: points must be a non-empty array of feeds (leave it out to draw samples)');
  }
  if (options.ranges !== undefined && (typeof options.ranges !== 'object' || options.ranges === null || Array.isArray(options.ranges))) {
    throw new LintError('lint: ranges must be an object: { inputName: [min, max] }');
  }
  if (options.seed !== undefined && !(Number.isInteger(options.seed) && options.seed >= 0 && options.seed < 2 ** 32)) {
    throw new LintError(`lint: seed must be a whole number in [0, 2^32), got ${String(options.seed)}`);
  }
  if (options.digits !== undefined && !(Number.isInteger(options.digits) && options.digits >= 20 && options.digits <= 200)) {
    throw new LintError(`lint: digits must be a whole number in [20, 200], got ${String(options.digits)}`);
  }
  const samples = whole('samples', options.samples, options.points?.length ?? DEFAULTS.samples, 1);
  return {
    samples,
    seed: whole('seed', options.seed, DEFAULTS.seed, 0),
    timeLimitMs: whole('timeLimitMs', options.timeLimitMs, DEFAULTS.timeLimitMs, 1),
    ranges, dims, threshold,
    stabilize: options.stabilize ?? true,
    math: createMixedPrecisionMath(whole('digits', options.digits, DEFAULTS.digits, 20)),
    points: options.points ?? [],
  };
}

function halfBits(node: Node): number {
  return MAX_BITS[node.dtype as 'float32' | 'float64'] / 2;
}
