/**
 * System "stablegrad-interp": the training graph run by core's reference interpreter
 * (`evaluate` with a Map feed of x, labels and the current weights), Adam as a plain loop.
 * @module
 */
import { evaluate } from '@stablegrad/core';
import { adamOptimizer } from '../adam.js';
import { sgdOptimizer } from '../sgd.js';
import type { MemoryReport, Runner, System } from '../system.js';
import { buildStablegradModel } from './stablegrad-model.js';
import { peakIntermediateBytes } from './stablegrad-memory.js';

/**
 * The interpreter system.
 * @example
 * ```ts
 * const runner = await stablegradInterp.setup(WORKLOADS[0]!);
 * runner.step(); // loss of the first step
 * ```
 */
export const stablegradInterp: System = {
  name: 'stablegrad-interp',
  family: 'stablegrad',
  async setup(workload) {
    const model = buildStablegradModel(workload);
    const outputs = [model.loss, ...model.gradients];
    const adam = workload.kind === 'mlp' ? adamOptimizer(model.trained, workload.learningRate)
      : workload.kind === 'cnn' ? sgdOptimizer(model.trained, workload.learningRate) : undefined;
    const runner: Runner = {
      step() {
        const [loss, ...grads] = evaluate(outputs, model.feeds);
        adam?.update(grads.map((g) => g.data));
        return loss!.data[0]!;
      },
      async memory(): Promise<MemoryReport> {
        const fed = [...model.feeds.values()].reduce((sum, t) => sum + t.data.byteLength, 0);
        return {
          bytes: fed + (adam?.stateBytes ?? 0) + peakIntermediateBytes(outputs),
          method: 'feeds (data, weights) + optimizer state (Adam moments) + peak of computed values, replaying evaluate\'s schedule',
        };
      },
      dispose() {},
    };
    return runner;
  },
};
