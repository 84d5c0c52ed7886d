/**
 * What `fit` prints: nothing at verbose 0, nothing at verbose 1 outside a terminal, a progress
 * bar per epoch in a (fake) terminal, and one Keras-style line per epoch at verbose 2.
 */
import { binaryCrossentropy, dense, type ProgressStream, sequential, sgd } from '@stablegrad/nn';
import { describe, expect, it } from 'vitest';
import { separable } from './helpers.js';

/** A stream that keeps what is written; a terminal when `isTTY`. */
interface FakeStream extends ProgressStream {
  readonly chunks: string[];
  readonly columns: number;
  text(): string;
}

function fakeStream(isTTY: boolean): FakeStream {
  const chunks: string[] = [];
  // cli-progress moves the cursor through node:readline, which only calls write (with a callback).
  return {
    isTTY,
    columns: 80,
    chunks,
    write(text: string, callback?: () => void) {
      chunks.push(text);
      if (typeof callback === 'function') callback();
      return true;
    },
    text: () => chunks.join(''),
  };
}

const { x, y } = separable(12, 2, 1);
async function train(verbose: 0 | 1 | 2 | undefined, stream: FakeStream, validation = false) {
  const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 1 });
  m.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.1 }), metrics: ['accuracy'] });
  return m.fit(x, y, { epochs: 2, batchSize: 4, stream, ...(verbose === undefined ? {} : { verbose }), ...(validation ? { validationSplit: 0.25 } : {}) });
}

// Control sequences (cursor moves, line clears) removed: what a person would read.
// The progress bar's ANSI escapes (ESC [ ... letter, ESC 7/8) are control characters by design.
// eslint-disable-next-line no-control-regex
const readable = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');

describe('progress output', () => {
  it('verbose 0 writes nothing, even to a terminal', async () => {
    const stream = fakeStream(true);
    await train(0, stream);
    expect(stream.chunks).toEqual([]);
  });

  it.each([1, undefined] as const)('verbose %s (1 is the default) writes nothing to a stream that is not a terminal', async (verbose) => {
    const stream = fakeStream(false);
    await train(verbose, stream);
    expect(stream.chunks).toEqual([]);
  });

  it('verbose 1 draws a bar per epoch in a terminal, ending with the epoch\'s logs', async () => {
    const stream = fakeStream(true);
    const history = await train(1, stream);
    const text = readable(stream.text());
    expect(text).toContain('Epoch 1/2');
    expect(text).toContain('Epoch 2/2');
    expect(text).toContain('3/3');
    expect(text).toContain(`loss: ${history.history.loss![1]!.toFixed(4)}`);
  });

  it('verbose 2 writes one line per epoch: time, loss and metrics with 4 decimals', async () => {
    const stream = fakeStream(false);
    const { history } = await train(2, stream, true);
    const lines = stream.text().split('\n');
    expect(lines.at(-1)).toBe(''); // each line ends with a newline
    expect(lines.length).toBe(3);
    lines.slice(0, 2).forEach((line, epoch) => {
      const logs = ['loss', 'accuracy', 'val_loss', 'val_accuracy'].map((k) => `${k}: ${history[k]![epoch]!.toFixed(4)}`).join(' - ');
      expect(line).toMatch(new RegExp(`^Epoch ${epoch + 1}/2 - \\d+\\.\\ds - ${logs.replace(/\./g, '\\.')}$`));
    });
  });
});
