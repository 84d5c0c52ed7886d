/**
 * `#progress-bar` outside Node: the same bar as progress-bar-node.ts (the shades of
 * `cli-progress`' classic preset), drawn with a carriage return on each update, for a page that
 * hands `fit` a terminal-like stream (`isTTY: true`, e.g. an xterm.js terminal). No Node
 * built-in, no `cli-progress`.
 * @module
 */
import type * as NodeBar from './progress-bar-node.js';

const WIDTH = 24;

/**
 * Starts a bar titled `title` for `total` steps on `stream`.
 * @example
 * ```ts
 * startBar(terminal, 'Epoch 1/10', 45).update(1, 'loss: 0.6931');
 * ```
 */
export const startBar: typeof NodeBar.startBar = (stream, title, total) => {
  const draw = (done: number, logs: string, end: string): void => {
    const filled = total > 0 ? Math.min(WIDTH, Math.round((done / total) * WIDTH)) : WIDTH;
    stream.write(`\r${title} ${'\u2588'.repeat(filled)}${'\u2591'.repeat(WIDTH - filled)} ${done}/${total} ${logs}${end}`);
  };
  let steps = 0;
  draw(0, '', '');
  return {
    update(done, logs) {
      steps = done;
      draw(done, logs, '');
    },
    finish(logs) {
      draw(steps, logs, '\n');
    },
  };
};
