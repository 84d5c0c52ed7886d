/**
 * `npm run multilabel`: one network, three yes/no questions about a scene — is there a
 * car, a bus, a pedestrian? — answered by three sigmoid outputs at once (multi-label: any
 * number of them can be true). The data are synthetic and seeded: 12 features drawn from a
 * normal distribution, each label a known rule over a few of them, sharing features so that the
 * labels co-occur (buses mostly come with cars, pedestrians mostly without). The loss is
 * `binaryCrossentropy()` on the probabilities, which compile fuses with the sigmoids into
 * `sigmoidCrossEntropyWithLogits`. Prints the fusion report, the training and the held-out
 * accuracy of each label (from `model.predict`), and writes the graphs under out/multilabel/.
 * Options: `--epochs N` (or STABLEGRAD_EPOCHS).
 * @module
 */
import { pathToFileURL } from 'node:url';
import {
  adam, binaryAccuracy, binaryCrossentropy, dense, type History, type Sequential, seededRandom, sequential, type Tensor, tensor, toDot,
} from 'stablegrad';
import { parseEpochs } from './cli-args.js';
import { writePicture } from './write-pictures.js';

/** The three outputs, in column order. */
export const LABELS = ['car', 'bus', 'pedestrian'] as const;

/** Features per scene. */
const FEATURES = 12;

/**
 * The rule behind each label, over the features `f`: what the network has to find out. Features
 * 6 to 11 take part in no rule (noise the network must learn to ignore).
 */
const RULES: readonly { readonly text: string; readonly holds: (f: readonly number[]) => boolean }[] = [
  { text: 'f0 + f1 > 0', holds: (f) => f[0]! + f[1]! > 0 },
  { text: 'f1 + f2 - f3 / 2 > 0.5', holds: (f) => f[1]! + f[2]! - f[3]! / 2 > 0.5 },
  { text: 'f4 - f0 + f5 / 2 > 0', holds: (f) => f[4]! - f[0]! + f[5]! / 2 > 0 },
];

/** Scenes: `x` is `[rows, FEATURES]`, `y` is `[rows, 3]` of 0/1 (car, bus, pedestrian). */
export interface Scenes {
  readonly rows: number;
  readonly x: Tensor;
  readonly y: Tensor;
}

/**
 * `rows` seeded scenes: standard normal features, labels by the rules (no label noise).
 * @example
 * ```ts
 * const { x, y } = scenes(1000, 7); // the same scenes on every run
 * ```
 */
export function scenes(rows: number, seed: number): Scenes {
  const random = seededRandom(seed);
  const x = new Float32Array(rows * FEATURES);
  const y = new Float32Array(rows * LABELS.length);
  for (let r = 0; r < rows; r++) {
    const f = Array.from({ length: FEATURES }, () => Math.fround(random.normal()));
    x.set(f, r * FEATURES);
    RULES.forEach((rule, k) => { y[r * LABELS.length + k] = rule.holds(f) ? 1 : 0; });
  }
  return { rows, x: tensor(x, { shape: [rows, FEATURES] }), y: tensor(y, { shape: [rows, LABELS.length] }) };
}

/** Options of `trainMultilabel`; every field has a default. */
export interface MultilabelOptions {
  /** Default 30. */
  readonly epochs?: number;
  /** Default 32. */
  readonly batchSize?: number;
  /** Training scenes (default 800); a quarter as many more are held out. */
  readonly trainRows?: number;
  /** Seeds the scenes, the weights and the shuffles (default 7). */
  readonly seed?: number;
}

/** How one label did on the held-out scenes. */
export interface LabelAccuracy {
  readonly label: (typeof LABELS)[number];
  /** The rule that decides it. */
  readonly rule: string;
  /** Share of held-out scenes where the output is on the right side of 0.5. */
  readonly accuracy: number;
  /** Share of held-out scenes where the label is 1 (what always answering the majority would score against). */
  readonly positives: number;
}

/** What training produced. */
export interface MultilabelResult {
  readonly model: Sequential;
  readonly history: History;
  /** Loss and binary accuracy (over all labels) on the held-out scenes. */
  readonly test: { readonly loss: number; readonly binaryAccuracy: number };
  readonly perLabel: readonly LabelAccuracy[];
  /** Share of training scenes by how many labels they have: `[none, one, two, three]`. */
  readonly labelCounts: readonly number[];
  /** For each label, the share of its training scenes that also have a car (`car` itself: 1). */
  readonly withCar: readonly number[];
  readonly trainRows: number;
  readonly testRows: number;
}

/**
 * The network: 12 features -> 16 relu -> 3 sigmoid outputs, one per label, with the binary
 * cross-entropy on probabilities (no `fromLogits`: compile fuses it).
 * @example
 * ```ts
 * console.log(multilabelModel(7).explain());
 * ```
 */
export function multilabelModel(seed: number): Sequential {
  const model = sequential([
    dense({ units: 16, activation: 'relu' }),
    dense({ units: LABELS.length, activation: 'sigmoid' }),
  ], { inputShape: [FEATURES], seed, name: 'scene_labels' });
  model.compile({ loss: binaryCrossentropy(), optimizer: adam({ learningRate: 0.01 }), metrics: [binaryAccuracy()] });
  return model;
}

