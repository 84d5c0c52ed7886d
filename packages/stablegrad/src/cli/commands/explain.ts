/**
 * `stablegrad explain <graph.json|model.json|->`: runs stabilize on a saved graph (or a saved
 * model's graph as written) and prints its report, one block per rule firing (rule name, why it
 * holds, the expression before and after), or the firings as JSON.
 * @module
 */
import { explain, type Firing, type RewriteReport, stabilize } from '@stablegrad/rewrite';
import { type Command, onePositional, type ParsedArgs } from '../args.js';
import { readInput } from '../io.js';
import { graphOf } from '../model-graph.js';

/** The `explain` command. */
export const explainCommand: Command = {
  name: 'explain',
  summary: 'Stabilize a graph and print which rewrite rules fired, where, and why.',
  usage: 'explain <graph.json|model.json|-> [--all] [--json]',
  options: {
    all: { type: 'boolean', help: 'also list the canonicalize and simplify firings (spelling changes, folding)' },
    json: { type: 'boolean', help: 'print the phases and firings as JSON (rule, doc, phase, path, scope, before, after, captures)' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  details: [
    'Reads a graph saved with toJSON from @stablegrad/core, an .onnx model, or a model saved with',
    'model.save (its graph as written: the forward graph and its loss); - reads the JSON of a graph or',
    'model from stdin. Runs stabilize (canonicalize, stabilize, simplify) and prints the report of',
    'explain() from @stablegrad/rewrite: by default the firings of the stabilize phase, which change the',
    'numerics; --all lists every phase. The file is not changed.',
    '',
    'Examples:',
    '  stablegrad explain examples/graphs/naive-bce.json',
    '  stablegrad explain digits.model.json --json > firings.json',
  ].join('\n'),
  run: runExplain,
};

async function runExplain(args: ParsedArgs): Promise<string> {
  const file = onePositional(args, 'explain', 'graph or model file');
  const report = stabilize(graphOf(await readInput(file))).report;
  const phases = args.flags.has('all') ? undefined : ['stabilize'];
  if (args.flags.has('json')) return JSON.stringify(reportJSON(report, phases), null, 2);
  return explain(report, phases === undefined ? {} : { phases });
}

/** The report as plain data: the phases, and the firings of `phases` (all when undefined). */
function reportJSON(report: RewriteReport, phases: readonly string[] | undefined): unknown {
  const shown = (f: Firing) => phases === undefined || phases.includes(f.phase);
  return {
    phases: report.phases,
    firings: report.firings.filter(shown).map((f) => ({
      phase: f.phase, rule: f.rule, doc: f.doc, path: f.path, scope: f.scope, before: f.before, after: f.after, captures: f.captures,
    })),
  };
}
