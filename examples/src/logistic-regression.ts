/**
 * `npm start`: trains logistic regression on the breast cancer data and prints the loss and
 * the accuracies. Options: `--epochs N` (or the STABLEGRAD_EPOCHS environment variable).
 * @module
 */
import { parseEpochs } from './cli-args.js';
import { trainLogisticRegression } from './train-logistic-regression.js';

const epochs = parseEpochs(process.argv.slice(2), process.env.STABLEGRAD_EPOCHS, 100, 'logistic-regression');
console.log('stablegrad: logistic regression on the Wisconsin breast cancer data (UCI, CC BY 4.0)');
console.log(`float32, 30 features, full-batch gradient descent, learning rate 0.5, ${epochs} epochs`);
console.log('mean sigmoid cross-entropy on the training set before each epoch\'s update, ten epochs a line:');
const width = String(epochs).length;
let line: string[] = [];
const result = trainLogisticRegression({
  epochs,
  onEpoch: (epoch, loss) => {
    line.push(loss.toFixed(6));
    if (line.length === 10 || epoch === epochs) {
      const first = epoch - line.length + 1;
      console.log(`  epochs ${String(first).padStart(width)}-${String(epoch).padEnd(width)}  ${line.join(' ')}`);
      line = [];
    }
  },
});
console.log(`final training loss ${result.finalLoss.toFixed(6)}`);
console.log(`train accuracy ${percent(result.trainAccuracy)} (${result.trainRows} rows)`);
console.log(`test accuracy  ${percent(result.testAccuracy)} (${result.testRows} held-out rows)`);

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}
