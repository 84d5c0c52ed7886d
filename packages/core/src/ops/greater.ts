// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op greater'); };
export const greaterOp = defineOp({ name: 'greater', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'greater' });
export function greater(...args: unknown[]): Node { void args; return apply(greaterOp, [] as NodeLike[], {}); }
