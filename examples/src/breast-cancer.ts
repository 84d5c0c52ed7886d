/**
 * `npm run breast-cancer`: logistic regression on the breast cancer data, written two
 * ways with the layers API — A: a sigmoid unit and `binaryCrossentropy()` on probabilities, B: a
 * linear unit and `binaryCrossentropy({ fromLogits: true })`. The stabilize pass fuses A's
 * sigmoid into its loss, so A trains exactly like B: the script prints both `explain()` reports,
 * the loss curves, the held-out accuracies and how far apart the weights ended, and writes A's
 * graph as written and as compiled under out/breast-cancer/. Options: `--epochs N` (or
 * STABLEGRAD_EPOCHS).
 * @module
 */
import { toDot } from 'stablegrad';
import { parseEpochs } from './cli-args.js';
import { trainBreastCancer } from './train-breast-cancer.js';
import { writePicture } from './write-pictures.js';

const epochs = parseEpochs(process.argv.slice(2), process.env.STABLEGRAD_EPOCHS, 30, 'breast-cancer');
const started = performance.now();
const indent = (text: string): string => text.split('\n').map((line) => `  ${line}`).join('\n');
const percent = (share: number): string => `${(100 * share).toFixed(1)}%`;
const difference = (x: number): string => (x === 0 ? '0' : x.toExponential(2));

const settings = { epochs, learningRate: 0.1, batchSize: 32, seed: 42 };
const result = await trainBreastCancer(settings);
const { probabilities: a, logits: b } = result;
console.log('stablegrad: logistic regression on the Wisconsin breast cancer data (UCI, CC BY 4.0), two ways');
console.log(`${result.trainRows} training rows, ${result.testRows} held out, ${result.features} standardized features;`);
console.log(`both: float32, seed ${settings.seed} (same initial weights and batches), sgd ${settings.learningRate}, batch ${settings.batchSize}, ${epochs} epochs`);
console.log('  A: dense({ units: 1, activation: \'sigmoid\' }) + binaryCrossentropy()                  (loss on probabilities)');
console.log('  B: dense({ units: 1 })                          + binaryCrossentropy({ fromLogits: true }) (loss on logits)');
console.log('\nA.explain(): compile fused the sigmoid into the loss');
console.log(indent(a.model.explain()));
console.log('\nB.explain(): the loss already reads logits');
console.log(indent(b.model.explain()));

console.log('\ntraining loss per epoch (every 5th):');
const lossA = a.history.history.loss!;
const lossB = b.history.history.loss!;
lossA.forEach((loss, i) => {
  if ((i + 1) % 5 !== 0 && i !== 0 && i + 1 !== lossA.length) return;
  console.log(`  epoch ${String(i + 1).padStart(3)}  A ${loss.toFixed(6)}  B ${lossB[i]!.toFixed(6)}`);
});

console.log(`\nheld-out accuracy: A ${percent(a.test.accuracy)} (loss ${a.test.loss.toFixed(4)}), B ${percent(b.test.accuracy)} (loss ${b.test.loss.toFixed(4)})`);
const same = result.maxAbsDifference === 0 ? ' (bit for bit the same)' : '';
console.log(`weights (${result.features} kernel values and the bias): max |A - B| = ${difference(result.maxAbsDifference)}, max relative difference ${difference(result.maxRelativeDifference)}${same}`);

const written = a.model.toGraph();
const compiled = a.model.toGraph({ stage: 'compiled' });
const files = [
  ...(await writePicture('breast-cancer', 'model-a-as-written', toDot(written, { title: 'model A: sigmoid unit and binary cross-entropy on probabilities, as written' }))),
  ...(await writePicture('breast-cancer', 'model-a-compiled', toDot(compiled, { report: compiled.report, forward: compiled.forward, title: 'model A as trained: sigmoidCrossEntropyWithLogits and its gradients' }))),
];
console.log(`graphs: ${files.join(', ')}`);
// Timing varies from run to run, so it goes to stderr and stdout stays reproducible.
console.error(`(${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
