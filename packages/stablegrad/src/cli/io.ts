/**
 * Files for the command line: reading a graph saved with core's `toJSON`, and writing results
 * atomically (to a temporary file in the target's directory, flushed, then a rename; nn's
 * `writeFileAtomicSync`), so that a failed or killed run never leaves a partial or truncated
 * output file behind.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { fromJSON, type Graph, GraphError, StablegradError } from '@stablegrad/core';
import { fromOnnx } from '@stablegrad/onnx';
import { FileWriteError, MODEL_FORMAT, systemReason, writeFileAtomicSync } from '@stablegrad/nn';
import { quote, UsageError } from './args.js';

/** Bad input (a file that cannot be read, invalid JSON, an invalid graph): exit status 1. */
export class InputError extends Error {
  override name = 'InputError';
}

/**
 * Whether `file` holds a model saved by `model.save` (its JSON says `"format": "stablegrad-model"`),
 * rather than a graph; false for anything unreadable, which `readGraphFile` then reports.
 * @example
 * ```ts
 * const model = await isModelFile(file) ? loadModel(file) : undefined;
 * ```
 */
export async function isModelFile(file: string): Promise<boolean> {
  try {
    const json: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof json === 'object' && json !== null && (json as { format?: unknown }).format === MODEL_FORMAT;
  } catch {
    return false;
  }
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

/**
 * Reads and validates a graph file: a graph saved with `toJSON`, or an ONNX model (`.onnx`, read
 * with `fromOnnx`). Every failure is an `InputError` whose message names the file and, for an
 * invalid graph, the JSON path of the offending field or the ONNX node.
 * @example
 * ```ts
 * const g = await readGraphFile('examples/graphs/naive-bce.json');
 * const h = await readGraphFile('digits-mlp.onnx');
 * ```
 */
export async function readGraphFile(file: string): Promise<Graph> {
  if (file.toLowerCase().endsWith('.onnx')) return readOnnxFile(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${systemReason(e)}`);
  }
  let json: unknown;
  try {
    // A UTF-8 byte-order mark (as some Windows editors write) is not part of the JSON text.
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new InputError(`${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return fromJSON(json);
  } catch (e) {
    // GraphError messages start with the JSON path, e.g. `$.nodes[3].inputs[0]: ...`.
    if (e instanceof GraphError) throw new InputError(`${file} is not a valid stablegrad graph: ${e.message}`);
    throw e;
  }
}

/** Reads an ONNX model; its errors (unreadable bytes, unsupported operators) name the file. */
async function readOnnxFile(file: string): Promise<Graph> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${systemReason(e)}`);
  }
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
