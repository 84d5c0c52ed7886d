/**
 * Turns results into text tables and JSON lines. The ratio column divides each system's time per
 * step by the base stablegrad system's on the same workload: above 1 the peer is slower than
 * stablegrad, below 1 it is faster.
 * @module
 */
import type { GraphScaleRow } from './graph-scale.js';
import type { SystemResult, TimedResult } from './harness.js';
import type { LossSumRow } from './loss-sum-scale.js';
import { samplesPerStep, type Workload } from './workloads.js';

/**
 * The results of one workload, with the name of the system its ratios divide by.
 * @example
 * ```ts
 * const report: WorkloadReport = { workload, base: 'stablegrad-interp', results };
 * ```
 */
export interface WorkloadReport {
  readonly workload: Workload;
  /** Name of the base system, or undefined when no stablegrad system ran. */
  readonly base: string | undefined;
  readonly results: readonly SystemResult[];
}

/**
 * Lays out rows as a text table with a header rule; `right` marks right-aligned columns.
 * @example
 * ```ts
 * formatTable(['a', 'b'], [['1', 'x']], [true, false]);
 * ```
 */
function formatTable(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The main table: median ms/step, samples/s, ratio to the base, peak memory, samples taken.
 * @example
 * ```ts
 * console.log(resultsTable(reports));
 * ```
 */
export function resultsTable(reports: readonly WorkloadReport[]): string {
  const rows: string[][] = [];
  for (const { workload, base, results } of reports) {
    const baseMs = timedOf(results, base)?.msPerStep;
    for (const r of results) {
      const name = `${workload.id} ${workload.title}`;
      if (r.status === 'unavailable') {
        rows.push([name, r.system, '-', '-', '-', '-', '-', '-', `unavailable: ${r.reason}`]);
        continue;
      }
      const ratio = r.system === base ? 'base' : baseMs === undefined ? 'n/a' : `${(r.msPerStep / baseMs).toFixed(2)}x`;
      rows.push([
        name, r.system, fixed(r.msPerStep), `${fixed(r.quartiles[0])}-${fixed(r.quartiles[1])}`,
        Math.round((1000 * samplesPerStep(workload)) / r.msPerStep).toLocaleString('en-US'), ratio,
        r.memory === undefined ? 'n/a' : formatBytes(r.memory.bytes), `${r.samples}x${r.steps / r.samples}`, '',
      ]);
    }
  }
  return formatTable(
    ['workload', 'system', 'ms/step', 'IQR ms', 'samples/s', 'vs base', 'peak mem', 'samples', 'note'],
    rows, [false, false, true, true, true, true, true, true, false],
  );
}

/**
 * Footnotes: which system is the base, and how each system's memory was counted.
 * @example
 * ```ts
 * console.log(notes(reports));
 * ```
 */
export function notes(reports: readonly WorkloadReport[]): string {
  const bases = [...new Set(reports.map((r) => r.base ?? 'none'))];
  const methods = new Map<string, string>();
  const described = new Map<string, string>();
  for (const { results } of reports) {
    for (const r of results) {
      if (r.status !== 'ok') continue;
      methods.set(r.system, r.memory?.method ?? 'n/a: the library exposes no allocation statistics');
      if (r.describe !== undefined) described.set(r.system, r.describe);
    }
  }
  return [
    `vs base = system ms/step / ${bases.join(', ')} ms/step on the same workload (above 1x: slower than stablegrad).`,
    'ms/step = median over samples; a sample repeats the step (samples = samples x steps per sample).',
    'peak mem:',
    ...[...methods].map(([system, method]) => `  ${system}: ${method}`),
    ...(described.size === 0 ? [] : ['what ran:', ...[...described].map(([system, text]) => `  ${system}: ${text}`)]),
  ].join('\n');
}

/**
 * The loss check: each system's first and last loss over its first steps, and how far its first
 * loss is from the base's (same data and weights, so it should be ~1e-6).
 * @example
 * ```ts
 * console.log(checkTable(reports));
 * ```
 */
export function checkTable(reports: readonly WorkloadReport[]): string {
  const rows: string[][] = [];
  for (const { workload, base, results } of reports) {
    const baseFirst = timedOf(results, base)?.firstLosses[0];
    for (const r of results) {
      if (r.status !== 'ok') continue;
      const first = r.firstLosses[0]!;
      const last = r.firstLosses[r.firstLosses.length - 1]!;
      const verdict = workload.kind === 'loss-only' ? (first === last ? 'constant (no update)' : 'CHANGED') : last < first ? 'decreases' : 'DOES NOT DECREASE';
      const gap = baseFirst === undefined ? 'n/a' : (Math.abs(first - baseFirst) / Math.abs(baseFirst)).toExponential(1);
      rows.push([workload.id, r.system, first.toFixed(6), `${last.toFixed(6)} (step ${r.firstLosses.length})`, verdict, gap, r.lastLoss.toFixed(6)]);
    }
  }
  return formatTable(['workload', 'system', 'loss step 1', 'loss at end of check', 'verdict', 'rel. gap to base step 1', 'loss after all steps'], rows, [false, false, true, true, false, true, true]);
}

/**
 * The G1 table: per depth, time and node count per phase, and time per layer.
 * @example
 * ```ts
 * console.log(graphScaleTable(rows));
 * ```
 */
export function graphScaleTable(rows: readonly GraphScaleRow[]): string {
  const perLayer = (ms: number, layers: number): string => `${((1000 * ms) / layers).toFixed(0)} us`;
  return formatTable(
    ['layers', 'build ms', 'nodes', 'stabilize ms', 'nodes', 'firings', 'grad ms', 'nodes', 'prepareTraining ms', 'nodes', 'compile ms', 'steps', 'total ms', 'per layer: build / stabilize / grad / prepareTraining / compile'],
    rows.map((r) => [
      String(r.layers), fixed(r.buildMs), String(r.forwardNodes), fixed(r.stabilizeMs), String(r.stabilizedNodes), String(r.firings),
      fixed(r.gradMs), String(r.gradientNodes), fixed(r.prepareTrainingMs), String(r.preparedNodes), fixed(r.compileMs), String(r.planSteps), fixed(r.totalMs),
      [r.buildMs, r.stabilizeMs, r.gradMs, r.prepareTrainingMs, r.compileMs].map((ms) => perLayer(ms, r.layers)).join(' / '),
    ]),
    [true, true, true, true, true, true, true, true, true, true, true, true, true, false],
  ) + marginalCost(rows);
}

// Fixed costs dominate small depths; the cost of each extra layer between the two deepest
// graphs is the cleaner linearity check.
function marginalCost(rows: readonly GraphScaleRow[]): string {
  if (rows.length < 2) return '';
  const [a, b] = [rows[rows.length - 2]!, rows[rows.length - 1]!];
  const extra = (pick: (r: GraphScaleRow) => number): string => `${((1000 * (pick(b) - pick(a))) / (b.layers - a.layers)).toFixed(0)} us`;
  const phases = [extra((r) => r.buildMs), extra((r) => r.stabilizeMs), extra((r) => r.gradMs), extra((r) => r.prepareTrainingMs), extra((r) => r.compileMs)];
  return `\ncost per extra layer from ${a.layers} to ${b.layers} layers: build / stabilize / grad / prepareTraining / compile = ${phases.join(' / ')}`;
}

/**
 * The G1 loss-sum table: per loss, stabilize's time, node counts, firings, time per node and the
 * engine's work per node, then the cost per extra term between the two largest of each shape.
 * @example
 * ```ts
 * console.log(lossSumTable(rows));
 * ```
 */
export function lossSumTable(rows: readonly LossSumRow[]): string {
  const table = formatTable(
    ['terms', 'shape', 'nodes', 'stabilize ms', 'nodes', 'firings', 'per node', 'rule attempts / node', 'guard calls / node', 'note'],
    rows.map((r) => r.error !== undefined
      ? [String(r.terms), r.shape, String(r.nodes), 'failed', '-', '-', '-', '-', '-', r.error.slice(0, 80)]
      : [
          String(r.terms), r.shape, String(r.nodes), fixed(r.stabilizeMs), String(r.stabilizedNodes), String(r.firings),
          `${((1000 * r.stabilizeMs) / r.nodes).toFixed(1)} us`, r.attemptsPerNode.toFixed(2), r.guardsPerNode.toFixed(2), '',
        ]),
    [true, false, true, true, true, true, true, true, true, false],
  );
  const marginal = [...new Set(rows.map((r) => r.shape))].flatMap((shape) => {
    const ok = rows.filter((r) => r.shape === shape && r.error === undefined);
    if (ok.length < 2) return [];
    const [a, b] = [ok[ok.length - 2]!, ok[ok.length - 1]!];
    return [`${shape} ${a.terms} to ${b.terms} terms: ${((1000 * (b.stabilizeMs - a.stabilizeMs)) / (b.terms - a.terms)).toFixed(1)} us per extra term`];
  });
  return marginal.length === 0 ? table : `${table}
cost per extra term (stabilize): ${marginal.join('; ')}`;
}

/**
 * One JSON object per result row, for `--json`.
 * @example
 * ```ts
 * jsonLines(reports).forEach((line) => console.log(line));
 * ```
 */
export function jsonLines(reports: readonly WorkloadReport[]): string[] {
  return reports.flatMap(({ workload, base, results }) => {
    const baseMs = timedOf(results, base)?.msPerStep;
    return results.map((r) => JSON.stringify(
      r.status === 'unavailable'
        ? { type: 'result', workload: workload.id, system: r.system, status: r.status, reason: r.reason }
        : {
            type: 'result', workload: workload.id, system: r.system, status: r.status, base: base ?? null,
            msPerStep: r.msPerStep, quartilesMs: r.quartiles, samplesPerSec: (1000 * samplesPerStep(workload)) / r.msPerStep,
            ratioToBase: baseMs === undefined ? null : r.msPerStep / baseMs,
            memoryBytes: r.memory?.bytes ?? null, memoryMethod: r.memory?.method ?? null,
            samples: r.samples, steps: r.steps, firstLosses: r.firstLosses, lastLoss: r.lastLoss, describe: r.describe ?? null,
          },
    ));
  });
}

/**
 * Bytes as KB or MB (powers of 1024).
 * @example
 * ```ts
 * formatBytes(3 * 1024 * 1024); // '3.0 MB'
 * ```
 */
function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function timedOf(results: readonly SystemResult[], name: string | undefined): TimedResult | undefined {
  const hit = results.find((r) => r.system === name);
  return hit?.status === 'ok' ? hit : undefined;
}

// Three significant digits, at least two decimals below 10 ms.
function fixed(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}
