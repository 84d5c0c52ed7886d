/**
 * The heat overlay through Graphviz: `renderSvg` (wasm Graphviz 5.0) draws the legend boxes
 * with their ranges and keeps the `heat-<step>`, `flagged` and `legend` classes in the SVG, for
 * any title, unit, note and value; a native Graphviz, when installed (`/usr/bin/dot`), accepts
 * the same DOT without a warning.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { exp, grad, graph, input, type Node } from '@stablegrad/core';
import { stabilize } from '@stablegrad/rewrite';
import { propertyParams } from '@stablegrad/testing';
import { type DotOverlay, renderSvg, toDot } from '@stablegrad/dot';
import { mlp } from './graphs.js';
import { checkWellFormed, clusterClasses, decode, nodeClasses, texts } from './svg.js';

/** A stabilized 3-layer MLP with its gradient, and an overlay giving every node a value. */
function picture(): { whole: ReturnType<typeof graph>; forward: ReturnType<typeof graph>; overlay: DotOverlay } {
  const { loss, params } = mlp();
  const { graph: forward } = stabilize(graph({ loss }));
  const stableLoss = forward.outputs[0]!;
  const whole = graph([stableLoss, ...grad(stableLoss, params)]);
  // Values 0, 3, 6, ... wrap around the scale, so every step is used; the last node is NaN.
  const values = new Map<Node, number>(whole.nodes.map((n, i) => [n, i === whole.nodes.length - 1 ? NaN : (i * 3) % 60]));
  const notes = new Map([[whole.nodes[1]!, 'where z > 36.7 & "y" < 1']]);
  return { whole, forward, overlay: { title: 'local error (bits, mean over samples)', values, max: 53, unit: 'bits', notes, flagAbove: 50 } };
}

const LEGEND = ['0–8.83 bits', '8.83–17.7 bits', '17.7–26.5 bits', '26.5–35.3 bits', '35.3–44.2 bits', '≥ 44.2 bits, NaN'];

/**
 * Graphviz writes `-` in class names as `&#45;`: the class lists as a browser reads them, without
 * the boxes of the legend of looks (gradient, fused: legend.test.ts), which are not the overlay's.
 */
const classLists = (svg: string) => nodeClasses(svg).map((c) => decode(c).split(' ')).filter((c) => !c.some((n) => n.startsWith('look-')));

describe('overlay through renderSvg', () => {
  it('draws every node, the legend boxes with their ranges and title, and keeps the classes', async () => {
    const { whole, forward, overlay } = picture();
    const svg = await renderSvg(toDot(whole, { forward, overlay }));
    checkWellFormed(svg);
    const classes = classLists(svg);
    // One group per graph node and one per legend box (invisible edges draw nothing).
    expect(classes).toHaveLength(whole.nodes.length + 6);
    const legendBoxes = classes.filter((c) => c.includes('legend'));
    expect(legendBoxes.map((c) => c.join(' '))).toEqual(LEGEND.map((_, k) => `node legend heat-${k}`));
    const graphNodes = classes.filter((c) => !c.includes('legend'));
    expect(graphNodes.every((c) => c.filter((n) => /^heat-[0-5]$/.test(n)).length === 1)).toBe(true);
    for (let k = 0; k < 6; k++) expect(graphNodes.some((c) => c.includes(`heat-${k}`)), `heat-${k}`).toBe(true);
    expect(graphNodes.some((c) => c.includes('gradient') && c.includes('flagged'))).toBe(true);
    expect(graphNodes.some((c) => c.includes('fused'))).toBe(true);
    expect(clusterClasses(svg)).toContain('cluster legend');
    const shown = texts(svg);
    expect(shown).toContain('local error (bits, mean over samples)');
    for (const label of LEGEND) expect(shown).toContain(label);
    expect(shown).toContain('NaN bits');
    expect(shown).toContain('3.0 bits');
    expect(shown).toContain('where z > 36.7 & "y" < 1');
    // White text on the darkest step only.
    expect(svg).toMatch(/fill="#ffffff">≥ 44\.2 bits, NaN<\/text>/);
    expect(svg).not.toMatch(/fill="#ffffff">35\.3–44\.2 bits<\/text>/);
  });

  it('collapsed: one group per box and node outside a scope, plus the legend', async () => {
    const { whole, forward, overlay } = picture();
    const svg = await renderSvg(toDot(whole, { forward, overlay, collapseScopes: true, rankdir: 'LR' }));
    checkWellFormed(svg);
    const classes = classLists(svg);
    // x, y and the boxes dense_1, dense_2, dense_3, loss, grad; the six legend boxes.
    expect(classes).toHaveLength(7 + 6);
    expect(classes.filter((c) => c.includes('scope')).every((c) => c.some((n) => n.startsWith('heat-')))).toBe(true);
    expect(texts(svg).filter((t) => t.startsWith('max '))).toHaveLength(5);
  });
});

