// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op logsumexp'); };
export const logsumexpOp = defineOp({ name: 'logsumexp', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'logsumexp' });
export function logsumexp(...args: unknown[]): Node { void args; return apply(logsumexpOp, [] as NodeLike[], {}); }
