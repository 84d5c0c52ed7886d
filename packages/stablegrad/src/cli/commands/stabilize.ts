/**
 * `stablegrad stabilize <graph.json|model.json|-> -o out.json`: writes the stabilized graph as a
 * graph file (core's `toJSON`), ready for `dot`, `lint`, `export` or `fromJSON`.
 * @module
 */
import { toJSON } from '@stablegrad/core';
import { stabilize } from '@stablegrad/rewrite';
import { type Command, onePositional, type ParsedArgs } from '../args.js';
import { readInput, writeFileAtomic } from '../io.js';
import { graphOf } from '../model-graph.js';

/** The `stabilize` command. */
export const stabilizeCommand: Command = {
  name: 'stabilize',
  summary: 'Write the stabilized graph (fused, numerically stable ops) as a graph file.',
  usage: 'stabilize <graph.json|model.json|-> [-o out.json]',
  options: {
    out: { type: 'string', short: 'o', value: 'out.json', help: 'the graph file to write (default, or -: stdout)' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  details: [
    'Reads a graph saved with toJSON from @stablegrad/core, an .onnx model, or a model saved with',
    'model.save (its graph as written); - reads the JSON of a graph or model from stdin. Runs stabilize',
    '(canonicalize, stabilize, simplify) and writes the result with toJSON: to stdout, or to the -o file',
    '(written whole or not at all), then says which rules fired. stablegrad explain says why.',
    '',
    'Examples:',
    '  stablegrad stabilize examples/graphs/naive-bce.json -o bce-stable.json',
    '  stablegrad stabilize - < graph.json | stablegrad dot - -o stable.svg',
  ].join('\n'),
  run: runStabilize,
};

async function runStabilize(args: ParsedArgs): Promise<string> {
  const file = onePositional(args, 'stabilize', 'graph or model file');
  const out = args.values.get('out')?.[0];
  const { graph, report } = stabilize(graphOf(await readInput(file)));
  const text = `${JSON.stringify(toJSON(graph))}\n`;
  if (out === undefined || out === '-') return text;
  await writeFileAtomic(out, text);
  const fused = [...new Set(report.firings.filter((f) => f.phase === 'stabilize').map((f) => f.rule))];
  return `wrote ${out} (${graph.nodes.length} nodes; ${fused.length === 0 ? 'no stabilize rule fired' : `stabilize rules: ${fused.join(', ')}`})`;
}
