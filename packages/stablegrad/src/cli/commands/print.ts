/**
 * `stablegrad print <graph.json|model.json|->`: the graph as text, one node per line
 * (`%id = op(inputs) {attrs} shape dtype  # scope/name`), as core's `printGraph` writes it.
 * @module
 */
import { printGraph } from '@stablegrad/core';
import { stabilize } from '@stablegrad/rewrite';
import { type Command, onePositional, type ParsedArgs } from '../args.js';
import { readInput } from '../io.js';
import { graphOf } from '../model-graph.js';

/** The `print` command. */
export const printCommand: Command = {
  name: 'print',
  summary: 'Print a graph as text, one node per line (as written, or stabilized).',
  usage: 'print <graph.json|model.json|-> [--stabilize]',
  options: {
    stabilize: { type: 'boolean', help: 'print the graph after stabilize' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  details: [
    'Reads a graph saved with toJSON from @stablegrad/core, an .onnx model, or a model saved with',
    'model.save (its graph as written); - reads the JSON of a graph or model from stdin. Prints',
    'printGraph from @stablegrad/core: each node as %id = op(inputs) {attrs} shape dtype  # scope/name,',
    'inputs before their users, then the outputs.',
    '',
    'Examples:',
    '  stablegrad print examples/graphs/naive-bce.json',
    '  stablegrad print examples/graphs/naive-bce.json --stabilize',
  ].join('\n'),
  run: runPrint,
};

async function runPrint(args: ParsedArgs): Promise<string> {
  const file = onePositional(args, 'print', 'graph or model file');
  const g = graphOf(await readInput(file));
  return printGraph(args.flags.has('stabilize') ? stabilize(g).graph : g);
}
