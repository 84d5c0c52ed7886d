/**
 * What `fit` prints: nothing at verbose 0, nothing at verbose 1 outside a terminal, a progress
 * bar per epoch in a (fake) terminal, one Keras-style line per epoch at verbose 2, and at the
 * default `'auto'` the bar in a terminal and the line elsewhere (decided by the stream's isTTY,
 * `process.stdout`'s by default, and the console where there is no `process`).
 */
import { binaryCrossentropy, dense, type ProgressStream, sequential, sgd } from '@stablegrad/nn';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultStream, formatLogs } from '../src/progress.js';
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
async function train(verbose: 'auto' | 0 | 1 | 2 | undefined, stream: FakeStream | undefined, validation = false) {
  const m = sequential([dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 1 });
  m.compile({ loss: binaryCrossentropy(), optimizer: sgd({ learningRate: 0.1 }), metrics: ['accuracy'] });
  return m.fit(x, y, { epochs: 2, batchSize: 4, ...(stream === undefined ? {} : { stream }), ...(verbose === undefined ? {} : { verbose }), ...(validation ? { validationSplit: 0.25 } : {}) });
}

/** The line of one epoch: `Epoch e/2 - <time> <time>/step - logs - lr: 0.1`, logs with 4 decimals. */
function epochLine(history: { readonly [name: string]: number[] }, epoch: number, names: readonly string[]): RegExp {
  const logs = names.map((k) => `${k}: ${history[k]![epoch]!.toFixed(4)}`).join(' - ').replace(/\./g, '\\.');
  const time = '\\d+(\\.\\d)?(s|ms|us)';
  return new RegExp(`^Epoch ${epoch + 1}/2 - ${time} ${time}/step - ${logs} - lr: 0\\.1$`);
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

  it('verbose 1 (the bar only) writes nothing to a stream that is not a terminal', async () => {
    const stream = fakeStream(false);
    await train(1, stream);
    expect(stream.chunks).toEqual([]);
  });

  it.each(['auto', undefined] as const)('verbose %s (auto is the default) writes one line per epoch to a stream that is not a terminal, as Keras', async (verbose) => {
    const stream = fakeStream(false);
    const { history } = await train(verbose, stream);
    const lines = stream.text().split('\n');
    expect(lines.length).toBe(3);
    expect(lines[2]).toBe('');
    lines.slice(0, 2).forEach((line, epoch) => expect(line).toMatch(epochLine(history, epoch, ['loss', 'accuracy'])));
  });

  it('verbose auto draws the bar in a terminal, with no plain epoch lines', async () => {
    const stream = fakeStream(true);
    await train('auto', stream);
    const text = readable(stream.text());
    expect(text).toContain('Epoch 2/2');
    expect(text).toContain('3/3');
    expect(stream.chunks.some((c) => c.includes('\x1b'))).toBe(true); // cursor control: a bar, not lines
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

  it('verbose 2 writes one line per epoch: time, time per step, loss and metrics with 4 decimals, the learning rate', async () => {
    const stream = fakeStream(true);
    const { history } = await train(2, stream, true);
    const lines = stream.text().split('\n');
    expect(lines.at(-1)).toBe(''); // each line ends with a newline
    expect(lines.length).toBe(3);
    lines.slice(0, 2).forEach((line, epoch) => expect(line).toMatch(epochLine(history, epoch, ['loss', 'accuracy', 'val_loss', 'val_accuracy'])));
  });
});

describe('where the output goes by default', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([false, true])('process.stdout, as a terminal or not by its isTTY (%s)', async (isTTY) => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((text: string | Uint8Array) => { written.push(String(text)); return true; });
    const descriptor = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: isTTY, configurable: true });
    try {
      await train(undefined, undefined);
    } finally {
      if (descriptor === undefined) delete (process.stdout as { isTTY?: boolean }).isTTY;
      else Object.defineProperty(process.stdout, 'isTTY', descriptor);
    }
    const text = written.join('');
    if (isTTY) expect(text.includes('\x1b')).toBe(true);
    else expect(text.split('\n').filter((l) => l.startsWith('Epoch '))).toHaveLength(2);
  });

  it('the console where there is no process (a browser): never a terminal, one console line per write', () => {
    const logged: unknown[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { logged.push(...args); });
    const saved = globalThis.process;
    let stream;
    try {
      (globalThis as { process?: unknown }).process = undefined;
      stream = defaultStream();
    } finally {
      globalThis.process = saved;
    }
    expect(stream.isTTY).toBe(false);
    stream.write('Epoch 1/1 - 1ms 1ms/step - loss: 0.5000\n');
    expect(logged).toEqual(['Epoch 1/1 - 1ms 1ms/step - loss: 0.5000']);
  });

  it('formats the learning rate with 4 significant digits, the logs with 4 decimals', () => {
    expect(formatLogs({ loss: 0.123456, accuracy: 1, learning_rate: 0.000123456 })).toBe('loss: 0.1235 - accuracy: 1.0000 - lr: 0.0001235');
    expect(formatLogs({ loss: 2, learning_rate: 1e-7 })).toBe('loss: 2.0000 - lr: 1e-7');
  });
});
