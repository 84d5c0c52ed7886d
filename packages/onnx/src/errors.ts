/**
 * The ONNX package's typed errors. Each names the file, the ONNX node or the stablegrad op it
 * concerns, so a user can find what to change.
 * @module
 */
import { StablegradError } from '@stablegrad/core';

/**
 * Bytes that are not a readable ONNX model: truncated, random, a length that runs past the end,
 * external data, a tensor whose data does not match its dims, a name no node produced.
 * @example
 * ```ts
 * fromOnnx(new Uint8Array([0xff, 0xff])); // OnnxFormatError: not a readable ONNX model: ...
 * ```
 */
export class OnnxFormatError extends StablegradError {
  override name = 'OnnxFormatError';
}

/**
 * An ONNX model uses operators stablegrad has no op for; `operators` lists every one of them
 * (with the first node using each), so one error tells the whole story.
 * @example
 * ```ts
 * try { fromOnnx(bytes); } catch (e) {
 *   if (e instanceof UnsupportedOnnxOpsError) console.log(e.operators); // ['Conv', 'MaxPool']
 * }
 * ```
 */
export class UnsupportedOnnxOpsError extends StablegradError {
  override name = 'UnsupportedOnnxOpsError';
  /** The unsupported operator types, sorted, each once. */
  readonly operators: readonly string[];
  constructor(operators: ReadonlyMap<string, string>, where: string) {
    const names = [...operators.keys()].sort();
    const list = names.map((op) => `${op} (first at node '${operators.get(op) ?? ''}')`).join(', ');
    super(`${where}: ${names.length} ONNX operator${names.length === 1 ? ' is' : 's are'} not supported by stablegrad: ${list}`);
    this.operators = names;
  }
}

/**
 * A supported ONNX operator used in a way stablegrad cannot reproduce faithfully (an attribute
 * value, a shape input that is not a constant, an unsupported dtype).
 * @example
 * ```ts
 * // OnnxImportError: node '/Reshape' (Reshape): its shape input is not a constant
 * ```
 */
export class OnnxImportError extends StablegradError {
  override name = 'OnnxImportError';
}

/**
 * A stablegrad graph that cannot be exported faithfully: an op with no ONNX mapping (the message
 * names the op and the node), or an attribute the mapping cannot express.
 * @example
 * ```ts
 * toOnnx(gatherGrad(...)); // OnnxExportError: gatherGrad 'gatherGrad' has no faithful ONNX mapping: ...
 * ```
 */
export class OnnxExportError extends StablegradError {
  override name = 'OnnxExportError';
  /** The stablegrad op that could not be exported. */
  readonly op: string;
  constructor(op: string, message: string) {
    super(message);
    this.op = op;
  }
}
