/**
 * The lint's options: what users pass (`LintOptions`), their checks, and the settings the loop
 * runs with.
 * @module
 */
import type { Feeds, Graph, Node } from '@stablegrad/core';
import type { RewriteReport } from '@stablegrad/rewrite';
import { createMixedPrecisionMath, type DecimalMath } from '@stablegrad/testing';
import { LintError } from './errors.js';
import { checkRange, type Range } from './sampling.js';
import type { Tensor } from '@stablegrad/core';

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

export const DEFAULTS = { samples: 300, seed: 1, timeLimitMs: 60_000, threshold: 4, digits: 30, dim: 4 };
export const OPTION_NAMES = ['samples', 'seed', 'timeLimitMs', 'ranges', 'dims', 'threshold', 'stabilize', 'digits', 'points'];

export interface Settings {
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

export function checkOptions(options: LintOptions): Settings {
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

/** A declared range must name an input (by name or path): a typo would silently be ignored. */
export function checkRangeNames(ranges: ReadonlyMap<string, Range>, inputs: readonly Node[]): void {
  for (const name of ranges.keys()) {
    if (!inputs.some((x) => x.path === name || x.name === name)) {
      throw new LintError(`lint: ranges.${name} names no input of the graph (inputs: ${inputs.map((x) => `'${x.path}'`).join(', ') || 'none'})`);
    }
  }
}
