// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op broadcastTo'); };
export const broadcastToOp = defineOp({ name: 'broadcastTo', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'broadcastTo' });
export function broadcastTo(...args: unknown[]): Node { void args; return apply(broadcastToOp, [] as NodeLike[], {}); }
