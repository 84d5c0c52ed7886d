/**
 * Logistic regression on the breast cancer data with the layers API, twice: model A ends in a
 * sigmoid and its loss is written on probabilities (`binaryCrossentropy()`), model B ends in a
 * linear unit and its loss reads logits (`binaryCrossentropy({ fromLogits: true })`). The
 * stabilize pass fuses A's sigmoid with its loss, so both train on the same stable op: same seed,
 * same optimizer, same batches, and the weights agree to float tolerance.
 * @module
 */
import {
  binaryCrossentropy, dense, type FitOptions, type History, type Loss, type Optimizer, type Sequential, sequential, sgd, type Tensor,
} from 'stablegrad';
import {
  BREAST_CANCER_PATH, fitStandardizer, loadBreastCancer, splitTrainTest, standardize,
} from './data/breast-cancer.js';

/** Options of `trainBreastCancer`; every field has a default. */
export interface BreastCancerOptions {
  /** Default 30. */
  readonly epochs?: number;
  /** Default 32. */
  readonly batchSize?: number;
  /** SGD step size (default 0.1). */
  readonly learningRate?: number;
  /** Seeds the split, the initial weights and the shuffles (default 42). */
  readonly seed?: number;
  /** Share of rows held out for the final test (default 0.2). */
  readonly testFraction?: number;
  /** The gzip CSV to read (default examples/data/breast_cancer.csv.gz). */
  readonly dataPath?: string;
  /** Passed to both `fit` calls (verbose, callbacks, stream); default silent. */
  readonly fit?: Pick<FitOptions, 'verbose' | 'callbacks' | 'stream'>;
}

/** One trained model and how it did. */
export interface TrainedModel {
  readonly model: Sequential;
  readonly history: History;
  /** Loss and accuracy on the held-out rows. */
  readonly test: { readonly loss: number; readonly accuracy: number };
}

/** Both models, and how far apart their weights ended. */
export interface BreastCancerResult {
  /** Model A: sigmoid output, loss on probabilities (fused by the stabilize pass). */
  readonly probabilities: TrainedModel;
  /** Model B: linear output, loss from logits. */
  readonly logits: TrainedModel;
  /** Largest `|a - b|` over all weights. */
  readonly maxAbsDifference: number;
  /** Largest `|a - b| / max(|a|, |b|)` over all weights (0 where both are 0). */
  readonly maxRelativeDifference: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly features: number;
}

/**
 * The model of one side: 30 standardized features -> one unit, sigmoid (A) or linear (B), with
 * the loss that goes with it. Both get the same seed, so the same initial weights.
 * @example
 * ```ts
 * const a = breastCancerModel('sigmoid', binaryCrossentropy(), sgd({ learningRate: 0.1 }), 30, 42);
 * ```
 */
export function breastCancerModel(activation: 'sigmoid' | 'linear', loss: Loss, optimizer: Optimizer, features: number, seed: number): Sequential {
  const model = sequential([dense({ units: 1, activation })], { inputShape: [features], seed, name: `logistic_${activation}` });
  model.compile({ loss, optimizer, metrics: ['accuracy'] });
  return model;
}

/**
 * Loads the data, splits and standardizes it, trains models A and B and compares their weights.
 * @example
 * ```ts
 * const { maxAbsDifference, probabilities, logits } = await trainBreastCancer({ epochs: 10 });
 * probabilities.test.accuracy; // about 0.98
 * ```
 */
export async function trainBreastCancer(options: BreastCancerOptions = {}): Promise<BreastCancerResult> {
  const seed = options.seed ?? 42;
  const learningRate = options.learningRate ?? 0.1;
  const data = loadBreastCancer(options.dataPath ?? BREAST_CANCER_PATH);
  const split = splitTrainTest(data, { testFraction: options.testFraction ?? 0.2, seed });
  // Fit on the training rows only, so nothing about the held-out rows leaks into training.
  const standardizer = fitStandardizer(split.train);
  const [train, test] = [standardize(split.train, standardizer), standardize(split.test, standardizer)];
  const fit: FitOptions = { epochs: options.epochs ?? 30, batchSize: options.batchSize ?? 32, verbose: 0, ...options.fit };

  const run = async (activation: 'sigmoid' | 'linear', loss: Loss): Promise<TrainedModel> => {
    const model = breastCancerModel(activation, loss, sgd({ learningRate }), data.featureCount, seed);
    // A flat array of features is read as rows of `features` values; labels as [rows] for one unit.
    const history = await model.fit(train.features, train.labels, fit);
    const { loss: testLoss, accuracy } = model.evaluate(test.features, test.labels);
    return { model, history, test: { loss: testLoss!, accuracy: accuracy! } };
  };
  const probabilities = await run('sigmoid', binaryCrossentropy());
  const logits = await run('linear', binaryCrossentropy({ fromLogits: true }));
  return {
    probabilities,
    logits,
    ...weightDifferences(probabilities.model.getWeights(), logits.model.getWeights()),
    trainRows: train.rows,
    testRows: test.rows,
    features: data.featureCount,
  };
}

/**
 * The largest absolute and relative differences between two lists of weights of the same shapes.
 * @example
 * ```ts
 * weightDifferences(a.getWeights(), b.getWeights()); // { maxAbsDifference: 3e-8, maxRelativeDifference: 1e-7 }
 * ```
 */
function weightDifferences(a: readonly Tensor[], b: readonly Tensor[]): { maxAbsDifference: number; maxRelativeDifference: number } {
  let maxAbsDifference = 0;
  let maxRelativeDifference = 0;
  a.forEach((tensorA, i) => tensorA.data.forEach((x, j) => {
    const y = b[i]!.data[j]!;
    const difference = Math.abs(x - y);
    const scale = Math.max(Math.abs(x), Math.abs(y));
    maxAbsDifference = Math.max(maxAbsDifference, difference);
    if (scale > 0) maxRelativeDifference = Math.max(maxRelativeDifference, difference / scale);
  }));
  return { maxAbsDifference, maxRelativeDifference };
}
