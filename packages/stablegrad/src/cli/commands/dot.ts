/**
 * `stablegrad dot <graph.json>`: the graph as Graphviz DOT (stdout, or a `.dot`/`.gv` file) or
 * SVG (a `.svg` file): as written, stabilized, with its gradients, or stabilize's before/after.
 * @module
 */
import { type Graph, GradError, type Node } from '@stablegrad/core';
import { type DotOptions, renderSvg, toDiffDot, toDot } from '@stablegrad/dot';
import { prepareTraining, stabilize } from '@stablegrad/rewrite';
import { type Command, onePositional, type ParsedArgs, quote, UsageError } from '../args.js';
import { pictureFormat, readInput, shownName, writeFileAtomic } from '../io.js';
import { graphOf, layerScopes, trainingGraphOf } from '../model-graph.js';

const RANKDIRS = ['TB', 'LR', 'BT', 'RL'] as const;
type Rankdir = (typeof RANKDIRS)[number];

/** The `dot` command. */
export const dotCommand: Command = {
  name: 'dot',
  summary: 'Write a graph as Graphviz DOT or SVG: as written, stabilized, with its gradients, or before/after stabilize.',
  usage: 'dot <graph.json|model.json|-> [--stabilize] [--grad <params|all>] [--diff] [--collapse] [--rankdir LR] [-o out.dot|out.svg]',
  options: {
    stabilize: { type: 'boolean', help: 'run stabilize first; fused nodes are highlighted with their rule' },
    grad: {
      type: 'string', value: 'params|all', multiple: true,
      help: 'add the gradient of the first output (a scalar) w.r.t. these params (comma-separated names or paths, or all)',
    },
    diff: { type: 'boolean', help: 'one picture of the graph before and after stabilize (removed, added, unchanged)' },
    collapse: { type: 'boolean', help: 'draw each scope (dense, ...) as one box' },
    rankdir: { type: 'string', value: 'TB|LR|BT|RL', help: 'layout direction (default TB: top to bottom)' },
    'edge-shapes': { type: 'boolean', help: 'label edges with the shapes they carry' },
    out: { type: 'string', short: 'o', value: 'out.dot|out.svg', help: 'write to a file; the format follows the extension (.dot, .gv or .svg); - is stdout' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  details: [
    'Reads a graph saved with toJSON from @stablegrad/core, an .onnx model, or a model saved with',
    'model.save (its graph as written; its layers are labelled with type, activation, shape and params);',
    '- reads the JSON of a graph or model from stdin. Writes DOT to stdout unless -o is given; files are',
    'written whole or not at all. With --grad and --stabilize the forward graph is stabilized before it',
    'is differentiated (prepareTraining), so the gradients use the fused ops; for a model, --grad all',
    'draws what training runs (its compile settings decide stabilize). The picture has a legend of',
    'the looks it uses (forward, gradient, fused, rewritten, removed, added).',
    '',
    'Examples:',
    '  stablegrad dot examples/graphs/naive-bce.json --stabilize -o bce.svg',
    '  stablegrad dot examples/graphs/naive-bce.json --grad all --stabilize --rankdir LR',
    '  stablegrad dot examples/graphs/naive-bce.json --diff | dot -Tpng > diff.png',
    '  stablegrad dot digits.model.json --collapse -o digits.svg',
    '  cat graph.json | stablegrad dot - --stabilize',
  ].join('\n'),
  run: runDot,
};

async function runDot(args: ParsedArgs): Promise<string | undefined> {
  const file = onePositional(args, 'dot', 'graph file');
  const out = args.values.get('out')?.[0];
  const format = out === undefined || out === '-' ? 'dot' : pictureFormat(out, 'dot');
  const gradNames = args.values.get('grad')?.flatMap((list) => list.split(','));
  const diff = args.flags.has('diff');
  const stable = args.flags.has('stabilize');
  if (diff && gradNames !== undefined) throw new UsageError('dot: --diff draws the forward graph before and after stabilize; it cannot be combined with --grad');
  const pictureOptions = dotOptions(args);

  const input = await readInput(file);
  const g = graphOf(input);
  const options = input.kind === 'model' ? { ...pictureOptions, scopes: layerScopes(input.model) } : pictureOptions;
  let dot: string;
  if (input.kind === 'model' && gradNames !== undefined) {
    // A model: what training runs, the loss stabilized (as compile does) and its gradients.
    if (gradNames.some((n) => n.trim() !== 'all')) throw new UsageError('dot: for a model file, --grad all draws the gradients of every param (what training runs)');
    const training = trainingGraphOf(input.model, shownName(file));
    dot = toDot(training, { ...options, forward: training.forward, report: training.report });
  } else if (diff) {
    const { graph: after, report } = stabilize(g);
    dot = toDiffDot(g, after, { ...options, report });
  } else if (gradNames !== undefined) {
    const loss = scalarLoss(g, shownName(file));
    const params = selectParams(g, gradNames);
    const others = Object.fromEntries(g.outputNames.slice(1).map((name, i) => [name, g.outputs[i + 1]!]));
    // Without --stabilize this is core's grad followed by simplify, exactly.
    const prepared = prepareTraining({ loss, params, outputs: others }, { stabilize: stable });
    const forward = [prepared.loss, ...Object.values(prepared.outputs)];
    dot = toDot(prepared.graph, stable ? { ...options, forward, report: prepared.report } : { ...options, forward });
  } else if (stable) {
    const { graph: after, report } = stabilize(g);
    dot = toDot(after, { ...options, report });
  } else {
    dot = toDot(g, options);
  }

  const text = format === 'svg' ? await renderSvg(dot) : dot;
  if (out === undefined || out === '-') return text;
  await writeFileAtomic(out, text.endsWith('\n') ? text : `${text}\n`);
  return undefined;
}

function dotOptions(args: ParsedArgs): DotOptions {
  const rankdir = args.values.get('rankdir')?.[0];
  if (rankdir !== undefined && !isRankdir(rankdir)) {
    throw new UsageError(`dot: --rankdir must be one of ${RANKDIRS.join(', ')}, found ${quote(rankdir)}`);
  }
  return {
    ...(rankdir === undefined ? {} : { rankdir }),
    ...(args.flags.has('collapse') ? { collapseScopes: true } : {}),
    ...(args.flags.has('edge-shapes') ? { edgeShapes: true } : {}),
  };
}

function isRankdir(text: string): text is Rankdir {
  return (RANKDIRS as readonly string[]).includes(text);
}

// The first output is the one differentiated; it must be a scalar float.
function scalarLoss(g: Graph, file: string): Node {
  const loss = g.outputs[0];
  if (loss === undefined) throw new GradError(`${file} has no outputs: --grad differentiates the first output`);
  const name = g.outputNames[0] ?? 'output_0';
  if (loss.shape.length !== 0) {
    throw new GradError(`--grad needs a scalar first output, but output '${name}' (${loss}) has rank ${loss.shape.length}; reduce it (sum, mean) before saving`);
  }
  return loss;
}

// `all`, or names: a param's path (`dense/W`) or, when unambiguous, its bare name (`W`).
function selectParams(g: Graph, names: readonly string[]): Node[] {
  const params = g.nodes.filter((n) => n.op === 'param');
  const available = params.length === 0 ? 'the graph has no params' : `params: ${params.map((p) => p.path).join(', ')}`;
  const wanted = names.map((n) => n.trim()).filter((n) => n.length > 0);
  if (wanted.length === 0) throw new UsageError(`dot: --grad needs param names or all (${available})`);
  if (wanted.includes('all')) {
    if (wanted.length > 1) throw new UsageError('dot: --grad all cannot be combined with param names');
    if (params.length === 0) throw new GradError('--grad all: the graph has no params');
    return params;
  }
  const chosen: Node[] = [];
  for (const name of wanted) {
    const byPath = params.filter((p) => p.path === name);
    const matches = byPath.length > 0 ? byPath : params.filter((p) => p.name === name);
    if (matches.length === 0) throw new UsageError(`dot: --grad: no param named ${quote(name)} (${available})`);
    if (matches.length > 1) throw new UsageError(`dot: --grad: ${quote(name)} names ${matches.length} params (${matches.map((p) => p.path).join(', ')}); give a path`);
    if (!chosen.includes(matches[0]!)) chosen.push(matches[0]!);
  }
  return chosen;
}
