/**
 * The benchmark workloads, each defined once as data and built by every system from that data.
 * All float32. W1-W3 are full training steps (forward, backward, Adam update); W4 is a
 * loss-only forward and backward; W5 a convolutional training step (forward, backward, SGD update). G1 (graph scale, stablegrad only) lives in graph-scale.ts.
 * @module
 */

/** Which cross-entropy ends the model; both take logits. */
export type LossKind = 'softmax-cross-entropy' | 'sigmoid-cross-entropy';

/**
 * A dense ReLU network trained with Adam: `sizes[0]` inputs, hidden layers with ReLU, and
 * `sizes.at(-1)` logits.
 * @example
 * ```ts
 * const w: MlpWorkload = { kind: 'mlp', id: 'W1', title: 'seed MLP', sizes: [400, 25, 15, 10],
 *   batch: 32, loss: 'softmax-cross-entropy', learningRate: 1e-3, seed: 1 };
 * ```
 */
export interface MlpWorkload {
  readonly kind: 'mlp';
  /** Short id used by `--only`. */
  readonly id: string;
  /** Human description for the table. */
  readonly title: string;
  /** Layer widths, input first, logits last. */
  readonly sizes: readonly number[];
  readonly batch: number;
  readonly loss: LossKind;
  readonly learningRate: number;
  /** Seed of the synthetic data and of the initial weights. */
  readonly seed: number;
}

/**
 * Forward and backward of a cross-entropy on a fixed logits tensor, with no model and no update:
 * isolates the loss kernels.
 * @example
 * ```ts
 * const w: LossOnlyWorkload = { kind: 'loss-only', id: 'W4', title: 'loss only',
 *   rows: 4096, classes: 1000, loss: 'softmax-cross-entropy', seed: 4 };
 * ```
 */
export interface LossOnlyWorkload {
  readonly kind: 'loss-only';
  readonly id: string;
  readonly title: string;
  readonly rows: number;
  readonly classes: number;
  readonly loss: 'softmax-cross-entropy';
  readonly seed: number;
}

/**
 * A small convolutional network trained with plain SGD: NHWC images, conv2d (kernel x kernel,
 * `filters` outputs, 'same' padding) + bias + ReLU, max pooling, then a dense softmax layer.
 * @example
 * ```ts
 * const w: CnnWorkload = { kind: 'cnn', id: 'W5', title: 'small CNN', batch: 64, height: 8, width: 8, channels: 1,
 *   filters: 16, kernel: 3, pool: 2, classes: 10, learningRate: 0.05, seed: 5 };
 * ```
 */
export interface CnnWorkload {
  readonly kind: 'cnn';
  readonly id: string;
  readonly title: string;
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly filters: number;
  /** Square convolution kernel size. */
  readonly kernel: number;
  /** Square max-pool size (and strides). */
  readonly pool: number;
  readonly classes: number;
  readonly learningRate: number;
  readonly seed: number;
}

/**
 * A benchmark workload.
 * @example
 * ```ts
 * const ids = WORKLOADS.map((w: Workload) => w.id); // ['W1', 'W2', 'W3', 'W4', 'W5']
 * ```
 */
export type Workload = MlpWorkload | LossOnlyWorkload | CnnWorkload;

/**
 * Adam hyper-parameters shared by every system (Keras/TF defaults, epsilon 1e-7).
 * @example
 * ```ts
 * tf.train.adam(lr, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
 * ```
 */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

/**
 * The workloads of issue #6, in run order.
 * @example
 * ```ts
 * WORKLOADS.find((w) => w.id === 'W2')?.title; // 'wider MLP 784-256-128-10'
 * ```
 */
export const WORKLOADS: readonly Workload[] = [
  { kind: 'mlp', id: 'W1', title: 'seed MLP 400-25-15-10', sizes: [400, 25, 15, 10], batch: 32, loss: 'softmax-cross-entropy', learningRate: 1e-3, seed: 1 },
  { kind: 'mlp', id: 'W2', title: 'wider MLP 784-256-128-10', sizes: [784, 256, 128, 10], batch: 128, loss: 'softmax-cross-entropy', learningRate: 1e-3, seed: 2 },
  { kind: 'mlp', id: 'W3', title: 'multi-label 64-32-3', sizes: [64, 32, 3], batch: 64, loss: 'sigmoid-cross-entropy', learningRate: 1e-3, seed: 3 },
  { kind: 'loss-only', id: 'W4', title: 'softmax CE fwd+bwd [4096, 1000]', rows: 4096, classes: 1000, loss: 'softmax-cross-entropy', seed: 4 },
  {
    kind: 'cnn', id: 'W5', title: 'CNN 8x8x1: conv 3x3x16 same, relu, maxPool 2, dense 10 (SGD)',
    batch: 64, height: 8, width: 8, channels: 1, filters: 16, kernel: 3, pool: 2, classes: 10, learningRate: 0.05, seed: 5,
  },
];

/**
 * Examples per step: the batch of an MLP, the rows of a loss-only workload.
 * @example
 * ```ts
 * samplesPerStep(WORKLOADS[0]!); // 32
 * ```
 */
export function samplesPerStep(workload: Workload): number {
  return workload.kind === 'loss-only' ? workload.rows : workload.batch;
}