/** Text with the characters that could break DOT, XML or a Graphviz escape. */
const hostile = fc.string({
  unit: fc.oneof(fc.constantFrom('"', '\\', '\n', '<', '>', '&', '{', '|', ';', '\\N', '&amp;', '–', '∞', '😀'), fc.string({ minLength: 1, maxLength: 1 })),
  maxLength: 8,
});
const anyNumber = fc.oneof(fc.double(), fc.double({ min: 0, max: 60, noNaN: true }));

// Each case renders with the wasm Graphviz (a few ms), so the default number of runs is modest.
const params = propertyParams(30);
test.prop([hostile, fc.option(hostile, { nil: undefined }), hostile, anyNumber, anyNumber, fc.double({ min: 1e-6, max: 1e6, noNaN: true })], {
  ...params, numRuns: Math.min(params.numRuns, 300),
})('any title, unit, note and values give DOT that Graphviz draws, with the legend and one heat class per valued node', async (title, unit, note, a, b, max) => {
  const x = input([2], { name: 'x' });
  const y = exp(x);
  const overlay: DotOverlay = { title, values: new Map([[x, a], [y, b]]), max, notes: new Map([[y, note]]), ...(unit === undefined ? {} : { unit }) };
  const svg = await renderSvg(toDot(y, { overlay }));
  checkWellFormed(svg);
  const classes = classLists(svg);
  expect(classes.filter((c) => c.includes('legend')).map((c) => c.join(' '))).toEqual(LEGEND.map((_, k) => `node legend heat-${k}`));
  const graphNodes = classes.filter((c) => !c.includes('legend'));
  expect(graphNodes).toHaveLength(2);
  for (const c of graphNodes) expect(c.filter((n) => /^heat-[0-5]$/.test(n))).toHaveLength(1);
  expect(clusterClasses(svg)).toContain('cluster legend');
});

const nativeDot = '/usr/bin/dot';

describe.skipIf(!existsSync(nativeDot))('overlay through native Graphviz', () => {
  it('accepts the DOT of every view without a warning, and draws the legend', () => {
    const { whole, forward, overlay } = picture();
    for (const options of [{ overlay }, { forward, overlay }, { forward, overlay, collapseScopes: true }, { overlay, rankdir: 'LR' as const }]) {
      const run = spawnSync(nativeDot, ['-Tsvg'], { input: toDot(whole, options), encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      const svg = run.stdout;
      checkWellFormed(svg);
      expect(clusterClasses(svg)).toContain('cluster legend');
      expect(classLists(svg).filter((c) => c.includes('legend'))).toHaveLength(6);
      for (const label of LEGEND) expect(texts(svg)).toContain(label);
    }
  });

  it('rejects broken DOT (the check above can fail)', () => {
    expect(() => execFileSync(nativeDot, ['-Tsvg'], { input: 'digraph { a -> }', stdio: 'pipe' })).toThrow();
  });
});
