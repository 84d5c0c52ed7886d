/**
 * System "stablegrad-compiled": the same training graph as stablegrad-interp, run by the
 * compiled backend (`compile` from @stablegrad/compile: one plan, pooled buffers, fused loops),
 * Adam as the same plain loop.
 * @module
 */
import { compile, wasmMemoryBytes } from '@stablegrad/compile';
import { adamOptimizer } from '../adam.js';
import { sgdOptimizer } from '../sgd.js';
import type { MemoryReport, Runner, System } from '../system.js';
import { buildStablegradModel } from './stablegrad-model.js';

/**
 * The compiled system.
 * @example
 * ```ts
 * const runner = await stablegradCompiled.setup(WORKLOADS[0]!);
 * runner.step(); // loss of the first step
 * ```
 */
export const stablegradCompiled: System = {
  name: 'stablegrad-compiled',
  family: 'stablegrad',
  async setup(workload) {
    const model = buildStablegradModel(workload);
    const executable = compile([model.loss, ...model.gradients]);
    const adam = workload.kind === 'mlp' ? adamOptimizer(model.trained, workload.learningRate)
      : workload.kind === 'cnn' ? sgdOptimizer(model.trained, workload.learningRate) : undefined;
    const runner: Runner = {
      step() {
        const [loss, ...grads] = executable.run(model.feeds);
        adam?.update(grads.map((g) => g.data));
        return loss!.data[0]!;
      },
      async memory(): Promise<MemoryReport> {
        const fed = [...model.feeds.values()].reduce((sum, t) => sum + t.data.byteLength, 0);
        const plans = Object.values(executable.stats());
        const peak = Math.max(0, ...plans.map((p) => p.peakBytes));
        return {
          bytes: fed + (adam?.stateBytes ?? 0) + peak + wasmMemoryBytes(),
          method: 'feeds (data, weights) + optimizer state (Adam moments) + peak bytes of the plan\'s pooled buffers + the SIMD matmul\'s memory (shared by all workloads run so far)',
        };
      },
      dispose() {},
    };
    return runner;
  },
};
