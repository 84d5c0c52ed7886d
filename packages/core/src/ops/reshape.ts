// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op reshape'); };
export const reshapeOp = defineOp({ name: 'reshape', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'reshape' });
export function reshape(...args: unknown[]): Node { void args; return apply(reshapeOp, [] as NodeLike[], {}); }
