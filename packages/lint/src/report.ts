/**
 * What `lint` returns: per node, the local and total error, where, and what stabilize does; for
 * the graph, the samples and the stabilize check.
 * @module
 */
import type { Graph, Node } from '@stablegrad/core';
import type { RewriteReport } from '@stablegrad/rewrite';
import type { Region } from './region.js';

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
