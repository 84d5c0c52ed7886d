/**
 * The cheap-gradient check of the compiled backend: per MLP workload, the median time of the
 * forward pass alone (loss only) against a whole training step (forward, backward, Adam).
 * Reverse mode promises that backward + update costs a small multiple of the forward pass;
 * the target is at most 3x, i.e. a step at most 4x the forward pass.
 * @module
 */
import { compile } from '@stablegrad/compile';
import { adamOptimizer } from './adam.js';
import { buildStablegradModel } from './systems/stablegrad-model.js';
import type { Workload } from './workloads.js';

/**
 * One workload's forward and step times (ms, medians).
 * @example
 * ```ts
 * const row = measureGradientCost(WORKLOADS[0]!, 200);
 * (row.stepMs - row.forwardMs) / row.forwardMs; // backward + update over forward
 * ```
 */
export interface GradientCostRow {
  readonly workload: string;
  readonly forwardMs: number;
  readonly stepMs: number;
  /** (step - forward) / forward: backward + update in units of the forward pass. */
  readonly ratio: number;
}

/**
 * Measures the forward pass and the whole step, interleaved, `samples` times each.
 * @example
 * ```ts
 * measureGradientCost(WORKLOADS[2]!, 100).ratio; // e.g. 1.8
 * ```
 */
export function measureGradientCost(workload: Workload, samples: number): GradientCostRow {
  const model = buildStablegradModel(workload);
  const forward = compile([model.loss]);
  const step = compile([model.loss, ...model.gradients]);
  const adam = workload.kind === 'mlp' ? adamOptimizer(model.trained, workload.learningRate) : undefined;
  const runForward = (): void => void forward.run(model.feeds);
  const runStep = (): void => {
    const [, ...grads] = step.run(model.feeds);
    adam?.update(grads.map((g) => g.data));
  };
  // Warm-up (plans built, JIT settled), then samples of about 20 ms each.
  time(runForward, 50);
  const repeat = Math.max(1, Math.round(20 / Math.max(0.001, time(runStep, 50))));
  const forwardTimes: number[] = [];
  const stepTimes: number[] = [];
  for (let s = 0; s < samples; s++) {
    forwardTimes.push(time(runForward, repeat));
    stepTimes.push(time(runStep, repeat));
  }
  const forwardMs = median(forwardTimes);
  const stepMs = median(stepTimes);
  return { workload: workload.id, forwardMs, stepMs, ratio: (stepMs - forwardMs) / forwardMs };
}

function time(f: () => void, repeat: number): number {
  const start = performance.now();
  for (let r = 0; r < repeat; r++) f();
  return (performance.now() - start) / repeat;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
