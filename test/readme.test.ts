// The README must not drift from the code: its "Core API" snippet is the code of
// examples/src/readme-snippet.ts and must run and print the right numbers, and the outputs it
// shows are what the snippet and `npm start` really print.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const snippet = readFileSync(new URL('../examples/src/readme-snippet.ts', import.meta.url), 'utf8');

/** The first ```ts block after the `## Core API` heading (or another heading). */
function coreApiBlock(markdown: string, heading = '## Core API'): string {
  const section = markdown.indexOf(`\n${heading}\n`);
  expect(section, `README has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const match = /\n```ts\n([\s\S]*?)\n```\n/.exec(markdown.slice(section));
  expect(match, 'the Core API section has a ```ts block').not.toBeNull();
  return `${match![1]!}\n`;
}

describe('README', () => {
  it('shows examples/src/readme-snippet.ts verbatim as the first Core API code block', () => {
    expect(coreApiBlock(readme)).toBe(snippet);
  });

  it('its Core API snippet runs and prints the loss and gradients of a logistic regression', async () => {
    const printed: unknown[][] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { printed.push(args); });
    try {
      await import('../examples/src/readme-snippet.js');
    } finally {
      spy.mockRestore();
    }
    const [values] = printed[0] as [number[][]];
    // By hand: logits z = x W + b = [0.5 - 2 + 6 + 0.25, 0 + 1 + 8 + 0.25] = [4.75, 9.25], y = [1, 0].
    // Loss per row softplus(z) - y z; mean over the 2 rows. d/dz = (sigmoid(z) - y) / 2.
    const z = [4.75, 9.25];
    const y = [1, 0];
    const x = [[1, 2, 3], [0, -1, 4]];
    const softplus = (t: number): number => t + Math.log1p(Math.exp(-t));
    const sigmoid = (t: number): number => 1 / (1 + Math.exp(-t));
    const loss = (softplus(z[0]!) - z[0]! + softplus(z[1]!)) / 2;
    const dz = z.map((t, i) => (sigmoid(t) - y[i]!) / 2);
    const dW = [0, 1, 2].map((j) => dz[0]! * x[0]![j]! + dz[1]! * x[1]![j]!);
    const db = dz[0]! + dz[1]!;
    const close = (got: number | undefined, want: number): void => {
      expect(Math.abs(got! - want)).toBeLessThanOrEqual(1e-5 * Math.abs(want) + 1e-7); // float32 storage
    };
    close(values[0]![0], loss);
    dW.forEach((want, j) => close(values[1]![j], want));
    close(values[2]![0], db);
    const [graphText] = printed[1] as [string];
    expect(graphText).toContain('# dense/');
    expect(graphText).toMatch(/^outputs: loss=%\d+$/m);
    expect(readme, 'the README shows what printGraph prints').toContain(`\n${graphText}\n`);
  });

  it('shows examples/src/digits-model.ts verbatim as the first Keras-style code block', () => {
    const model = readFileSync(new URL('../examples/src/digits-model.ts', import.meta.url), 'utf8');
    expect(coreApiBlock(readme, '## Keras-style models')).toBe(model);
  });

  it('shows the real output of the npm start example (the digits), fusion report included', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
    expect(pkg.scripts.start).toMatch(/node examples\/dist\/digits\.js$/);
    const run = spawnSync(process.execPath, ['examples/dist/digits.js'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('dense_3: softmax + sparse categorical cross-entropy fused into sparseSoftmaxCrossEntropyWithLogits');
    const accuracy = Number(/held-out accuracy ([\d.]+)%/.exec(run.stdout)?.[1]);
    expect(accuracy).toBeGreaterThanOrEqual(95);
    expect(readme, 'paste the output of `node examples/dist/digits.js` into the README').toContain(`\n\`\`\`text\n${run.stdout}\`\`\`\n`);
    const report = run.stdout.split('what compile did to the loss as written\n')[1]!.split('\n\n')[0]!;
    expect(readme, 'the README shows model.explain() after the snippet').toContain(`\n\`\`\`text\n${report}\n\`\`\`\n`);
  });

  it('shows examples/src/stabilize-snippet.ts and what it really prints', () => {
    const stabilizeSnippet = readFileSync(new URL('../examples/src/stabilize-snippet.ts', import.meta.url), 'utf8');
    expect(coreApiBlock(readme, '## Stabilize: naive losses become fused logit forms')).toBe(stabilizeSnippet);
    const run = spawnSync(process.execPath, ['examples/dist/stabilize-snippet.js'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    // The naive binary loss became the fused op, and the gradient uses sigmoid(z) - y.
    expect(run.stdout).toContain('binary-cross-entropy');
    expect(run.stdout).toMatch(/^mean\{axes=\[0\]\}\(sigmoidCrossEntropyWithLogits\(/m);
    expect(run.stdout).toMatch(/^mean\{axes=\[0\]\}\(softmaxCrossEntropyWithLogits\{axis=1\}\(logits, labels\)\)$/m);
    expect(run.stdout).toContain('sigmoidCrossEntropyGrad(');
    expect(readme, 'paste the output of `node examples/dist/stabilize-snippet.js` into the README').toContain(`\n\`\`\`text\n${run.stdout}\`\`\`\n`);
  });
});
