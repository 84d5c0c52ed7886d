// The convolutional digits example (npm run digits-cnn) with small settings: a narrow network
// trained for two epochs on the flagship's split learns well above chance, its softmax head fuses
// with the loss through the convolution and the pooling, each layer is a scope of the graph, and
// the script runs and writes its pictures.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { digitsCnnModel } from '../examples/src/digits-cnn-model.js';
import { trainDigits } from '../examples/src/train-digits.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('npm run digits-cnn, small', () => {
  it('a 4-filter network trained 2 epochs on the flagship split is well above chance, and its head fuses', async () => {
    const model = digitsCnnModel(42, 4);
    expect(model.explain()).toContain('dense_4: softmax + sparse categorical cross-entropy fused into sparseSoftmaxCrossEntropyWithLogits');
    expect(model.layers.map((l) => [l.name, l.outputShape])).toEqual([
      ['conv2d_1', [8, 8, 4]], ['maxPooling2d_2', [4, 4, 4]], ['flatten_3', [64]], ['dense_4', [10]],
    ]);
    const { test, trainRows, testRows } = await trainDigits({ model, epochs: 2, fit: { verbose: 0 } });
    expect([trainRows, testRows]).toEqual([1438, 359]);
    expect(test.accuracy).toBeGreaterThan(0.7);
  });

  it('every node of the written graph sits under a layer\'s scope (or is the input or the loss); layerSummaries labels them', () => {
    const model = digitsCnnModel(42, 2);
    const summaries = model.layerSummaries();
    expect(summaries.conv2d_1).toEqual({ type: 'conv2d', activation: 'relu', outputShape: ['batch', 8, 8, 2], params: (3 * 3 * 1 + 1) * 2 });
    expect(summaries.maxPooling2d_2).toEqual({ type: 'maxPooling2d', outputShape: ['batch', 4, 4, 2], params: 0 });
    const g = model.toGraph();
    for (const node of g.nodes) {
      const top = node.scope[0];
      if (top === undefined) expect(['input', 'constant'], node.path).toContain(node.op);
      else expect(top === 'loss' || Object.hasOwn(summaries, top), node.path).toBe(true);
    }
  });

  it('runs as a script (one epoch) and writes its graphs as DOT and SVG', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['digits-cnn']).toBe('npm run build && node examples/dist/digits-cnn.js');
    const run = spawnSync(process.execPath, [join(root, 'examples/dist/digits-cnn.js'), '--epochs', '1'], { encoding: 'utf8', cwd: root });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^conv2d_1 \(conv2d, relu\)\s+\[batch, 8, 8, 16\]\s+160$/m);
    expect(run.stdout).toMatch(/held-out accuracy [\d.]+%/);
    for (const name of ['model-as-written', 'training-graph']) {
      for (const ext of ['dot', 'svg']) expect(existsSync(join(root, 'out', 'digits-cnn', `${name}.${ext}`)), `${name}.${ext}`).toBe(true);
    }
  }, 60_000);
});
