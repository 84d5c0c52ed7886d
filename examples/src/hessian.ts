/**
 * `npm run hessian`: trains the flagship digits model briefly, then measures the curvature of its
 * loss in the last layer's bias: the Hessian as a graph, its extreme eigenvalues by power
 * iteration with Hessian-vector products, checked against the explicit matrix's eigenvalues and
 * the closed form of a softmax cross-entropy's Hessian. Options: `--epochs N` (default 10).
 * @module
 */
import { splitTrainTest } from './data/dataset.js';
import { DIGITS_PATH, loadDigits } from './data/digits.js';
import { biasCurvature } from './bias-hessian.js';
import { parseEpochs } from './cli-args.js';
import { trainDigits } from './train-digits.js';

const epochs = parseEpochs(process.argv.slice(2), process.env.STABLEGRAD_EPOCHS, 10, 'hessian');
console.log(`stablegrad: the Hessian of the digits model's loss in its last bias (${epochs} epochs of training first)`);
const { model } = await trainDigits({ epochs, fit: { verbose: 0 } });
const { train } = splitTrainTest(loadDigits(DIGITS_PATH), { testFraction: 0.2, seed: 42 });
const c = biasCurvature(model, train.features, Int32Array.from(train.labels));

const f = (v: number) => v.toExponential(3).padStart(11);
console.log(`\nHessian (${c.hessian.length} x ${c.hessian.length}, float32), first 4 rows and columns:`);
for (const row of c.hessian.slice(0, 4)) console.log(' ', row.slice(0, 4).map(f).join(''));
const worst = Math.max(...c.hessian.flatMap((row, i) => row.map((h, j) => Math.abs(h - c.closedForm[i]![j]!))));
console.log(`largest difference from the closed form mean(diag p - p p^T): ${worst.toExponential(2)}`);
console.log(`\npower iteration with hvp: largest eigenvalue ${c.largest.value.toPrecision(6)} (${c.largest.steps} steps), ` +
  `smallest ${c.smallest.value.toExponential(2)} (${c.smallest.steps} steps)`);
console.log(`eigenvalues of the explicit matrix (Jacobi): ${c.eigenvalues.map((e) => e.toPrecision(4)).join(', ')}`);
console.log('the smallest is 0 up to rounding: adding the same constant to every logit changes no softmax, so the loss is flat along (1, ..., 1).');
