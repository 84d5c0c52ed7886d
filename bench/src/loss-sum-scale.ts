/**
 * G1, loss sums (stablegrad only): a loss written as one long chain of `± y_i log sigmoid(z_i)`
 * terms, 1,000 to 16,000 of them, timed through `stabilize` alone. Every term is rewritten
 * (sigmoid cross-entropy), so this is the rewrite engine's worst case on wide graphs, where the
 * MLPs of graph-scale.ts measure deep ones. Two shapes: scalar terms, and `[batch]` terms
 * averaged, with a softmax cross-entropy every 50th term. The engine's work counts (rule
 * attempts per node) show whether the cost per node stays flat as the loss grows.
 * @module
 */
import { add, input, log, mean, mul, neg, type Node, sigmoid, softmax, sub, sum, topoSort } from '@stablegrad/core';
import { stabilize } from '@stablegrad/rewrite';

/**
 * The shapes of the terms: `scalar` (`y_i log sigmoid(z_i)` on scalars) or `batch`
 * (`mean(y_i log sigmoid(z_i))` on `[batch]` vectors, every 50th term a softmax cross-entropy
 * on `[batch, 10]`).
 * @example
 * ```ts
 * const shape: LossSumShape = 'batch';
 * ```
 */
export type LossSumShape = 'scalar' | 'batch';

/**
 * Timing (median over repetitions, ms), node counts and the engine's work for one loss sum.
 * @example
 * ```ts
 * const row: LossSumRow = measureLossSum(4000, 'scalar', 3);
 * row.attemptsPerNode; // rule attempts per node of the graph as written
 * ```
 */
export interface LossSumRow {
  readonly terms: number;
  readonly shape: LossSumShape;
  readonly nodes: number;
  readonly stabilizeMs: number;
  readonly stabilizedNodes: number;
  readonly firings: number;
  /** Rules tried (patterns matched against a node) per node of the graph as written. */
  readonly attemptsPerNode: number;
  /** Guard calls per node of the graph as written. */
  readonly guardsPerNode: number;
  /** The error stabilize threw, if it failed (then the timing is NaN). */
  readonly error: string | undefined;
}

/**
 * Default term counts of the loss sums (`--quick`: the first two).
 * @example
 * ```ts
 * LOSS_SUM_TERMS; // [1000, 4000, 16000]
 * ```
 */
export const LOSS_SUM_TERMS: readonly number[] = [1000, 4000, 16000];

/**
 * Builds the loss: terms added and subtracted in turn, left to right.
 * @example
 * ```ts
 * topoSort([buildLossSum(1000, 'scalar')]).length; // 5,999
 * ```
 */
function buildLossSum(terms: number, shape: LossSumShape): Node {
  let total: Node | null = null;
  for (let i = 0; i < terms; i++) {
    const t = shape === 'batch' && i % 50 === 7 ? softmaxTerm(i) : sigmoidTerm(i, shape);
    total = total === null ? t : i % 2 === 1 ? add(total, t) : sub(total, t);
  }
  return total!;
}

function sigmoidTerm(i: number, shape: LossSumShape): Node {
  const dims = shape === 'scalar' ? [] : ['batch'];
  const t = mul(input(dims, { name: `y${i}` }), log(sigmoid(input(dims, { name: `z${i}` }))));
  return shape === 'scalar' ? t : mean(t);
}

function softmaxTerm(i: number): Node {
  const z = input(['batch', 10], { name: `z${i}` });
  const y = input(['batch', 10], { name: `y${i}` });
  return neg(mean(sum(mul(y, log(softmax(z))), { axis: -1 })));
}

/**
 * Measures stabilize on one loss sum, `reps` times (a new graph each time), keeping the median.
 * @example
 * ```ts
 * measureLossSum(1000, 'batch', 3).stabilizeMs;
 * ```
 */
export function measureLossSum(terms: number, shape: LossSumShape, reps: number): LossSumRow {
  const times: number[] = [];
  let row: Omit<LossSumRow, 'stabilizeMs'> | undefined;
  for (let r = 0; r < reps; r++) {
    const loss = buildLossSum(terms, shape);
    const nodes = topoSort([loss]).length;
    try {
      const start = performance.now();
      const { graph, report } = stabilize({ loss });
      times.push(performance.now() - start);
      const work = report.work!;
      row = {
        terms, shape, nodes, stabilizedNodes: graph.nodes.length, firings: report.firings.length,
        attemptsPerNode: work.attempts / nodes, guardsPerNode: work.guards / nodes, error: undefined,
      };
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      return { terms, shape, nodes, stabilizeMs: NaN, stabilizedNodes: 0, firings: 0, attemptsPerNode: NaN, guardsPerNode: NaN, error };
    }
  }
  times.sort((a, b) => a - b);
  return { ...row!, stabilizeMs: times[Math.floor(times.length / 2)]! };
}
