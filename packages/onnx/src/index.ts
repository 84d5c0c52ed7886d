/**
 * stablegrad <-> ONNX: `toOnnx` exports forward, stabilized loss and gradient graphs (each fused
 * op as its stable decomposition) for ONNX Runtime; `fromOnnx` imports the operator subset
 * stablegrad has.
 * @module
 */
export { fromOnnx, IMPORTERS, type FromOnnxOptions, type ImportContext, type Importer } from './import.js';
export { OnnxExportError, OnnxFormatError, OnnxImportError, UnsupportedOnnxOpsError } from './errors.js';
export { toOnnx, ONNX_OPSET, type ToOnnxOptions } from './export.js';
export { EXPORTS, type OnnxMapping } from './export-table.js';
export type { Emit, OnnxAttrs } from './emit.js';
export { modelToOnnx, type GraphSource, type ModelToOnnxOptions } from './model.js';
export { onnxMappingTable } from './mapping-table.js';
