/**
 * Files for the command line: reading a graph saved with core's `toJSON`, an ONNX model or a
 * model saved with `model.save` (from a file, or from stdin for `-`), and writing results
 * atomically (to a temporary file in the target's directory, flushed, then a rename; nn's
 * `writeFileAtomicSync`), so that a failed or killed run never leaves a partial or truncated
 * output file behind.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { fromJSON, type Graph, GraphError, StablegradError } from '@stablegrad/core';
import { fromOnnx } from '@stablegrad/onnx';
import {
  DEFAULT_MAX_MODEL_BYTES, FileWriteError, MODEL_FORMAT, modelFromJSON, type Sequential, systemReason, writeFileAtomicSync,
} from '@stablegrad/nn';
import { quote, UsageError } from './args.js';

/** Bad input (a file that cannot be read, invalid JSON, an invalid graph): exit status 1. */
export class InputError extends Error {
  override name = 'InputError';
}

/**
 * The largest input read, file or stdin: 256 MiB, nn's `DEFAULT_MAX_MODEL_BYTES` (about 48
 * million float32 weights as base64). Checked before a file is read, and while stdin is.
 */
export const MAX_INPUT_BYTES = DEFAULT_MAX_MODEL_BYTES;

/** The `format` tag of graph files (core's `toJSON`). */
const GRAPH_FORMAT = 'stablegrad-graph';

/**
 * What a command reads: a graph (saved with core's `toJSON`, or an ONNX model) or a model
 * saved with `model.save` (its JSON says `"format": "stablegrad-model"`).
 * @example
 * ```ts
 * const input = await readInput('digits.model.json');
 * const g = input.kind === 'model' ? input.model.toGraph() : input.graph;
 * ```
 */
export type Input = { readonly kind: 'graph'; readonly graph: Graph } | { readonly kind: 'model'; readonly model: Sequential };

/**
 * Reads and validates a graph or model file; `-` reads the JSON of either from stdin (ONNX
 * files are told by their `.onnx` name, so they are read from a file). Every failure is an
 * `InputError` whose message names the file (`stdin` for `-`) and, for an invalid graph or model,
 * the JSON path of the offending field or the ONNX node.
 * @example
 * ```ts
 * const input = await readInput('examples/graphs/naive-bce.json');
 * const piped = await readInput('-');
 * ```
 */
export async function readInput(file: string): Promise<Input> {
  const name = shownName(file);
  const bytes = await readBytes(file);
  if (file !== '-' && file.toLowerCase().endsWith('.onnx')) return { kind: 'graph', graph: onnxGraph(bytes, file) };
  const json = parseJson(bytes, name);
  const format = typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
  if (typeof format === 'string' && format !== MODEL_FORMAT && format !== GRAPH_FORMAT) {
    throw new InputError(`${name} has format ${quote(format)}: expected "${GRAPH_FORMAT}" (a graph saved with toJSON) or "${MODEL_FORMAT}" (a model saved with model.save)`);
  }
  if (format === MODEL_FORMAT) {
    try {
      return { kind: 'model', model: modelFromJSON(json, name) };
    } catch (e) {
      if (e instanceof StablegradError) throw new InputError(e.message);
      throw e;
    }
  }
  try {
    return { kind: 'graph', graph: fromJSON(json) };
  } catch (e) {
    // GraphError messages start with the JSON path, e.g. `$.nodes[3].inputs[0]: ...`.
    if (e instanceof GraphError) throw new InputError(`${name} is not a valid stablegrad graph or model: ${e.message}`);
    throw e;
  }
}

/**
 * Reads and validates a graph file (see `readInput`); a model file is an `InputError` saying
 * which commands read models.
 * @example
 * ```ts
 * const g = await readGraphFile('examples/graphs/naive-bce.json');
 * const h = await readGraphFile('digits-mlp.onnx');
 * ```
 */
export async function readGraphFile(file: string): Promise<Graph> {
  const input = await readInput(file);
  if (input.kind === 'model') throw new InputError(`${shownName(file)} is a model file; this command reads graph files`);
  return input.graph;
}

/** How a file is named in messages: `stdin` for `-`. */
export function shownName(file: string): string {
  return file === '-' ? 'stdin' : file;
}

/**
 * The picture format an output file name asks for: `.dot` or `.gv` (DOT text) or `.svg`; any
 * other name is a UsageError of `command`.
 * @example
 * ```ts
 * pictureFormat('lint.svg', 'lint'); // 'svg'
 * ```
 */
export function pictureFormat(out: string, command: string): 'dot' | 'svg' {
  const lower = out.toLowerCase();
  if (lower.endsWith('.svg')) return 'svg';
  if (lower.endsWith('.dot') || lower.endsWith('.gv')) return 'dot';
  throw new UsageError(`${command}: cannot tell the format of ${quote(out)}: use a .dot, .gv or .svg file name`);
}

/** The bytes of a file or of stdin, at most `MAX_INPUT_BYTES`. */
async function readBytes(file: string): Promise<Uint8Array> {
  if (file === '-') return readStdin();
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new InputError(`cannot read ${file}: it is a directory`);
    if (info.size > MAX_INPUT_BYTES) throw new InputError(`cannot read ${file}: it is ${info.size.toLocaleString('en-US')} bytes, above the limit of ${MAX_INPUT_BYTES.toLocaleString('en-US')}`);
    const bytes = await readFile(file);
    // It may have grown since stat.
    if (bytes.length > MAX_INPUT_BYTES) throw new InputError(`cannot read ${file}: it is above the limit of ${MAX_INPUT_BYTES.toLocaleString('en-US')} bytes`);
    return bytes;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${file}: ${systemReason(e)}`);
  }
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of process.stdin) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += bytes.length;
      if (size > MAX_INPUT_BYTES) throw new InputError(`cannot read stdin: it is above the limit of ${MAX_INPUT_BYTES.toLocaleString('en-US')} bytes`);
      chunks.push(bytes);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read stdin: ${systemReason(e)}`);
  }
  return Buffer.concat(chunks);
}

function parseJson(bytes: Uint8Array, name: string): unknown {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.trim() === '') throw new InputError(`${name} is empty: expected a graph or model as JSON`);
  try {
    // A UTF-8 byte-order mark (as some Windows editors write) is not part of the JSON text.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new InputError(`${name} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** An ONNX model's graph; its errors (unreadable bytes, unsupported operators) name the file. */
function onnxGraph(bytes: Uint8Array, file: string): Graph {
  try {
    return fromOnnx(bytes, { file });
  } catch (e) {
    if (e instanceof StablegradError) throw new InputError(e.message);
    throw e;
  }
}

/**
 * Writes `text` to `file` atomically: a temporary file next to it (same directory, so the rename
 * cannot cross file systems), flushed to the disk, then a rename over the target. On failure the temporary file is
 * removed and the target is untouched.
 * @example
 * ```ts
 * await writeFileAtomic('out/graph.svg', svg);
 * ```
 */
export async function writeFileAtomic(file: string, text: string | Uint8Array): Promise<void> {
  // The same crash-safe write as model saves (temporary file, fsync, rename): one copy of it.
  try {
    writeFileAtomicSync(file, text);
  } catch (e) {
    if (e instanceof FileWriteError) throw new InputError(`cannot write ${file}: ${e.reason}`);
    throw e;
  }
}
