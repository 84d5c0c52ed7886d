/**
 * stablegrad <-> ONNX: `toOnnx` exports forward, stabilized loss and gradient graphs (each fused
 * op as its stable decomposition) for ONNX Runtime; `fromOnnx` imports the operator subset
 * stablegrad has.
 * @module
 */
export { fromOnnx, IMPORTERS, type FromOnnxOptions } from './import.js';
export { OnnxExportError, OnnxFormatError, OnnxImportError, UnsupportedOnnxOpsError } from './errors.js';
