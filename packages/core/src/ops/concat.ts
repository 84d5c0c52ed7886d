// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op concat'); };
export const concatOp = defineOp({ name: 'concat', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'concat' });
export function concat(...args: unknown[]): Node { void args; return apply(concatOp, [] as NodeLike[], {}); }
