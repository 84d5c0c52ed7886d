/**
 * System "stablegrad-nn": what a user of the layers package runs. The workload's MLP as
 * `sequential([dense(...)])` with the workload's initial weights, a loss from logits and nn's
 * `adam`; a step is a whole `model.fit` call on the one batch (one epoch, no shuffle, silent), so
 * it includes fit's per-call work (checking and copying the data, history, an event-loop turn) as
 * well as its per-batch work (finiteness checks of loss, gradients and weights). Inside one fit
 * over many batches the per-call part is paid once, so this row is an upper bound.
 * Loss-only workloads (W4) have no model: unavailable.
 * @module
 */
import { adam, binaryCrossentropy, dense, sequential, sparseCategoricalCrossentropy } from '@stablegrad/nn';
import { tensor } from '@stablegrad/core';
import { mlpData } from '../data.js';
import type { Runner, System } from '../system.js';

/**
 * The nn system.
 * @example
 * ```ts
 * const runner = await stablegradNn.setup(WORKLOADS[0]!);
 * await runner.step(); // loss of the first step
 * ```
 */
export const stablegradNn: System = {
  name: 'stablegrad-nn',
  family: 'stablegrad',
  async setup(workload) {
    if (workload.kind === 'loss-only') throw new Error('no model: the loss-only workload has no layers to fit');
    if (workload.kind === 'cnn') throw new Error('not built: this system fits nn dense layers only (the CNN runs on stablegrad-compiled and -interp)');
    const data = mlpData(workload);
    const { batch, sizes } = workload;
    const last = sizes.length - 2;
    const model = sequential(sizes.slice(1).map((units, i) => dense({ units, activation: i === last ? 'linear' : 'relu' })), { inputShape: [sizes[0]!], seed: workload.seed });
    model.setWeights(data.layers.flatMap((layer) => [
      tensor(layer.weights, { shape: [layer.inputs, layer.outputs] }), tensor(layer.bias, { shape: [layer.outputs] }),
    ]));
    const sparse = workload.loss === 'softmax-cross-entropy';
    model.compile({
      loss: sparse ? sparseCategoricalCrossentropy({ fromLogits: true }) : binaryCrossentropy({ fromLogits: true }),
      optimizer: adam({ learningRate: workload.learningRate }),
    });
    const x = tensor(data.x, { shape: [batch, sizes[0]!] });
    const y = sparse ? tensor(data.classes!, { dtype: 'int32' }) : tensor(data.targets, { shape: [batch, sizes[sizes.length - 1]!] });
    const runner: Runner = {
      async step() {
        const history = await model.fit(x, y, { epochs: 1, batchSize: batch, shuffle: false, verbose: 0 });
        return history.history.loss![0]!;
      },
      async memory() {
        const weights = model.getWeights().reduce((sum, w) => sum + w.data.byteLength, 0);
        return {
          bytes: 3 * weights + x.data.byteLength + y.data.byteLength,
          method: 'weights, Adam moments (two per weight) and the batch; the plan\'s buffers are inside the model',
        };
      },
      dispose() {},
    };
    return runner;
  },
};
