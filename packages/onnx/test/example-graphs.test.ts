// Every example graph file (examples/graphs/*.json), as training runs it (prepareTraining with
// stabilize: the fused loss and its gradients), exported and run in ONNX Runtime: the same loss
// and gradients as the interpreter, and finite.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromJSON, type Node } from '@stablegrad/core';
import { prepareTraining } from '@stablegrad/rewrite';
import { toOnnx } from '@stablegrad/onnx';
import { runOrt, runOurs, worst, type Feed } from './ort.js';

const DIR = new URL('../../../examples/graphs/', import.meta.url);
const EPS = { float32: 2 ** -23, float64: 2 ** -52, int32: 0 };
const ROWS = 6;

/** Seeded values for an input: labels y in {0, 1} (or classes 0..2), other inputs in [-3, 3]. */
function feedFor(node: Node, seed: number): Feed {
  let state = seed;
  const next = (): number => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const dims = node.shape.map((d) => (typeof d === 'number' ? d : ROWS));
  const size = dims.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, () => (node.name === 'y' ? (node.dtype === 'int32' ? Math.floor(next() * 3) : Math.round(next())) : next() * 6 - 3));
  const data = node.dtype === 'int32' ? Int32Array.from(values) : node.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return { data, dims };
}

describe('the example graph files in ONNX Runtime, as training runs them', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  it('there are example graphs to check', () => expect(files.length).toBeGreaterThanOrEqual(4));
  for (const file of files) {
    it(`${file}: loss and gradients equal the interpreter's`, async () => {
      const g = fromJSON(JSON.parse(readFileSync(new URL(file, DIR), 'utf8')));
      const loss = g.outputs[0]!;
      const params = g.nodes.filter((n) => n.op === 'param');
      const prepared = prepareTraining({ loss: loss.shape.length === 0 ? loss : loss.mean(), params }, { stabilize: true });
      const feeds = Object.fromEntries(prepared.graph.nodes.filter((n) => n.op === 'input').map((n, i) => [n.name, feedFor(n, 17 + i)]));
      const theirs = await runOrt(toOnnx(prepared.graph), feeds);
      const ours = runOurs(prepared.graph, feeds);
      expect(Object.keys(theirs).sort()).toEqual([...prepared.graph.outputNames].sort());
      prepared.graph.outputNames.forEach((name, i) => {
        const ourValue = ours[name]!;
        const scale = Math.max(1, ...Array.from(ourValue.data, Math.abs));
        expect(Array.from(theirs[name]!).every(Number.isFinite), name).toBe(true);
        expect(worst(theirs[name]!, ourValue.data, 64 * EPS[prepared.graph.outputs[i]!.dtype] * scale, 0), `${file} ${name}`).toBeLessThanOrEqual(1);
      });
    });
  }
});
