// Where a NaN or an infinity came from: a loss or gradient that is not finite names the node
// that first produced a non-finite value from finite inputs; checkNumerics stops on a
// non-finite intermediate value even when the loss and gradients survive it.
import { describe, expect, it } from 'vitest';
import { binaryCrossentropy, dense, sequential, sgd, TrainingError } from '@stablegrad/nn';

/** One sigmoid unit on one feature, float32; its kernel set to `w`. */
function unit(w: number) {
  const model = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [1], seed: 1 });
  model.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.1 }) });
  model.setWeights([[[w]], [0]]);
  return model;
}

/** A relu unit (kernel `w`) then a sigmoid unit: a relu turns a -Infinity into a finite 0. */
function reluThenSigmoid(w: number) {
  const model = sequential([dense({ units: 1, activation: 'relu' }), dense({ units: 1, activation: 'sigmoid' })], { inputShape: [1], seed: 1 });
  model.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.1 }) });
  model.setWeights([[[w]], [0], [[0.5]], [0.25]]);
  return model;
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(TrainingError);
    return (e as Error).message;
  }
  return 'no error';
}

describe('non-finite values in training', () => {
  it('a loss that overflows names the matmul that overflowed, not the loss', () => {
    // 10 * 3e38 overflows float32: the logit is Infinity, and the label 0 makes the loss Infinity.
    const message = messageOf(() => unit(3e38).trainOnBatch([[10]], [0]));
    expect(message).toMatch(/^the loss became Infinity in trainOnBatch; it starts at matmul '[^']*dense[^']*' \[batch, 1\] float32 gave Infinity at \[0, 0\] from finite inputs;/);
    expect(message).toMatch(/training stopped/);
  });

  it('without checkNumerics, an infinity the loss survives trains on; with it, fit stops and names it', async () => {
    // The first layer's pre-activation is -Infinity, its relu 0: loss and gradients are finite.
    const quiet = reluThenSigmoid(-3e38);
    const history = await quiet.fit([[10]], [0], { epochs: 1, verbose: 0 });
    expect(Number.isFinite(history.history.loss![0])).toBe(true);
    const strict = reluThenSigmoid(-3e38);
    await expect(strict.fit([[10]], [0], { epochs: 1, verbose: 0, checkNumerics: true })).rejects.toThrow(
      /^checkNumerics: a value of the training graph is not finite at epoch 1, batch 1.*: matmul '[^']*dense[^']*' \[batch, 1\] float32 gave -Infinity at \[0, 0\]/,
    );
    // Nothing was applied: the weights are those before the batch.
    expect(Array.from(strict.getWeights()[3]!.data)).toEqual([0.25]);
  });

  it('a NaN loss from an infinite logit names the matmul, not the fused loss it passed through', () => {
    expect(messageOf(() => unit(-3e38).trainOnBatch([[10]], [0]))).toMatch(/^the loss became NaN in trainOnBatch; it starts at matmul .* gave -Infinity/);
  });

  it('checkNumerics is checked like every fit option', async () => {
    await expect(unit(1).fit([[1]], [0], { checkNumerics: 'yes' as unknown as boolean, verbose: 0 })).rejects.toThrow(/checkNumerics must be true or false/);
  });

  it('on a healthy model checkNumerics changes nothing', async () => {
    const a = unit(0.5);
    const b = unit(0.5);
    const x = [[1], [-2], [0.5], [3]];
    const y = [1, 0, 1, 1];
    await a.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    await b.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0, checkNumerics: true });
    expect(Array.from(b.getWeights()[0]!.data)).toEqual(Array.from(a.getWeights()[0]!.data));
  });
});
