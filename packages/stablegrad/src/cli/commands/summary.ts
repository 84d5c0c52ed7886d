/**
 * `stablegrad summary <model.json|graph.json|->`: a model's layers, output shapes and parameter
 * counts (`model.summary()`, as Keras prints it), or for a graph its inputs, params, outputs
 * and ops.
 * @module
 */
import { formatShape, type Graph, type Node } from '@stablegrad/core';
import { type Command, onePositional, type ParsedArgs } from '../args.js';
import { readInput } from '../io.js';

/** The `summary` command. */
export const summaryCommand: Command = {
  name: 'summary',
  summary: "Print a saved model's layers, output shapes and parameter counts (or a graph's inputs, params, outputs and ops).",
  usage: 'summary <model.json|graph.json|->',
  options: {
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  details: [
    'Reads a model saved with model.save and prints model.summary(): each layer with its type and',
    'activation, output shape and parameter count, then the total, as Keras prints it; then the',
    'compile settings if it was compiled. For a graph file (toJSON, or .onnx) it prints the inputs,',
    'params and outputs with their shapes, the number of trained values and the ops used. - reads',
    'the JSON of a model or graph from stdin.',
    '',
    'Examples:',
    '  stablegrad summary digits.model.json',
    '  stablegrad summary examples/graphs/naive-bce.json',
  ].join('\n'),
  run: runSummary,
};

async function runSummary(args: ParsedArgs): Promise<string> {
  const file = onePositional(args, 'summary', 'model or graph file');
  const input = await readInput(file);
  if (input.kind === 'graph') return graphSummary(input.graph);
  const { model } = input;
  const compiled = model.compiled;
  if (compiled === undefined) return `${model.summary()}\nNot compiled.`;
  return `${model.summary()}\nCompiled: loss ${compiled.loss.config.name}, stabilize ${compiled.stabilize ? 'on' : 'off'}.`;
}

/** A graph's inputs, params and outputs, its trained values and its ops. */
function graphSummary(g: Graph): string {
  const describe = (n: Node) => `${n.path} ${formatShape(n.shape)} ${n.dtype}`;
  const inputs = g.nodes.filter((n) => n.op === 'input');
  const params = g.nodes.filter((n) => n.op === 'param');
  const values = params.reduce((total, p) => total + p.shape.reduce<number>((n, d) => n * (typeof d === 'number' ? d : 0), 1), 0);
  const counts = new Map<string, number>();
  for (const n of g.nodes) if (n.inputs.length > 0) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  const list = (nodes: readonly Node[]) => (nodes.length === 0 ? ['  (none)'] : nodes.map((n) => `  ${describe(n)}`));
  return [
    `Graph: ${g.nodes.length.toLocaleString('en-US')} nodes`,
    `Inputs (${inputs.length}):`, ...list(inputs),
    `Params (${params.length}, ${values.toLocaleString('en-US')} values):`, ...list(params),
    `Outputs (${g.outputs.length}):`, ...g.outputs.map((n, i) => `  ${g.outputNames[i] ?? `output_${i}`}: ${formatShape(n.shape)} ${n.dtype}`),
    `Ops: ${[...counts].map(([op, count]) => `${op} ×${count}`).join(', ') || '(none)'}`,
  ].join('\n');
}
