// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op lessEqual'); };
export const lessEqualOp = defineOp({ name: 'lessEqual', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'lessEqual' });
export function lessEqual(...args: unknown[]): Node { void args; return apply(lessEqualOp, [] as NodeLike[], {}); }
