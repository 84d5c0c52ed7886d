/**
 * Logistic regression on the breast cancer data, written with the core API only: a graph for
 * the loss, `grad` for its gradient graph, the reference interpreter to run both, and plain
 * full-batch gradient descent. Everything is float32 (the library's default dtype): the
 * standardised features are O(1), so float32 is ample and shows the common training setting.
 * @module
 */
import {
  type Node, type Tensor, evaluate, grad, input, param, sigmoidCrossEntropyWithLogits, tensor, zeros,
} from '@stablegrad/core';
import {
  BREAST_CANCER_PATH, type Dataset, fitStandardizer, loadBreastCancer, splitTrainTest, standardize,
} from './data/breast-cancer.js';

/** Options of `trainLogisticRegression`; every field has a default. */
export interface TrainOptions {
  /** Full-batch gradient descent steps (default 100). */
  readonly epochs?: number;
  /** Step size (default 0.5). */
  readonly learningRate?: number;
  /** Seed of the train/test shuffle (default 42). */
  readonly seed?: number;
  /** Share of rows held out for testing (default 0.2). */
  readonly testFraction?: number;
  /** The gzip CSV to read (default examples/data/breast_cancer.csv.gz). */
  readonly dataPath?: string;
  /** Called after each epoch with its 1-based number and the loss before that epoch's step. */
  readonly onEpoch?: (epoch: number, loss: number) => void;
}

/** What training produced. */
export interface TrainResult {
  /** `lossHistory[e]`: mean training loss at the start of epoch `e + 1` (before its step). */
  readonly lossHistory: readonly number[];
  /** Mean training loss with the final parameters. */
  readonly finalLoss: number;
  /** Share of training rows classified correctly with the final parameters. */
  readonly trainAccuracy: number;
  /** Share of held-out rows classified correctly with the final parameters. */
  readonly testAccuracy: number;
  readonly trainRows: number;
  readonly testRows: number;
  /** Final weights `[features, 1]` and bias `[]`. */
  readonly weights: Tensor;
  readonly bias: Tensor;
}

/**
 * Trains `p(benign | x) = sigmoid(x W + b)` by gradient descent on the mean sigmoid
 * cross-entropy, computed from the logits by the fused, numerically stable op.
 * @example
 * ```ts
 * const { lossHistory, testAccuracy } = trainLogisticRegression({ epochs: 20 });
 * ```
 */
export function trainLogisticRegression(options: TrainOptions = {}): TrainResult {
  const epochs = options.epochs ?? 100;
  const learningRate = options.learningRate ?? 0.5;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epochs must be a positive integer, got ${epochs}`);
  if (!(learningRate > 0)) throw new RangeError(`learningRate must be positive, got ${learningRate}`);

  const data = loadBreastCancer(options.dataPath ?? BREAST_CANCER_PATH);
  const split = splitTrainTest(data, { testFraction: options.testFraction ?? 0.2, seed: options.seed ?? 42 });
  const standardizer = fitStandardizer(split.train);
  const train = toTensors(standardize(split.train, standardizer));
  const test = toTensors(standardize(split.test, standardizer));
  const d = data.featureCount;

  // The model: one graph, built once. The batch dimension is symbolic, so the same graph runs
  // on the training and the test rows.
  const x = input(['batch', d], { name: 'x' });
  const y = input(['batch'], { name: 'y' });
  const W = param(zeros([d, 1]), { name: 'W' });
  const b = param(0, { name: 'b' });
  const logits = x.matmul(W).add(b).reshape(['batch']);
  const loss = sigmoidCrossEntropyWithLogits(logits, y).mean();
  const [gW, gb] = grad(loss, [W, b]) as [Node, Node];

  // Current parameter values, fed in place of the params' initial values.
  let weights: Tensor = zeros([d, 1]);
  let bias: Tensor = tensor(0);
  const lossHistory: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const feeds = new Map<Node, Tensor>([[x, train.x], [y, train.y], [W, weights], [b, bias]]);
    const [lossValue, gWValue, gbValue] = evaluate([loss, gW, gb], feeds) as [Tensor, Tensor, Tensor];
    lossHistory.push(lossValue.data[0]!);
    weights = step(weights, gWValue, learningRate);
    bias = step(bias, gbValue, learningRate);
    options.onEpoch?.(epoch, lossValue.data[0]!);
  }

  const accuracy = (set: { x: Tensor; y: Tensor }): number => {
    const z = evaluate(logits, new Map<Node, Tensor>([[x, set.x], [W, weights], [b, bias]]));
    let correct = 0;
    z.data.forEach((v, i) => { if ((v > 0 ? 1 : 0) === set.y.data[i]) correct++; });
    return correct / z.data.length;
  };
  const finalLoss = evaluate(loss, new Map<Node, Tensor>([[x, train.x], [y, train.y], [W, weights], [b, bias]])).data[0]!;
  return {
    lossHistory, finalLoss, trainAccuracy: accuracy(train), testAccuracy: accuracy(test),
    trainRows: split.train.rows, testRows: split.test.rows, weights, bias,
  };
}

/** One gradient-descent step, `value - learningRate * gradient`, stored in the value's dtype. */
function step(value: Tensor, gradient: Tensor, learningRate: number): Tensor {
  const next = tensor(value);
  next.data.forEach((v, i) => { next.data[i] = v - learningRate * gradient.data[i]!; });
  return next;
}

function toTensors(set: Dataset): { x: Tensor; y: Tensor } {
  return {
    x: tensor(set.features, { dtype: 'float32', shape: [set.rows, set.featureCount] }),
    y: tensor(set.labels, { dtype: 'float32' }),
  };
}
