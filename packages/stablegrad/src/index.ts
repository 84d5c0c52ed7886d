/**
 * `stablegrad`: the whole public API in one import. It re-exports `@stablegrad/core` (graphs,
 * ops, `grad`, `evaluate`, JSON), `@stablegrad/rewrite` (`stabilize`, `simplify`, `explain`,
 * `prepareTraining`, the rule engine), `@stablegrad/dot` (`toDot`, `toDiffDot`, `renderSvg`) and
 * `@stablegrad/nn` (`sequential`, `dense`, losses, optimizers, `fit`, `loadModel`) and
 * `@stablegrad/compile` (`compile`, the compiled backend) and `@stablegrad/onnx` (`toOnnx`,
 * `fromOnnx`, `modelToOnnx`); the packages export no name twice, and the compiler would refuse a clash. The testing
 * kit is a separate entry point, `stablegrad/testing`, because it loads fast-check and
 * decimal.js, which a model does not need at run time.
 * @example
 * ```ts
 * import { input, sigmoid, log, stabilize, explain, toDot } from 'stablegrad';
 * const z = input(['batch'], { name: 'z' });
 * const { graph, report } = stabilize({ loss: log(sigmoid(z)).mean() });
 * console.log(explain(report));
 * console.log(toDot(graph, { report }));
 * ```
 * @module
 */
export * from '@stablegrad/core';
export * from '@stablegrad/rewrite';
export * from '@stablegrad/dot';
export * from '@stablegrad/nn';
export * from '@stablegrad/compile';
export * from '@stablegrad/onnx';
