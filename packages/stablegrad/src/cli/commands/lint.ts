/**
 * `stablegrad lint <graph.json>`: the stability lint on a saved graph. Prints the table of
 * flagged nodes (or JSON), optionally writes the picture with the error overlay, and exits with
 * status 3 when a node is flagged, so that CI can fail on a graph that loses its digits.
 * @module
 */
import { type Graph, GradError } from '@stablegrad/core';
import { renderSvg, toDot } from '@stablegrad/dot';
import { formatLint, lint, type LintOptions, lintOverlay, type LintReport, lintToJSON } from '@stablegrad/lint';
import { lintModel } from '@stablegrad/nn';
import { prepareTraining, type RewriteReport } from '@stablegrad/rewrite';
import { type Command, onePositional, type ParsedArgs, quote, UsageError } from '../args.js';
import { pictureFormat, readInput, shownName, writeFileAtomic } from '../io.js';

/** Exit status when the lint flags a node (1 and 2 are bad input and wrong usage). */
export const LINT_FLAGGED_STATUS = 3;

/** The `lint` command. */
export const lintCommand: Command = {
  name: 'lint',
  summary: 'Find the nodes of a graph that lose floating-point accuracy, where, and whether stabilize fixes them.',
  usage: 'lint <graph.json|model.json|-> [--samples N] [--seed N] [--range x=min:max] [--dim batch=N] [--threshold BITS] [--grad] [--json] [--all] [-o out.svg|out.dot]',
  options: {
    samples: { type: 'string', value: 'N', help: 'samples to measure (default 300)' },
    seed: { type: 'string', value: 'N', help: 'seed of the sampler (default 1): the same seed gives the same report' },
    range: { type: 'string', value: 'name=min:max', multiple: true, help: 'value range of an input (repeatable), e.g. y=0:1' },
    dim: { type: 'string', value: 'name=N', multiple: true, help: 'size of a symbolic dimension (repeatable; default 4)' },
    threshold: { type: 'string', value: 'BITS', help: 'flag nodes whose mean local error reaches this many bits (default 4)' },
    'time-limit': { type: 'string', value: 'MS', help: 'stop sampling after this many milliseconds (default 60000)' },
    grad: { type: 'boolean', help: 'lint the gradient graph of the first output (a scalar) w.r.t. every param, as training runs it' },
    'no-stabilize-check': { type: 'boolean', help: 'do not run stabilize to see whether it fixes the findings' },
    json: { type: 'boolean', help: 'print the report as JSON' },
    all: { type: 'boolean', help: 'list every node, not only the flagged ones and the outputs' },
    out: { type: 'string', short: 'o', value: 'out.svg|out.dot', help: 'also write the graph with nodes coloured by their error' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  details: [
    'Reads a graph saved with toJSON from @stablegrad/core, an .onnx model, or a model saved with model.save',
    '(- reads the JSON of a graph or model from stdin). For a model its training loss and gradients are',
    'linted, on drawn inputs (features in [-10, 10] unless --range says, valid labels). It measures every float op on sampled inputs',
    'against a high-precision reference: its local error (the op alone, on exactly computed inputs: the',
    'blame) and its total error, in bits. A node is flagged when its mean local error reaches the threshold',
    'or it loses half its bits in at least 1% of the elements. Exit status: 0 clean, 3 flagged,',
    '1 bad input, 2 wrong usage.',
    '',
    'Examples:',
    '  stablegrad lint examples/graphs/naive-bce.json --range y=0:1',
    '  stablegrad lint examples/graphs/naive-bce.json --range y=0:1 -o lint.svg',
    '  stablegrad lint examples/graphs/naive-bce.json --range y=0:1 --grad --json > lint.json',
    '  stablegrad lint digits.model.json --samples 100',
  ].join('\n'),
  run: runLint,
};

async function runLint(args: ParsedArgs): Promise<string | undefined> {
  const file = onePositional(args, 'lint', 'graph or model file');
  const out = args.values.get('out')?.[0];
  const format = out === undefined ? undefined : pictureFormat(out, 'lint');
  const options = lintOptions(args);
  let report: LintReport;
  const input = await readInput(file);
  if (input.kind === 'model') {
    // A saved model: its training loss and gradients, on drawn inputs (lintModel's defaults).
    const { points: _points, stabilize, ...modelOptions } = options;
    report = await lintModel(input.model, { ...modelOptions, ...(stabilize === false ? { stabilize: false } : {}) });
  } else {
    report = args.flags.has('grad') ? lintGradients(input.graph, shownName(file), options) : lint(input.graph, options);
  }
  if (out !== undefined) {
    const dot = toDot(report.graph, { overlay: lintOverlay(report) });
    await writeFileAtomic(out, format === 'svg' ? await renderSvg(dot) : dot);
  }
  if (report.flagged.length > 0) process.exitCode = LINT_FLAGGED_STATUS;
  return args.flags.has('json') ? JSON.stringify(lintToJSON(report), null, 2) : formatLint(report, { all: args.flags.has('all') });
}

/**
 * The first output and its gradients w.r.t. every param, as written (what training without
 * stabilize runs), checked against what prepareTraining builds with stabilize (stabilize the
 * loss, then differentiate): the stabilize check then says what training with it changes.
 */
function lintGradients(g: Graph, file: string, options: LintOptions): LintReport {
  const loss = g.outputs[0];
  if (loss === undefined || loss.shape.length !== 0) throw new GradError(`${file}: --grad needs a scalar first output`);
  const params = g.nodes.filter((n) => n.op === 'param');
  if (params.length === 0) throw new GradError(`${file}: --grad: the graph has no params`);
  const naive = prepareTraining({ loss, params }, { stabilize: false }).graph;
  const check = (): { graph: Graph; report: RewriteReport } => prepareTraining({ loss, params }, { stabilize: true });
  return lint(naive, options.stabilize === false ? options : { ...options, stabilize: check });
}

function lintOptions(args: ParsedArgs): LintOptions {
  // Counts are whole numbers; a bound may be written inf or -inf.
  const number = (name: string, text: string, whole: boolean): number => {
    const value = /^[+-]?inf(inity)?$/i.test(text.trim()) ? (text.trim().startsWith('-') ? -Infinity : Infinity) : Number(text);
    if (text.trim() === '' || Number.isNaN(value) || (whole && !Number.isInteger(value))) {
      throw new UsageError(`lint: ${name} must be ${whole ? 'a whole number' : 'a number'}, found ${quote(text)}`);
    }
    return value;
  };
  const option = (name: string, whole: boolean): number | undefined => {
    const text = args.values.get(name)?.[0];
    return text === undefined ? undefined : number(`--${name}`, text, whole);
  };
  const pairs = (name: string): [string, string][] => (args.values.get(name) ?? []).map((text) => {
    const at = text.indexOf('=');
    if (at <= 0) throw new UsageError(`lint: --${name} must look like name=value, found ${quote(text)}`);
    return [text.slice(0, at), text.slice(at + 1)];
  });
  const ranges = Object.fromEntries(pairs('range').map(([name, text]) => {
    const bounds = /^(.+?):(.+)$/.exec(text);
    if (bounds === null) throw new UsageError(`lint: --range ${name} must be min:max (inf and -inf allowed), found ${quote(text)}`);
    return [name, [number(`--range ${name}`, bounds[1]!, false), number(`--range ${name}`, bounds[2]!, false)] as const];
  }));
  const dims = Object.fromEntries(pairs('dim').map(([name, text]) => [name, number(`--dim ${name}`, text, true)]));
  const samples = option('samples', true);
  const seed = option('seed', true);
  const threshold = option('threshold', false);
  const timeLimitMs = option('time-limit', true);
  return {
    ranges, dims,
    ...(samples === undefined ? {} : { samples }),
    ...(seed === undefined ? {} : { seed }),
    ...(threshold === undefined ? {} : { threshold }),
    ...(timeLimitMs === undefined ? {} : { timeLimitMs }),
    ...(args.flags.has('no-stabilize-check') ? { stabilize: false } : {}),
  };
}
