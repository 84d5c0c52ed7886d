// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op less'); };
export const lessOp = defineOp({ name: 'less', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'less' });
export function less(...args: unknown[]): Node { void args; return apply(lessOp, [] as NodeLike[], {}); }
