// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op neg'); };
export const negOp = defineOp({ name: 'neg', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'neg' });
export function neg(...args: unknown[]): Node { void args; return apply(negOp, [] as NodeLike[], {}); }
