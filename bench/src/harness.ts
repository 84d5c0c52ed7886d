/**
 * The timing protocol. Every system is set up for the workload, warmed up (the first steps
 * include jax-js' tracing and compilation), then timed in interleaved rounds (A B C A B C ...)
 * so that a slow phase of the machine hits all systems alike. A sample repeats a fast step
 * enough times to last about `sampleMs`; the result is the median time per step over samples.
 * @module
 */
import type { Options } from './options.js';
import type { MemoryReport, Runner, System } from './system.js';
import type { Workload } from './workloads.js';

/**
 * What one system achieved on one workload.
 * @example
 * ```ts
 * if (result.status === 'ok') console.log(result.msPerStep);
 * ```
 */
export type SystemResult = TimedResult | UnavailableResult;

/**
 * A system that ran: per-step times and the losses seen.
 * @example
 * ```ts
 * const r: TimedResult = { status: 'ok', system: 'jax-js', msPerStep: 1.2, ... };
 * ```
 */
export interface TimedResult {
  readonly status: 'ok';
  readonly system: string;
  readonly family: System['family'];
  /** Median over samples of the time per step. */
  readonly msPerStep: number;
  /** 25th and 75th percentiles of the time per step over samples. */
  readonly quartiles: readonly [number, number];
  readonly samples: number;
  /** Steps timed in all (samples x steps per sample). */
  readonly steps: number;
  readonly memory: MemoryReport | undefined;
  /** Losses of the first steps after setup (`checkSteps` of them with `--check`, else 2). */
  readonly firstLosses: readonly number[];
  /** Loss of the last timed step. */
  readonly lastLoss: number;
  /** What ran (version, threads, BLAS), when the system says. */
  readonly describe: string | undefined;
}

/**
 * A system that could not set up or failed while stepping.
 * @example
 * ```ts
 * const r: UnavailableResult = { status: 'unavailable', system: 'tfjs-wasm', family: 'peer', reason: 'wasm failed to load' };
 * ```
 */
export interface UnavailableResult {
  readonly status: 'unavailable';
  readonly system: string;
  readonly family: System['family'];
  readonly reason: string;
}

interface Contestant {
  readonly system: System;
  readonly runner: Runner;
  readonly firstLosses: number[];
  readonly samples: number[];
  stepsPerSample: number;
  spentMs: number;
  steps: number;
  lastLoss: number;
  failure: string | undefined;
}

/**
 * Runs `workload` on every system and times it.
 * @example
 * ```ts
 * const results = await benchmarkWorkload(WORKLOADS[0]!, SYSTEMS, parseOptions([]), console.error);
 * ```
 */
export async function benchmarkWorkload(workload: Workload, systems: readonly System[], options: Options, log: (line: string) => void): Promise<SystemResult[]> {
  const results = new Map<System, SystemResult>();
  const contestants: Contestant[] = [];
  for (const system of systems) {
    log(`  ${workload.id} ${system.name}: setup`);
    try {
      const runner = await system.setup(workload);
      contestants.push({ system, runner, firstLosses: [], samples: [], stepsPerSample: 1, spentMs: 0, steps: 0, lastLoss: NaN, failure: undefined });
    } catch (e) {
      results.set(system, unavailable(system, e));
    }
  }

  for (const c of contestants) {
    log(`  ${workload.id} ${c.system.name}: warm-up`);
    await guarded(c, () => warmUp(c, options));
  }
  for (let round = 0; round < options.reps; round++) {
    const active = contestants.filter((c) => c.failure === undefined && !done(c, options));
    if (active.length === 0) break;
    for (const c of active) await guarded(c, () => timeSample(c));
  }
  log(`  ${workload.id}: ${contestants.map((c) => `${c.system.name} ${c.samples.length} samples`).join(', ')}`);

  for (const c of contestants) {
    let memory: MemoryReport | undefined;
    if (c.failure === undefined && c.runner.memory !== undefined) {
      try {
        await c.runner.activate?.();
        memory = await c.runner.memory();
      } catch (e) {
        log(`  ${workload.id} ${c.system.name}: memory report failed: ${reason(e)}`);
      }
    }
    try {
      c.runner.dispose();
    } catch (e) {
      log(`  ${workload.id} ${c.system.name}: dispose failed: ${reason(e)}`);
    }
    results.set(c.system, c.failure !== undefined ? { status: 'unavailable', system: c.system.name, family: c.system.family, reason: c.failure } : timed(c, memory));
  }
  return systems.map((s) => results.get(s)!);
}

async function warmUp(c: Contestant, options: Options): Promise<void> {
  await c.runner.activate?.();
  const start = performance.now();
  let afterFirst = start;
  let steps = 0;
  // The first step may compile (jax-js jit): the estimate below leaves it out.
  const leastSteps = options.check ? options.checkSteps : 2;
  while (steps < leastSteps || performance.now() - start < options.warmupMs) {
    const loss = await c.runner.step();
    if (steps < leastSteps) c.firstLosses.push(loss);
    if (steps === 0) afterFirst = performance.now();
    steps++;
    if (!Number.isFinite(loss)) throw new Error(`loss is ${loss} at warm-up step ${steps}`);
  }
  const perStep = (performance.now() - afterFirst) / Math.max(1, steps - 1);
  c.stepsPerSample = Math.max(1, Math.min(1000, Math.round(options.sampleMs / Math.max(perStep, 1e-3))));
}

async function timeSample(c: Contestant): Promise<void> {
  await c.runner.activate?.();
  if (c.runner.timedSteps !== undefined) {
    const { ms, loss } = await c.runner.timedSteps(c.stepsPerSample);
    c.samples.push(ms);
    c.spentMs += ms * c.stepsPerSample;
    c.steps += c.stepsPerSample;
    c.lastLoss = loss;
    return;
  }
  let loss = NaN;
  const start = performance.now();
  for (let i = 0; i < c.stepsPerSample; i++) {
    const value = c.runner.step();
    loss = typeof value === 'number' ? value : await value;
  }
  const elapsed = performance.now() - start;
  c.samples.push(elapsed / c.stepsPerSample);
  c.spentMs += elapsed;
  c.steps += c.stepsPerSample;
  c.lastLoss = loss;
}

function done(c: Contestant, options: Options): boolean {
  return c.samples.length >= options.reps || (c.samples.length >= 3 && c.spentMs >= options.budgetMs);
}

async function guarded(c: Contestant, run: () => Promise<void>): Promise<void> {
  if (c.failure !== undefined) return;
  try {
    await run();
  } catch (e) {
    c.failure = `failed while stepping: ${reason(e)}`;
  }
}

function timed(c: Contestant, memory: MemoryReport | undefined): TimedResult {
  const sorted = [...c.samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    status: 'ok', system: c.system.name, family: c.system.family,
    msPerStep: median(sorted), quartiles: [at(0.25), at(0.75)], samples: sorted.length, steps: c.steps,
    memory, firstLosses: c.firstLosses, lastLoss: c.lastLoss, describe: c.runner.describe,
  };
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function unavailable(system: System, e: unknown): UnavailableResult {
  return { status: 'unavailable', system: system.name, family: system.family, reason: reason(e) };
}

function reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.slice(0, 160);
}
