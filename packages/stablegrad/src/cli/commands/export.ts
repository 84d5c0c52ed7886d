/**
 * `stablegrad export <graph.json|model.json> -o model.onnx`: writes a saved graph or model as an
 * ONNX model for ONNX Runtime, fused ops as their stable decompositions.
 * @module
 */
import { StablegradError } from '@stablegrad/core';
import { modelToOnnx, toOnnx } from '@stablegrad/onnx';
import { stabilize } from '@stablegrad/rewrite';
import { type Command, onePositional, type ParsedArgs, quote, UsageError } from '../args.js';
import { InputError, readInput, shownName, writeFileAtomic } from '../io.js';

/** The `export` command. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'Write a graph or a saved model as an ONNX model (stable decompositions of the fused ops).',
  usage: 'export <graph.json|model.json|-> -o model.onnx [--stabilize] [--stage prediction|training]',
  options: {
    out: { type: 'string', short: 'o', value: 'model.onnx', help: 'the ONNX file to write (required)' },
    stabilize: { type: 'boolean', help: 'run stabilize on a graph file first, so a loss written on probabilities exports in its logit form' },
    stage: { type: 'string', value: 'prediction|training', help: "for a model file: 'prediction' (default, for serving) or 'training' (stabilized loss and gradients)" },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  details: [
    'Reads a graph saved with toJSON from @stablegrad/core, or a model saved with model.save (- reads',
    'either from stdin), and writes it as ONNX (opset 18): inputs as graph inputs with named dimensions as dim params,',
    'params as initializers, each op through its mapping (docs/onnx.md). An op with no faithful',
    'mapping is an error naming it. Run the file with onnxruntime-node or onnxruntime-web.',
    '',
    'Examples:',
    '  stablegrad export examples/graphs/naive-bce.json --stabilize -o bce.onnx',
    '  stablegrad export digits.model.json --stage training -o digits-train.onnx',
  ].join('\n'),
  run: runExport,
};

async function runExport(args: ParsedArgs): Promise<string> {
  const file = onePositional(args, 'export', 'graph or model file');
  const out = args.values.get('out')?.[0];
  if (out === undefined) throw new UsageError('export: missing -o <model.onnx>');
  const stage = args.values.get('stage')?.[0] ?? 'prediction';
  if (stage !== 'prediction' && stage !== 'training') throw new UsageError(`export: --stage is prediction or training, not ${quote(stage)}`);
  let bytes: Uint8Array;
  try {
    const input = await readInput(file);
    if (input.kind === 'model') {
      bytes = modelToOnnx(input.model, { stage });
    } else {
      bytes = toOnnx(args.flags.has('stabilize') ? stabilize(input.graph).graph : input.graph);
    }
  } catch (e) {
    if (e instanceof StablegradError) throw new InputError(`${shownName(file)}: ${e.message}`);
    throw e;
  }
  await writeFileAtomic(out, bytes);
  return `wrote ${out} (${bytes.length} bytes, ONNX opset 18)`;
}
