/**
 * Pictures that scale: real layouts by native Graphviz of deep MLPs. Before the layout hints
 * (layout.ts) each dense layer was drawn to the right of the previous one: a 61-layer MLP was
 * 15,611 pt wide, its gradient view 52,993 pt, a 1,000-layer MLP 251,300 pt. The width of a
 * deep picture is compared with the width of the same picture for two layers: one column (two
 * for forward + gradient) whatever the depth.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { grad, graph } from '@stablegrad/core';
import { toDot } from '@stablegrad/dot';
import { deepMlp } from './graphs.js';

const nativeDot = '/usr/bin/dot';

/** Width and height in points of the SVG that native Graphviz lays out for `dot`. */
function size(dot: string): { width: number; height: number } {
  const run = spawnSync(nativeDot, ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(run.stderr);
  const match = /<svg width="([\d.]+)pt" height="([\d.]+)pt"/.exec(run.stdout);
  if (match === null) throw new Error('no size in the SVG');
  return { width: Number(match[1]), height: Number(match[2]) };
}

function forwardDot(layers: number, options: { collapseScopes?: boolean } = {}): string {
  return toDot(graph({ loss: deepMlp(layers).loss }), options);
}

function gradientDot(layers: number): string {
  const { loss, params } = deepMlp(layers);
  return toDot(graph([loss, ...grad(loss, params)]), { forward: [loss] });
}

describe.skipIf(!existsSync(nativeDot))('deep MLPs stay one column wide', () => {
  it('a 1,000-layer MLP, expanded and collapsed, is as wide as a 2-layer one, and 500 times taller', () => {
    const column = size(forwardDot(2));
    const deep = size(forwardDot(1000));
    expect(deep.width).toBeLessThanOrEqual(1.5 * column.width);
    expect(deep.height).toBeGreaterThan(250 * column.height);
    const collapsedColumn = size(forwardDot(2, { collapseScopes: true }));
    const collapsed = size(forwardDot(1000, { collapseScopes: true }));
    expect(collapsed.width).toBeLessThanOrEqual(1.5 * collapsedColumn.width);
  }, 120_000);

  it('a 61-layer MLP with its gradient: the gradient is a second column beside the layers', () => {
    const two = size(gradientDot(2));
    const deep = size(gradientDot(61));
    expect(deep.width).toBeLessThanOrEqual(2 * two.width);
    // Each layer's gradient beside the layer: the picture is about as tall as the forward one.
    expect(deep.height).toBeLessThanOrEqual(1.5 * size(forwardDot(61)).height);
  }, 120_000);
});