/**
 * Makes the scenes, trains the network and measures each label on held-out scenes.
 * @example
 * ```ts
 * const { perLabel } = await trainMultilabel({ epochs: 10 });
 * perLabel.map((l) => `${l.label} ${l.accuracy}`);
 * ```
 */
export async function trainMultilabel(options: MultilabelOptions = {}): Promise<MultilabelResult> {
  const seed = options.seed ?? 7;
  const trainRows = options.trainRows ?? 800;
  const testRows = Math.round(trainRows / 4);
  const train = scenes(trainRows, seed);
  // Another stream of the same generator family: held-out scenes are new draws, not a reshuffle.
  const test = scenes(testRows, seed + 1);
  const model = multilabelModel(seed);
  const history = await model.fit(train.x, train.y, { epochs: options.epochs ?? 30, batchSize: options.batchSize ?? 32, verbose: 0 });
  const measured = model.evaluate(test.x, test.y);
  const predicted = model.predict(test.x).data;
  const k = LABELS.length;
  const perLabel = LABELS.map((label, j) => {
    let correct = 0;
    let positives = 0;
    for (let r = 0; r < testRows; r++) {
      const truth = test.y.data[r * k + j]!;
      positives += truth;
      if ((predicted[r * k + j]! > 0.5 ? 1 : 0) === truth) correct++;
    }
    return { label, rule: RULES[j]!.text, accuracy: correct / testRows, positives: positives / testRows };
  });
  const labelCounts = [0, 0, 0, 0];
  const withCar = LABELS.map(() => ({ scenes: 0, cars: 0 }));
  for (let r = 0; r < trainRows; r++) {
    const row = train.y.data.subarray(r * k, (r + 1) * k);
    let present = 0;
    row.forEach((v, j) => {
      present += v;
      if (v === 1) {
        withCar[j]!.scenes++;
        withCar[j]!.cars += row[0]!;
      }
    });
    labelCounts[present]! += 1 / trainRows;
  }
  return {
    model, history, perLabel, labelCounts, trainRows, testRows, withCar: withCar.map((c) => c.cars / c.scenes),
    test: { loss: measured.loss!, binaryAccuracy: measured.binaryAccuracy! },
  };
}

const percent = (share: number): string => `${(100 * share).toFixed(1)}%`;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const epochs = parseEpochs(process.argv.slice(2), process.env.STABLEGRAD_EPOCHS, 30, 'multilabel');
  const started = performance.now();
  console.log('stablegrad: multi-label classification — is there a car, a bus, a pedestrian? (three sigmoid outputs)');
  console.log(`synthetic scenes (seed 7): ${FEATURES} standard normal features f0..f${FEATURES - 1}; each label is a rule, f6..f11 are noise:`);
  LABELS.forEach((label, j) => console.log(`  ${label.padEnd(10)} ${RULES[j]!.text}`));
  const result = await trainMultilabel({ epochs });
  const [none, one, two, three] = result.labelCounts.map(percent);
  console.log(`training scenes by number of labels: none ${none}, one ${one}, two ${two}, all three ${three};`);
  console.log(`a car is also in ${percent(result.withCar[1]!)} of the bus scenes and ${percent(result.withCar[2]!)} of the pedestrian scenes`);
  console.log(`\n${result.model.summary()}`);
  console.log('\nmodel.explain(): the three sigmoids and the binary cross-entropy become one stable op');
  console.log(result.model.explain().split('\n').map((line) => `  ${line}`).join('\n'));

  console.log(`\ntraining: adam 0.01, batch 32, ${epochs} epochs on ${result.trainRows} scenes`);
  const { loss, binaryAccuracy: accuracy } = result.history.history;
  loss!.forEach((value, i) => {
    if ((i + 1) % 5 !== 0 && i + 1 !== epochs) return;
    console.log(`  epoch ${String(i + 1).padStart(3)}  loss ${value.toFixed(4)}  binaryAccuracy ${accuracy![i]!.toFixed(4)}`);
  });
  console.log(`\nheld-out scenes (${result.testRows}, never trained on): loss ${result.test.loss.toFixed(4)}, binaryAccuracy ${percent(result.test.binaryAccuracy)}`);
  console.log('per label, from model.predict (output > 0.5 means yes):');
  for (const l of result.perLabel) {
    const chance = Math.max(l.positives, 1 - l.positives);
    console.log(`  ${l.label.padEnd(10)} accuracy ${percent(l.accuracy).padStart(6)}   (label is 1 in ${percent(l.positives)}; always answering the majority scores ${percent(chance)})`);
  }

  const written = result.model.toGraph();
  const compiled = result.model.toGraph({ stage: 'compiled' });
  const files = [
    ...(await writePicture('multilabel', 'model-as-written', toDot(written, { title: 'car / bus / pedestrian: three sigmoids and binary cross-entropy, as written' }))),
    ...(await writePicture('multilabel', 'training-graph', toDot(compiled, { report: compiled.report, forward: compiled.forward, title: 'what training runs: sigmoidCrossEntropyWithLogits over three outputs, and its gradients' }))),
  ];
  console.log(`graphs: ${files.join(', ')}`);
  // Timing varies from run to run, so it goes to stderr and stdout stays reproducible.
  console.error(`(${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
}
