/**
 * The heat overlay in the DOT text: the step of each value (worked out by hand from
 * `[k max / 6, (k + 1) max / 6)`), colours, classes, label lines, NaN and infinities, flagging,
 * the legend, the forward + gradient and collapsed views, and the options it rejects.
 */
import { describe, expect, it } from 'vitest';
import { exp, grad, graph, input, log, type Node, param, scope, sum, tensor } from '@stablegrad/core';
import { prepareTraining } from '@stablegrad/rewrite';
import { type DotOverlay, toDiffDot, toDot } from '@stablegrad/dot';
import { mlp } from './graphs.js';

/** The whole statement defining `id`. */
function statement(dot: string, id: string): string {
  const line = dot.split('\n').find((l) => l.trimStart().startsWith(`${id} [`));
  if (line === undefined) throw new Error(`no statement for ${id}`);
  return line.trim();
}

/** One attribute of the statement defining `id`, unquoted (undefined when absent). */
function attribute(dot: string, id: string, name: string): string | undefined {
  const match = new RegExp(`[ ,\\[]${name}=("[^"]*"|[^,\\]]+)`).exec(statement(dot, id));
  return match?.[1]!.replace(/^"|"$/g, '');
}

/** The label lines of `id`. */
function labelLines(dot: string, id: string): string[] {
  return attribute(dot, id, 'label')!.split('\\n');
}

/** YlOrRd with six classes, from ColorBrewer (colorbrewer2.org), palest first. */
const YL_OR_RD = ['#ffffb2', '#fed976', '#feb24c', '#fd8d3c', '#f03b20', '#bd0026'];

/** WCAG 2 contrast ratio of two `#rrggbb` colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** `x -> exp (in scope act) -> log -> sum`, with a param added in. */
function small(): { x: Node; W: Node; e: Node; l: Node; s: Node } {
  const x = input([2], { name: 'x', dtype: 'float64' });
  const W = param(tensor([1, 2], { dtype: 'float64' }), { name: 'W' });
  const e = scope('act', () => exp(x.mul(W)));
  const l = log(e);
  return { x, W, e, l, s: sum(l) };
}

