// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op matmul'); };
export const matmulOp = defineOp({ name: 'matmul', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'matmul' });
export function matmul(...args: unknown[]): Node { void args; return apply(matmulOp, [] as NodeLike[], {}); }
