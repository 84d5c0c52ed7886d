/**
 * L1, lint cost (stablegrad only): `lint` on a graph of about 1,000 nodes, a chain of blocks
 * `h = tanh(a h + b) * sigmoid(c h) + log1p(h^2)` on a vector of 4 float64 values (a third of the
 * nodes transcendental, values kept moderate by the squashing), measured in node-samples per
 * second: the work the lint does is nodes x samples. Target: 1,000 nodes x 1,000 samples under
 * 30 s on two cores.
 * @module
 */
import { input, log1p, mul, type Node, sigmoid, tanh, add, topoSort } from '@stablegrad/core';
import { lint } from '@stablegrad/lint';

/** One L1 measurement. */
export interface LintCostRow {
  readonly nodes: number;
  readonly samples: number;
  readonly seconds: number;
  /** Measured (float op) nodes x samples per second. */
  readonly nodeSamplesPerSecond: number;
  /** Seconds 1,000 nodes x 1,000 samples would take at this rate. */
  readonly projectedSeconds: number;
}

/** The L1 graph: `blocks` blocks of 8 ops each, after the input. */
export function lintCostGraph(blocks: number): Node {
  let h = input([4], { dtype: 'float64', name: 'x' });
  for (let i = 0; i < blocks; i++) {
    const a = 0.5 + (i % 7) / 10;
    h = add(mul(tanh(add(mul(h, a), 0.1)), sigmoid(mul(h, -a))), log1p(mul(h, h)));
  }
  return h.sum();
}

/** Lints the L1 graph with `samples` samples (no stabilize check: it would measure twice). */
export function measureLintCost(blocks: number, samples: number): LintCostRow {
  const y = lintCostGraph(blocks);
  const nodes = topoSort([y]).filter((n) => n.inputs.length > 0).length;
  const start = performance.now();
  const report = lint(y, { samples, stabilize: false, ranges: { x: [-3, 3] }, timeLimitMs: 600_000 });
  const seconds = (performance.now() - start) / 1000;
  const rate = (nodes * report.samples) / seconds;
  return { nodes, samples: report.samples, seconds, nodeSamplesPerSecond: rate, projectedSeconds: 1e6 / rate };
}
