// A training loop written by hand, the PyTorch way (gradients, then the optimizer's step, the
// learning rate changed between epochs), and the same run three other ways: trainOnBatch per
// batch, and fit with the batch order and a learningRateScheduler. All four give the same
// weights, bit for bit. Shown verbatim in docs/training.md, with what it prints.
import { adam, dense, learningRateScheduler, sequential, type Sequential, sparseCategoricalCrossentropy } from 'stablegrad';

// Three rings of points in the plane, 60 rows; the class is the ring.
const x = Array.from({ length: 60 }, (_, r) => [Math.cos(r * 2.4) * (1 + (r % 3)), Math.sin(r * 2.4) * (1 + (r % 3))]);
const y = x.map((_, r) => r % 3);
// Each epoch's order of the rows (a permutation: 7 and 60 are coprime), in batches of 16.
const order = (epoch: number): number[] => Array.from({ length: 60 }, (_, r) => (r * 7 + epoch * 13) % 60);
const batches = (epoch: number): number[][] => [0, 16, 32, 48].map((start) => order(epoch).slice(start, start + 16));
const rows = <T>(data: readonly T[], indices: readonly number[]): T[] => indices.map((i) => data[i]!);

function model(): Sequential {
  const m = sequential([dense({ units: 16, activation: 'relu' }), dense({ units: 3 })], { inputShape: [2], dtype: 'float64', seed: 1 });
  m.compile({ loss: sparseCategoricalCrossentropy({ fromLogits: true }), optimizer: adam({ convention: 'pytorch', learningRate: 0.02 }), metrics: ['accuracy'] });
  return m;
}

// 1. By hand: loss and gradients of a batch (loss.backward()), then one update (optimizer.step()).
const byHand = model();
for (let epoch = 0; epoch < 20; epoch++) {
  if (epoch === 10) byHand.optimizer.learningRate *= 0.5; // for g in optimizer.param_groups: g['lr'] *= 0.5
  let total = 0;
  for (const batch of batches(epoch)) {
    const { loss, gradients } = byHand.computeGradients(rows(x, batch), rows(y, batch));
    byHand.optimizer.apply(gradients);
    total += loss * batch.length;
  }
  if ((epoch + 1) % 5 === 0) console.log(`epoch ${epoch + 1}: mean batch loss ${(total / 60).toFixed(4)}, learning rate ${byHand.optimizer.learningRate}`);
}

// 2. One call per batch.
const perBatch = model();
for (let epoch = 0; epoch < 20; epoch++) {
  if (epoch === 10) perBatch.optimizer.learningRate *= 0.5;
  for (const batch of batches(epoch)) perBatch.trainOnBatch(rows(x, batch), rows(y, batch));
}

// 3. fit, told the order of the rows and when to halve the rate.
const fitted = model();
const halve = learningRateScheduler({ schedule: (epoch, rate) => (epoch === 10 ? rate * 0.5 : rate) });
const { history } = await fitted.fit(x, y, { epochs: 20, batchSize: 16, batchOrder: order, callbacks: [halve], verbose: 0 });

const bits = (m: Sequential): string => m.getWeights().map((w) => Array.from(w.data).join()).join(';');
console.log('trainOnBatch, same weights as by hand:', bits(perBatch) === bits(byHand));
console.log('fit, same weights as by hand:', bits(fitted) === bits(byHand));
console.log('fit\'s learning rates:', history.learning_rate!.filter((_, e) => e % 5 === 4).join(', '));
console.log('accuracy:', byHand.evaluate(x, y).accuracy);
