// The committed example graph files are exactly what `npm run graphs` writes, and they load.
import { readFileSync } from 'node:fs';
import { fromJSON } from '@stablegrad/core';
import { stabilize } from '@stablegrad/rewrite';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_GRAPHS, exampleGraphPath, graphFileText } from '../examples/src/graphs.js';

describe('example graph files', () => {
  it.each(Object.keys(EXAMPLE_GRAPHS))('examples/graphs/%s.json is in sync with its script (run npm run graphs)', (name) => {
    const committed = readFileSync(exampleGraphPath(name), 'utf8');
    expect(committed).toBe(graphFileText(EXAMPLE_GRAPHS[name]!()));
    const g = fromJSON(JSON.parse(committed));
    expect(g.outputNames).toEqual(['loss']);
    expect(g.outputs[0]!.shape).toEqual([]);
  });

  it('naive-bce stabilizes to the fused sigmoid cross-entropy', () => {
    const g = fromJSON(JSON.parse(readFileSync(exampleGraphPath('naive-bce'), 'utf8')));
    expect(g.nodes.map((n) => n.op)).toContain('sigmoid');
    const { graph, report } = stabilize(g);
    const ops = graph.nodes.map((n) => n.op);
    expect(ops).toContain('sigmoidCrossEntropyWithLogits');
    expect(ops).not.toContain('log');
    expect(ops).not.toContain('sigmoid');
    expect(report.firings.map((f) => f.rule)).toContain('binary-cross-entropy');
  });
});
