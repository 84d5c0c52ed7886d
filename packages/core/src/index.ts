/**
 * `@stablegrad/core`: dtypes and shapes, the immutable graph IR, the op set, reverse-mode
 * autodiff, the reference interpreter, a text printer and JSON (de)serialization.
 * @module
 */
export * from './errors.js';
export * from './dtype.js';
export * from './shape.js';
export * from './tensor.js';
export { Node, type NodeLike, type NodeFields, type ReduceOptions } from './node.js';
// For its side effect: installs the chained methods (x.exp()) on every Node.
import './chained-methods.js';
export { defineOp, type Elementwise, type OpDef, type OpSpec, type OpTrait, type Attrs, type AttrValue, type AttrKind, type TypeInfo, type ConcreteType, type DimBindings, type RefTensor, type BigMath, type VjpContext } from './op.js';
export { apply, inferFor, type BuildOptions } from './apply.js';
export { scope, currentScope, withScopePath } from './scope.js';
export { registry, opDef, isOpName, hasTrait, opsWith, isElementwise } from './registry.js';
export { OP_NAMES, type OpName } from './op-names.js';
export { graph, topoSort, consumers, isGraph, type Graph, type GraphOutputs } from './graph.js';
export { evaluate, bindFeeds, type Feeds } from './evaluate.js';
export { describeNonFinite, firstNonFinite, type NonFinite } from './numerics.js';
export { checkFeed, notFedError } from './feeds.js';
export { grad, vjp, type GradOptions } from './grad.js';
export { jvp, linearize, type Linearized } from './jvp.js';
export { hvp, jacobian, hessian, type JacobianOptions } from './derivatives.js';
export { printGraph, printNode, type PrintOptions } from './print.js';
export { toJSON, fromJSON, type GraphJSON, type NodeJSON, type TensorJSON, type GraphOutputJSON, type AttrJSON, type JSONNumber, type ToJSONOptions } from './json.js';
export * from './ops/index.js';
export { parseExpression, MAX_EXPRESSION_NESTING } from './expression/parse-expression.js';
export { MAX_EXPRESSION_LENGTH } from './expression/tokens.js';
