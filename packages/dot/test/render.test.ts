/**
 * `renderSvg` on real pictures: a 3-layer MLP (stabilized, forward + gradient) renders to
 * well-formed SVG with exactly one node group per graph node; Graphviz shows hostile names
 * exactly as written (control characters spelled out); invalid DOT is a RenderError. The
 * property: graphs whose names, scopes, dimensions, title and rule texts are random strings
 * (quotes, backslashes, newlines, control characters, lone surrogates, any unicode) always
 * give DOT that Graphviz parses, with every node drawn and every name shown.
 */
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { apply, grad, graph, input, isOpName, type Node, opDef, withScopePath } from '@stablegrad/core';
import { type RewriteReport, stabilize } from '@stablegrad/rewrite';
import { propertyParams } from '@stablegrad/testing';
import { RenderError, renderSvg, toDiffDot, toDot } from '@stablegrad/dot';
import { mlp } from './graphs.js';
import { checkWellFormed, clusterClasses, decode, drawnBoxes, graphNodeClasses, nodeClasses, texts } from './svg.js';

/** How a name is shown: control characters, lone surrogates, U+FFFE/U+FFFF spelled out. */
function shown(name: string): string {
  let out = '';
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    const named: { [k: string]: string } = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };
    if (named[ch] !== undefined) out += named[ch];
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff) {
      out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

/** Graphviz writes runs of spaces with no-break spaces; compare text up to that. */
const normal = (s: string) => s.replace(/\u00a0/g, ' ');

describe('renderSvg', () => {
  it('renders a stabilized 3-layer MLP with its gradient: one node group per node', async () => {
    const { loss, params } = mlp();
    const { graph: forward, report } = stabilize(graph({ loss }));
    const stableLoss = forward.outputs[0]!;
    const whole = graph([stableLoss, ...grad(stableLoss, params)]);
    const svg = await renderSvg(toDot(whole, { forward, report, edgeShapes: true }));
    expect(svg.startsWith('<?xml')).toBe(true);
    checkWellFormed(svg);
    const classes = graphNodeClasses(svg);
    expect(classes).toHaveLength(drawnBoxes(whole.nodes));
    const gradientNodes = whole.nodes.filter((n) => !forward.nodes.includes(n)).length;
    expect(classes.filter((c) => c.split(' ').includes('gradient'))).toHaveLength(gradientNodes);
    expect(classes.filter((c) => c.split(' ').includes('param'))).toHaveLength(params.length);
    expect(classes).toContain('node op fused');
    expect(clusterClasses(svg)).toEqual(expect.arrayContaining(['cluster scope', 'cluster scope gradient']));

    const collapsed = await renderSvg(toDot(whole, { forward, report, collapseScopes: true }));
    checkWellFormed(collapsed);
    // x, y and the boxes dense_1, dense_2, dense_3, loss, grad.
    expect(graphNodeClasses(collapsed)).toHaveLength(7);
    // The legend lists the looks the picture uses.
    expect(nodeClasses(collapsed).filter((c) => c.split(' ').includes('legend')).map(decode)).toEqual([
      'node legend look-forward', 'node legend look-gradient', 'node legend look-fused', 'node legend look-rewritten',
    ]);
  });

  it('shows hostile names exactly', async () => {
    const names = ['a\\b "q" <x> {y}|&', '\\N and \\G', '&amp; &#92; &lt;', 'line\nbreak\ttab\u0000', 'é ☃ 😀 עִבְרִית', 'end\\'];
    const xs = names.map((name) => input([1], { name }));
    const svg = await renderSvg(toDot(xs));
    checkWellFormed(svg);
    const shownTexts = texts(svg).map(normal);
    for (const name of names) expect(shownTexts).toContain(shown(name));
    expect(shownTexts).toContain('line\\nbreak\\ttab\\u0000');
  });

  it('rejects DOT that Graphviz cannot parse with a RenderError, and keeps working', async () => {
    await expect(renderSvg('digraph { a -> }')).rejects.toThrow(RenderError);
    await expect(renderSvg('digraph { a -> }')).rejects.toThrow(/syntax error/);
    expect(nodeClasses(await renderSvg('digraph { a -> b }'))).toHaveLength(2);
  });
});

const hostile = fc.oneof(
  fc.constantFrom('"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', '\u0085', '<', '>', '{', '}', '|', '&', ';', '[', ']'),
  fc.constantFrom('=', '->', 'N', 'G', 'n', 'l', '&#92;', '&amp;', '\\N', '\\n', ' ', '\u2028', '\ufeff', '\ufffe', '\uffff', '\ud800', '\udfff', 'é', '😀'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const text = fc.string({ unit: hostile, maxLength: 8 });
const opSpec = fc.record({ op: fc.constantFrom('exp', 'neg', 'add'), a: fc.nat(), b: fc.nat(), name: text, scope: fc.array(text, { maxLength: 3 }) });
const picture = fc.record({
  inputs: fc.array(fc.record({ name: text, scope: fc.array(text, { maxLength: 2 }) }), { minLength: 1, maxLength: 3 }),
  shape: fc.array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.string({ unit: hostile, minLength: 1, maxLength: 4 })), { maxLength: 2 }),
  ops: fc.array(opSpec, { minLength: 1, maxLength: 6 }),
  title: fc.option(text, { nil: undefined }),
  rule: fc.record({ name: text, doc: text, at: fc.nat() }),
  view: fc.constantFrom('plain', 'gradient', 'diff', 'collapsed'),
  cut: fc.nat(),
  rankdir: fc.constantFrom('TB', 'LR', 'BT', 'RL'),
  edgeShapes: fc.boolean(),
});

type PictureSpec = typeof picture extends fc.Arbitrary<infer T> ? T : never;

/** Builds the graph, draws it with the view's options, and returns what should be drawn. */
function draw(spec: PictureSpec): { dot: string; nodes: readonly Node[]; collapsed: boolean } {
  const nodes: Node[] = spec.inputs.map((i) => withScopePath(i.scope, () => input(spec.shape, { name: i.name })));
  for (const o of spec.ops) {
    const a = nodes[o.a % nodes.length]!;
    const b = nodes[o.b % nodes.length]!;
    nodes.push(withScopePath(o.scope, () => apply(opDef(o.op), o.op === 'add' ? [a, b] : [a], {}, { name: o.name })));
  }
  const used = new Set(nodes.flatMap((n) => n.inputs));
  const whole = graph(nodes.filter((n) => !used.has(n)));
  const replacement = nodes[spec.inputs.length + (spec.rule.at % spec.ops.length)]!;
  const report: RewriteReport = {
    phases: [{ name: 'p', passes: 1, firings: 1 }],
    firings: [{
      phase: 'p', rule: spec.rule.name, doc: spec.rule.doc, path: replacement.path, scope: replacement.scope,
      before: '', after: '', captures: {}, matched: nodes[0]!, replacement,
    }],
  };
  const options = {
    rankdir: spec.rankdir, edgeShapes: spec.edgeShapes, report,
    ...(spec.title === undefined ? {} : { title: spec.title }),
  };
  const cut = 1 + (spec.cut % nodes.length);
  switch (spec.view) {
    case 'plain':
      return { dot: toDot(whole, options), nodes: whole.nodes, collapsed: false };
    case 'gradient':
      return { dot: toDot(whole, { ...options, forward: nodes.slice(0, cut) }), nodes: whole.nodes, collapsed: false };
    case 'collapsed':
      return { dot: toDot(whole, { ...options, collapseScopes: true }), nodes: whole.nodes, collapsed: true };
    case 'diff': {
      const before = graph(nodes.slice(0, cut));
      const union = [...before.nodes, ...whole.nodes.filter((n) => !before.nodes.includes(n))];
      return { dot: toDiffDot(before, whole, options), nodes: union, collapsed: false };
    }
    default:
      return spec.view satisfies never;
  }
}

// Each case renders with the wasm Graphviz (a few ms), so the default number of runs is modest.
const params = propertyParams(40);
test.prop([picture], { ...params, numRuns: Math.min(params.numRuns, 400) })(
  'graphs with random names always give DOT that Graphviz parses, every node drawn, every name shown',
  async (spec) => {
    const { dot, nodes, collapsed } = draw(spec);
    const svg = await renderSvg(dot);
    checkWellFormed(svg);
    const groups = collapsed ? new Set(nodes.map((n) => (n.scope[0] === undefined ? n : n.scope[0]))).size : drawnBoxes(nodes);
    expect(graphNodeClasses(svg)).toHaveLength(groups);
    if (collapsed) return;
    const shownTexts = texts(svg).map(normal);
    for (const node of nodes) {
      // A name that is an op's name is not shown (it would read as a second op).
      if (node.name !== node.op && !isOpName(node.name) && node.name.trim() !== '') expect(shownTexts).toContain(normal(shown(node.name)));
    }
  },
);
