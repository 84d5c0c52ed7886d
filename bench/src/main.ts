/**
 * Entry point of `npm run bench`: stablegrad against TensorFlow.js (cpu, wasm) and jax-js on the
 * workloads of workloads.ts, plus the graph-scale study G1. Tables go to stdout, progress to
 * stderr; `--json` prints JSON lines instead of tables. See bench/README.md.
 * @module
 */
import { type GradientCostRow, measureGradientCost } from './gradient-cost.js';
import { benchmarkWorkload, type SystemResult } from './harness.js';
import { GRAPH_SCALE_DEPTHS, type GraphScaleRow, measureGraphScale } from './graph-scale.js';
import { measureLintCost } from './lint-cost.js';
import { LOSS_SUM_TERMS, type LossSumRow, type LossSumShape, measureLossSum } from './loss-sum-scale.js';
import { formatMachine, machineInfo } from './machine.js';
import { type Options, parseOptions, USAGE, wantsHelp } from './options.js';
import { BASE_PREFERENCE, SYSTEMS } from './systems/index.js';
import { checkTable, graphScaleTable, jsonLines, lossSumTable, notes, resultsTable, type WorkloadReport } from './table.js';
import { WORKLOADS } from './workloads.js';

const GRAPH_SCALE_ID = 'G1';
const LINT_COST_ID = 'L1';

async function main(argv: readonly string[]): Promise<void> {
  if (wantsHelp(argv)) {
    console.log(USAGE);
    return;
  }
  const options = parseOptions(argv);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const out = (text: string): void => void process.stdout.write(`${text}\n`);

  checkNames(options.only, [...WORKLOADS.map((w) => w.id), GRAPH_SCALE_ID, LINT_COST_ID], '--only');
  checkNames(options.systems, SYSTEMS.map((s) => s.name), '--systems');
  const workloads = WORKLOADS.filter((w) => options.only?.has(w.id) ?? true);
  const systems = SYSTEMS.filter((s) => options.systems?.has(s.name) ?? true);

  const machine = machineInfo();
  if (options.json) out(JSON.stringify({ type: 'machine', ...machine, options: { ...options, only: listOf(options.only), systems: listOf(options.systems) } }));
  else out(`${formatMachine(machine)}\n`);

  const reports: WorkloadReport[] = [];
  for (const workload of workloads) {
    log(`${workload.id} ${workload.title}`);
    const results = await benchmarkWorkload(workload, systems, options, log);
    reports.push({ workload, base: baseOf(results), results });
  }

  // The cheap-gradient check runs on the compiled backend, for the training workloads measured.
  const gradientCost: GradientCostRow[] = systems.some((s) => s.name === 'stablegrad-compiled')
    ? workloads.filter((w) => w.kind === 'mlp').map((w) => {
        log(`${w.id} forward vs step (stablegrad-compiled)`);
        return measureGradientCost(w, options.quick ? 5 : 15);
      })
    : [];

  let graphScale: GraphScaleRow[] = [];
  let lossSums: LossSumRow[] = [];
  if (options.only?.has(GRAPH_SCALE_ID) ?? true) {
    graphScale = runGraphScale(options, log);
    lossSums = runLossSums(options, log);
  }

  // The lint's cost: 1,000 nodes (111 blocks of 9), 200 samples; --quick: 10 blocks, 10 samples.
  const lintCost = options.only?.has(LINT_COST_ID) ?? true
    ? (log(`${LINT_COST_ID} lint cost`), measureLintCost(options.quick ? 10 : 111, options.quick ? 10 : 200))
    : undefined;

  if (options.json) {
    if (lintCost !== undefined) out(JSON.stringify({ type: 'lint-cost', workload: LINT_COST_ID, ...lintCost }));
    jsonLines(reports).forEach(out);
    graphScale.forEach((row) => out(JSON.stringify({ type: 'graph-scale', workload: GRAPH_SCALE_ID, ...row })));
    lossSums.forEach((row) => out(JSON.stringify({ type: 'loss-sum-scale', workload: GRAPH_SCALE_ID, ...row })));
    gradientCost.forEach((row) => out(JSON.stringify({ type: 'gradient-cost', system: 'stablegrad-compiled', ...row })));
    return;
  }
  if (reports.length > 0) out(`${resultsTable(reports)}\n\n${notes(reports)}\n`);
  if (options.check && reports.length > 0) out(`loss check (first ${options.checkSteps} steps after setup, same data and initial weights in every system):\n${checkTable(reports)}\n`);
  if (gradientCost.length > 0) {
    out('cheap-gradient check (stablegrad-compiled; target: backward + update <= 3x forward):');
    out(gradientCost.map((r) => `  ${r.workload}  forward ${r.forwardMs.toFixed(3)} ms  step ${r.stepMs.toFixed(3)} ms  backward + update = ${r.ratio.toFixed(2)}x forward`).join('\n') + '\n');
  }
  if (graphScale.length > 0) {
    out(`G1 graph scale (stablegrad only; MLP width 32, naive softmax cross-entropy; median of ${options.graphScaleReps}):\n${graphScaleTable(graphScale)}`);
  }
  if (lintCost !== undefined) {
    out(
      `\nL1 lint cost (stablegrad only; lint without the stabilize check): ${lintCost.nodes} nodes x ${lintCost.samples} samples in ` +
        `${lintCost.seconds.toFixed(1)} s = ${Math.round(lintCost.nodeSamplesPerSecond)} node-samples/s; ` +
        `1,000 nodes x 1,000 samples: ${Math.round(lintCost.projectedSeconds)} s (target: 30 s on two cores)`,
    );
  }
  if (lossSums.length > 0) {
    out(`\nG1 loss sums (stablegrad only; stabilize of ± y_i log sigmoid(z_i) chains, batch: every 50th term softmax cross-entropy; median of ${options.graphScaleReps}):\n${lossSumTable(lossSums)}`);
  }
}

function runLossSums(options: Options, log: (line: string) => void): LossSumRow[] {
  const counts = options.quick ? LOSS_SUM_TERMS.slice(0, 2) : LOSS_SUM_TERMS;
  const shapes: readonly LossSumShape[] = ['scalar', 'batch'];
  measureLossSum(counts[0]! / 4, 'batch', 2); // warm-up
  return shapes.flatMap((shape) => counts.map((terms) => {
    log(`${GRAPH_SCALE_ID} loss sums: ${terms} ${shape} terms`);
    return measureLossSum(terms, shape, options.graphScaleReps);
  }));
}

function runGraphScale(options: Options, log: (line: string) => void): GraphScaleRow[] {
  const depths = options.quick ? GRAPH_SCALE_DEPTHS.slice(0, 2) : GRAPH_SCALE_DEPTHS;
  measureGraphScale(depths[0]!, 1); // warm-up: lets the JIT compile the rewrite engine first
  return depths.map((layers) => {
    log(`${GRAPH_SCALE_ID} graph scale: ${layers} layers`);
    return measureGraphScale(layers, options.graphScaleReps);
  });
}

function baseOf(results: readonly SystemResult[]): string | undefined {
  const ok = new Set(results.filter((r) => r.status === 'ok').map((r) => r.system));
  return BASE_PREFERENCE.find((name) => ok.has(name)) ?? results.find((r) => r.status === 'ok' && r.family === 'stablegrad')?.system;
}

function checkNames(given: ReadonlySet<string> | undefined, known: readonly string[], flag: string): void {
  const unknown = [...(given ?? [])].filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`${flag}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
}

function listOf(set: ReadonlySet<string> | undefined): string[] | null {
  return set === undefined ? null : [...set];
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