describe('overlay: values on nodes', () => {
  it('colours, classes and label lines of a small graph', () => {
    const { x, W, e, l, s } = small();
    const overlay: DotOverlay = {
      title: 'local error (bits, mean over samples)',
      values: new Map([[x, 0], [e, 12.34], [l, 50], [s, 30]]),
      max: 53,
      unit: 'bits',
      notes: new Map([[l, 'where z > 36.7']]),
    };
    const g = graph({ s });
    // Ids from graph order: x n0, W n1, mul n2, exp n3, log n4, sum n5.
    expect(g.nodes).toEqual([x, W, g.nodes[2], e, l, s]);
    const dot = toDot(g, { overlay });
    expect(statement(dot, 'n0')).toBe(
      'n0 [class="input heat-0", shape=ellipse, style="filled", fillcolor="#ffffb2", color="#374151", label="input\\nx\\n[2] float64\\n0.0 bits", tooltip="0.0 bits"];',
    );
    // exp: 12.34 / (53 / 6) = 1.4 -> step 1; the value rounded to one decimal.
    expect(attribute(dot, 'n3', 'class')).toBe('op heat-1');
    expect(attribute(dot, 'n3', 'fillcolor')).toBe(YL_OR_RD[1]);
    expect(attribute(dot, 'n3', 'shape')).toBe('box');
    expect(labelLines(dot, 'n3')).toEqual(['exp', '[2] float64', '12.3 bits']);
    // log: 50 >= 5 * 53 / 6 = 44.2 -> the last step, dark: white text; the note under the value.
    expect(attribute(dot, 'n4', 'class')).toBe('op heat-5');
    expect(attribute(dot, 'n4', 'fillcolor')).toBe(YL_OR_RD[5]);
    expect(attribute(dot, 'n4', 'fontcolor')).toBe('#ffffff');
    expect(labelLines(dot, 'n4')).toEqual(['log', '[2] float64', '50.0 bits', 'where z > 36.7']);
    expect(attribute(dot, 'n4', 'tooltip')).toBe('50.0 bits: where z > 36.7');
    // sum: 30 / 8.83 = 3.4 -> step 3; still the output, with its double border.
    expect(attribute(dot, 'n5', 'class')).toBe('op output heat-3');
    expect(attribute(dot, 'n5', 'peripheries')).toBe('2');
    expect(attribute(dot, 'n5', 'fontcolor')).toBeUndefined();
    expect(labelLines(dot, 'n5')).toEqual(['sum axes=[0]', '[] float64', '30.0 bits', 'output: s']);
    // Nodes without a value keep their normal look: the same statement as without an overlay.
    const plain = toDot(g);
    for (const id of ['n1', 'n2']) expect(statement(dot, id)).toBe(statement(plain, id));
    // No flagging unless asked for.
    expect(dot).not.toContain('flagged');
  });

  it('steps: [k max / 6, (k + 1) max / 6), below 0 the first, at or above max and non-finite the last', () => {
    const x = input([1], { name: 'x' });
    const cases: [value: number, step: number, shown: string][] = [
      [0, 0, '0.0'], [-3, 0, '-3.0'], [8.8, 0, '8.8'], [8.84, 1, '8.8'], [17.6, 1, '17.6'], [17.7, 2, '17.7'],
      [26.49, 2, '26.5'], [26.5, 3, '26.5'], [35.4, 4, '35.4'], [44.1, 4, '44.1'], [44.2, 5, '44.2'], [53, 5, '53.0'],
      [64, 5, '64.0'], [1e300, 5, (1e300).toFixed(1)], [NaN, 5, 'NaN'], [Infinity, 5, '∞'], [-Infinity, 5, '-∞'],
    ];
    for (const [value, step, shown] of cases) {
      const dot = toDot(x, { overlay: { title: 't', values: new Map([[x, value]]), max: 53, unit: 'bits' } });
      expect(attribute(dot, 'n0', 'class'), String(value)).toBe(`input output heat-${step}`);
      expect(attribute(dot, 'n0', 'fillcolor'), String(value)).toBe(YL_OR_RD[step]);
      expect(labelLines(dot, 'n0').at(-2), String(value)).toBe(`${shown} bits`);
    }
    // Without a unit, the bare number.
    const bare = toDot(x, { overlay: { title: 't', values: new Map([[x, 1.25]]), max: 24 } });
    expect(labelLines(bare, 'n0')).toEqual(['input', 'x', '[1] float32', '1.3', 'output: output_0']);
  });

  it('text is black or white, whichever contrasts more with the fill (WCAG)', () => {
    const x = input([1], { name: 'x' });
    YL_OR_RD.forEach((fill, step) => {
      const dot = toDot(x, { overlay: { title: 't', values: new Map([[x, step + 0.5]]), max: 6 } });
      expect(attribute(dot, 'n0', 'fillcolor')).toBe(fill);
      const font = attribute(dot, 'n0', 'fontcolor') ?? '#000000';
      const other = font === '#ffffff' ? '#000000' : '#ffffff';
      expect(contrast(font, fill), fill).toBeGreaterThanOrEqual(contrast(other, fill));
      expect(contrast(font, fill), fill).toBeGreaterThanOrEqual(4.5);
    });
  });

  it('flagAbove: values at or above it, and NaN, get a thick red border and class flagged', () => {
    const { x, e, l, s } = small();
    const values = new Map([[x, 19.9], [e, 20], [l, NaN], [s, 3]]);
    const dot = toDot({ s }, { overlay: { title: 't', values, max: 53, flagAbove: 20 } });
    expect(attribute(dot, 'n0', 'class')).toBe('input heat-2');
    expect(attribute(dot, 'n0', 'penwidth')).toBeUndefined();
    for (const id of ['n3', 'n4']) {
      expect(attribute(dot, id, 'class')!.split(' ')).toContain('flagged');
      expect(attribute(dot, id, 'penwidth')).toBe('3');
      expect(attribute(dot, id, 'color')).toBe('#dc2626');
    }
    expect(attribute(dot, 'n5', 'class')).toBe('op output heat-0');
    // No flagAbove: nothing is flagged, not even NaN.
    expect(toDot({ s }, { overlay: { title: 't', values, max: 53 } })).not.toContain('flagged');
  });

  it('flagged: the nodes in the set are flagged whatever their value; a non-set is refused', () => {
    const { x, e, l, s } = small();
    const values = new Map([[x, 1], [e, 2], [l, 3], [s, 3]]);
    const dot = toDot({ s }, { overlay: { title: 't', values, max: 53, flagged: new Set([e]) } });
    expect(attribute(dot, 'n3', 'class')!.split(' ')).toContain('flagged');
    expect(attribute(dot, 'n4', 'class')!.split(' ')).not.toContain('flagged');
    expect(() => toDot({ s }, { overlay: { title: 't', values, max: 53, flagged: [e] as unknown as Set<Node> } })).toThrow(/overlay\.flagged must be a Set/);
  });

  it('values and notes of nodes not drawn are ignored', () => {
    const { x, s } = small();
    const stranger = exp(input([3], { name: 'elsewhere' }));
    const withStranger = toDot({ s }, {
      overlay: { title: 't', values: new Map([[x, 1], [stranger, 'not even a number' as unknown as number]]), max: 10, notes: new Map([[stranger, 'n']]) },
    });
    expect(withStranger).toBe(toDot({ s }, { overlay: { title: 't', values: new Map([[x, 1]]), max: 10 } }));
  });

  it('notes of nodes without a value are not shown; user text is escaped', () => {
    const { x, e, s } = small();
    const dot = toDot({ s }, {
      overlay: { title: 'err "a" \\ b', values: new Map([[e, 2]]), max: 10, unit: 'u"\\', notes: new Map([[x, 'hidden'], [e, 'q "1"\nnext']]) },
    });
    expect(dot).not.toContain('hidden');
    // A line break in a note is spelled out (`\n` as text), as in every name.
    expect(labelLines(dot, 'n3')).toEqual(['exp', '[2] float64', '2.0 u&quot;&#92;&#92;', 'q &quot;1&quot;&#92;&#92;nnext']);
    // The statement holds no raw quote or backslash besides the \n line breaks.
    const label = attribute(dot, 'n3', 'label')!;
    expect(label.replace(/\\n/g, '')).not.toMatch(/["\\]/);
    expect(dot).toContain('graph [label="err &quot;a&quot; &#92;&#92; b", class="legend"');
  });
});

describe('overlay: legend', () => {
  /** The legend boxes' ids, classes, fills and labels, in order. */
  function legend(dot: string): { id: string; cls: string; fill: string; label: string }[] {
    const body = /subgraph cluster_legend \{\n([\s\S]*?)\n {2}\}/.exec(dot)?.[1];
    if (body === undefined) throw new Error('no legend cluster');
    return [...body.matchAll(/^\s*(\w+) \[class="([^"]*)".*fillcolor="([^"]*)".*label="([^"]*)"\];$/gm)].map((m) => ({
      id: m[1]!, cls: m[2]!, fill: m[3]!, label: m[4]!,
    }));
  }

  it('one box per step, in order, in one rank, with its range; titled, and outside every scope', () => {
    const { x, s } = small();
    const dot = toDot({ s }, { overlay: { title: 'local error (bits, mean over samples)', values: new Map([[x, 1]]), max: 53, unit: 'bits' } });
    const boxes = legend(dot);
    expect(boxes.map((b) => b.cls)).toEqual(YL_OR_RD.map((_, k) => `legend heat-${k}`));
    expect(boxes.map((b) => b.fill)).toEqual(YL_OR_RD);
    // 53 / 6 = 8.833..., three significant digits.
    expect(boxes.map((b) => b.label)).toEqual(['0–8.83 bits', '8.83–17.7 bits', '17.7–26.5 bits', '26.5–35.3 bits', '35.3–44.2 bits', '≥ 44.2 bits, NaN']);
    const ids = boxes.map((b) => b.id);
    expect(dot).toContain(`{ rank=same; ${ids.join('; ')}; }`);
    expect(dot).toContain(`${ids.join(' -> ')} [style=invis];`);
    expect(dot).toMatch(/subgraph cluster_legend \{\n {4}graph \[label="local error \(bits, mean over samples\)", class="legend"/);
    // The legend is written last, at the top level, after every node and edge of the graph.
    expect(dot.indexOf('  subgraph cluster_legend {')).toBeGreaterThan(dot.lastIndexOf('n4 -> n5;'));
    expect(dot.endsWith('  }\n}\n')).toBe(true);
    // Legend ids cannot clash with node ids (n0, n1, ...) or box ids (s0, ...).
    for (const id of ids) expect(id).not.toMatch(/^[ns]\d+$/);
  });

  it('ranges follow max: 24 bits for float32', () => {
    const x = input([1], { name: 'x' });
    const dot = toDot(x, { overlay: { title: 't', values: new Map(), max: 24 } });
    expect(legend(dot).map((b) => b.label)).toEqual(['0–4', '4–8', '8–12', '12–16', '16–20', '≥ 20, NaN']);
    // An overlay with no value at all still draws its legend and leaves the nodes alone.
    expect(statement(dot, 'n0')).toBe(statement(toDot(x), 'n0'));
  });

  it('no overlay, no legend', () => {
    expect(toDot(small().s)).not.toContain('legend');
  });
});

describe('overlay: views', () => {
  it('forward + gradient: the value colour replaces fused and gradient colours; shape, dashes and classes stay', () => {
    const { loss, params } = mlp();
    const training = prepareTraining({ loss, params });
    const nodes = training.graph.nodes;
    const options = { forward: [training.loss], report: training.report };
    const g = nodes.findIndex((n) => n.op === 'sigmoidCrossEntropyGrad');
    const f = nodes.findIndex((n) => n.op === 'sigmoidCrossEntropyWithLogits');
    const values = new Map(nodes.map((n, i) => [n, i === g ? 40 : i === f ? 10 : 0.5]));
    const dot = toDot(training.graph, { ...options, overlay: { title: 't', values, max: 48, unit: 'bits' } });
    const plain = toDot(training.graph, options);
    expect(attribute(dot, `n${g}`, 'class')).toBe('op fused gradient heat-5');
    expect(attribute(dot, `n${g}`, 'fillcolor')).toBe(YL_OR_RD[5]);
    expect(attribute(dot, `n${g}`, 'style')).toBe(attribute(plain, `n${g}`, 'style'));
    expect(attribute(dot, `n${g}`, 'style')).toContain('dashed');
    expect(attribute(dot, `n${g}`, 'tooltip')).toBe('40.0 bits\\nfused gradient: sigmoid(z) - y');
    expect(attribute(dot, `n${f}`, 'class')).toBe('op fused heat-1');
    nodes.forEach((_, i) => {
      const id = `n${i}`;
      expect(attribute(dot, id, 'shape')).toBe(attribute(plain, id, 'shape'));
      // Every class of the plain picture is kept, and one heat class added.
      const classes = attribute(dot, id, 'class')!.split(' ');
      expect(classes.filter((c) => !c.startsWith('heat-'))).toEqual(attribute(plain, id, 'class')!.split(' '));
      expect(classes.filter((c) => c.startsWith('heat-'))).toHaveLength(1);
      // The kind, fused and gradient colours are gone from every node.
      expect(YL_OR_RD).toContain(attribute(dot, id, 'fillcolor'));
    });
  });

  it('collapseScopes: a scope box shows the largest value of its nodes, NaN counting as largest', () => {
    const { loss, params } = mlp();
    const forward = graph({ loss });
    const whole = graph([loss, ...grad(loss, params)]);
    const inScope = (name: string) => whole.nodes.filter((n) => n.scope[0] === name);
    const values = new Map<Node, number>();
    inScope('dense_1').forEach((n, i) => values.set(n, i)); // max 4
    inScope('dense_2').forEach((n, i) => values.set(n, i === 1 ? NaN : 50));
    values.set(inScope('loss')[2]!, 30);
    const notes = new Map([[inScope('dense_1')[4]!, 'the worst one']]);
    const dot = toDot(whole, { forward, collapseScopes: true, overlay: { title: 't', values, notes, max: 53, unit: 'bits', flagAbove: 45 } });
    // x n0 and y n1, then the boxes dense_1 s0, dense_2 s1, dense_3 s2, loss s3, grad s4.
    expect(attribute(dot, 's0', 'class')).toBe('scope heat-0');
    expect(labelLines(dot, 's0')).toContain('max 4.0 bits');
    const worst = inScope('dense_1')[4]!;
    expect(attribute(dot, 's0', 'tooltip')).toContain(`max 4.0 bits at ${worst.op}`);
    expect(attribute(dot, 's0', 'tooltip')).toContain(': the worst one');
    expect(attribute(dot, 's1', 'class')).toBe('scope heat-5 flagged');
    expect(labelLines(dot, 's1')).toContain('max NaN bits');
    expect(attribute(dot, 's1', 'fontcolor')).toBe('#ffffff');
    expect(attribute(dot, 's2', 'class')).toBe('scope');
    expect(labelLines(dot, 's2').join(' ')).not.toContain('bits');
    expect(attribute(dot, 's3', 'class')).toBe('scope output heat-3');
    expect(attribute(dot, 's3', 'shape')).toBe('box3d');
    expect(attribute(dot, 's4', 'class')).toBe('scope output gradient');
    expect(dot).toContain('subgraph cluster_legend {');
  });

  it('toDiffDot ignores the overlay, without even checking it', () => {
    const { x, s } = small();
    const after = graph({ s: exp(x) });
    const bad = { title: 3, values: 'no', max: -1 } as unknown as DotOverlay;
    expect(toDiffDot({ s }, after, { overlay: bad })).toBe(toDiffDot({ s }, after));
    expect(toDiffDot({ s }, after, { overlay: { title: 't', values: new Map([[x, 50]]), max: 53 } })).not.toMatch(/heat-|cluster_legend/);
  });
});

describe('overlay: rejected options', () => {
  const { x, s } = small();
  const good: DotOverlay = { title: 't', values: new Map([[x, 1]]), max: 53 };
  const cases: [name: string, overlay: unknown, message: RegExp][] = [
    ['max 0', { ...good, max: 0 }, /overlay\.max must be a finite number > 0, got 0/],
    ['max < 0', { ...good, max: -1 }, /overlay\.max must be a finite number > 0, got -1/],
    ['max NaN', { ...good, max: NaN }, /overlay\.max .* got NaN/],
    ['max Infinity', { ...good, max: Infinity }, /overlay\.max .* got Infinity/],
    ['max a string', { ...good, max: '53' }, /overlay\.max .* got "53"/],
    ['max missing', { title: 't', values: new Map() }, /overlay\.max .* got undefined/],
    ['title missing', { values: new Map(), max: 1 }, /overlay\.title must be a string, got undefined/],
    ['title a number', { ...good, title: 7 }, /overlay\.title must be a string, got 7/],
    ['values missing', { title: 't', max: 1 }, /overlay\.values must be a Map/],
    ['values an array', { ...good, values: [[x, 1]] }, /overlay\.values must be a Map/],
    ['a value not a number', { ...good, values: new Map([[x, '1']]) }, /overlay\.values must map nodes to numbers, got "1"/],
    ['notes not a Map', { ...good, notes: 'n' }, /overlay\.notes must be a Map/],
    ['a note not a string', { ...good, notes: new Map([[x, 1]]) }, /overlay\.notes must map nodes to strings, got 1/],
    ['unit not a string', { ...good, unit: 1 }, /overlay\.unit must be a string, got 1/],
    ['flagAbove NaN', { ...good, flagAbove: NaN }, /overlay\.flagAbove must be a number, got NaN/],
    ['flagAbove a string', { ...good, flagAbove: '1' }, /overlay\.flagAbove must be a number/],
    ['overlay null', null, /overlay must be an object, got null/],
  ];
  for (const [name, overlay, message] of cases) {
    it(`throws a TypeError: ${name}`, () => {
      const draw = () => toDot({ s }, { overlay: overlay as DotOverlay });
      expect(draw).toThrow(TypeError);
      expect(draw).toThrow(message);
      expect(() => toDot({ s }, { overlay: overlay as DotOverlay, collapseScopes: true })).toThrow(message);
    });
  }

  it('accepts the good one, with and without the optional fields', () => {
    expect(() => toDot({ s }, { overlay: good })).not.toThrow();
    expect(() => toDot({ s }, { overlay: { ...good, unit: '', notes: new Map(), flagAbove: -Infinity } })).not.toThrow();
  });
});
