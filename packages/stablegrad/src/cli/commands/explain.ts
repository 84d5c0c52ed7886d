/**
 * `stablegrad explain <graph.json>`: runs stabilize on a saved graph and prints its report,
 * one block per rule firing (rule name, why it holds, the expression before and after).
 * @module
 */
import { explain, stabilize } from '@stablegrad/rewrite';
import { type Command, onePositional, type ParsedArgs } from '../args.js';
import { readGraphFile } from '../io.js';

/** The `explain` command. */
export const explainCommand: Command = {
  name: 'explain',
  summary: 'Stabilize a graph and print which rewrite rules fired, where, and why.',
  usage: 'explain <graph.json> [--all]',
  options: {
    all: { type: 'boolean', help: 'also list the canonicalize and simplify firings (spelling changes, folding)' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  details: [
    'Reads a graph saved with toJSON from @stablegrad/core, runs stabilize (canonicalize, stabilize,',
    'simplify) and prints the report of explain() from @stablegrad/rewrite: by default the firings of',
    'the stabilize phase, which change the numerics; --all lists every phase. The file is not changed.',
    '',
    'Example:',
    '  stablegrad explain examples/graphs/naive-bce.json',
  ].join('\n'),
  run: runExplain,
};

async function runExplain(args: ParsedArgs): Promise<string> {
  const file = onePositional(args, 'explain', 'graph file');
  const g = await readGraphFile(file);
  const report = stabilize(g).report;
  return explain(report, args.flags.has('all') ? {} : { phases: ['stabilize'] });
}
