/**
 * `npm run digits-cnn`: a small convolutional network on the UCI handwritten digits, the same
 * 80/20 split (seed 42) as the flagship `npm start`: the 64 pixels of each image read as an
 * 8x8 one-channel image, conv2d -> max pool -> dense softmax. Prints the model, the fusion report,
 * the training, the held-out accuracy, and writes the graphs as DOT and SVG under
 * out/digits-cnn/. Options: `--epochs N` (or STABLEGRAD_EPOCHS).
 * @module
 */
import { toDot } from 'stablegrad';
import { parseEpochs } from './cli-args.js';
import { digitsCnnModel } from './digits-cnn-model.js';
import { trainDigits } from './train-digits.js';
import { writePicture } from './write-pictures.js';

const epochs = parseEpochs(process.argv.slice(2), process.env.STABLEGRAD_EPOCHS, 15, 'digits-cnn');
const terminal = process.stdout.isTTY === true;
const started = performance.now();

console.log('stablegrad: a convolutional network on the handwritten digits (UCI, Alpaydin & Kaynak, CC BY 4.0), 1797 8x8 images, 10 classes');
const model = digitsCnnModel(42);
console.log(model.summary());
console.log('\nmodel.explain(): what compile did to the loss as written');
console.log(model.explain());
console.log(`\ntraining: adam 0.01, batch 32, ${epochs} epochs, 10% of the training rows for validation`);

const everyFifth = {
  onEpochEnd: (epoch: number, logs: { readonly [name: string]: number }) => {
    if ((epoch + 1) % 5 !== 0 && epoch + 1 !== epochs) return;
    const f = (name: string) => logs[name]!.toFixed(4);
    console.log(`  epoch ${String(epoch + 1).padStart(3)}  loss ${f('loss')}  accuracy ${f('accuracy')}  val_loss ${f('val_loss')}  val_accuracy ${f('val_accuracy')}`);
  },
};
const result = await trainDigits({ model, epochs, fit: terminal ? { verbose: 1 } : { verbose: 0, callbacks: [everyFifth] } });
console.log(`held-out accuracy ${(100 * result.test.accuracy).toFixed(1)}% (${result.testRows} rows never trained on), loss ${result.test.loss.toFixed(4)}`);

// Each layer's nodes sit under its scope: toDot draws a cluster per layer, labelled (where the
// dot package reads `scopes`) with the layer's type, activation, output shape and parameters.
const scopes = result.model.layerSummaries();
const written = result.model.toGraph();
const compiled = result.model.toGraph({ stage: 'compiled' });
const writtenOptions = { title: 'digits CNN and loss, as written', scopes };
const compiledOptions = { report: compiled.report, forward: compiled.forward, title: 'what training runs: stabilized loss and its gradients', scopes };
const files = [
  ...(await writePicture('digits-cnn', 'model-as-written', toDot(written, writtenOptions))),
  ...(await writePicture('digits-cnn', 'training-graph', toDot(compiled, compiledOptions))),
];
console.log(`graphs: ${files.join(', ')}`);
console.error(`(${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
