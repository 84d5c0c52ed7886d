/**
 * `npm start`: the flagship example. A Keras-style network learns the UCI handwritten digits;
 * the loss is written on probabilities and the stabilize pass fuses it with the softmax. Prints
 * the model, the fusion report, the training (a progress bar per epoch in a terminal, a line
 * every 5 epochs otherwise), the held-out accuracy, and writes the graphs as DOT and SVG under
 * out/digits/. Options: `--epochs N` (or STABLEGRAD_EPOCHS).
 * @module
 */
import { toDot } from 'stablegrad';
import { parseEpochs } from './cli-args.js';
import { digitsModel } from './digits-model.js';
import { trainDigits } from './train-digits.js';
import { writePicture } from './write-pictures.js';

const epochs = parseEpochs(process.argv.slice(2), process.env.STABLEGRAD_EPOCHS, 30, 'digits');
const terminal = process.stdout.isTTY === true;
const started = performance.now();

console.log('stablegrad: handwritten digits (UCI, Alpaydin & Kaynak, CC BY 4.0), 1797 8x8 images, 10 classes');
const model = digitsModel();
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

const written = result.model.toGraph();
const compiled = result.model.toGraph({ stage: 'compiled' });
const files = [
  ...(await writePicture('digits', 'model-as-written', toDot(written, { title: 'digits model and loss, as written' }))),
  ...(await writePicture('digits', 'training-graph', toDot(compiled, { report: compiled.report, forward: compiled.forward, title: 'what training runs: stabilized loss and its gradients' }))),
];
console.log(`graphs: ${files.join(', ')}`);
// Timing varies from run to run, so it goes to stderr and stdout stays reproducible.
console.error(`(${((performance.now() - started) / 1000).toFixed(1)} s in all)`);
