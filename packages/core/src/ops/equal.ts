// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op equal'); };
export const equalOp = defineOp({ name: 'equal', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'equal' });
export function equal(...args: unknown[]): Node { void args; return apply(equalOp, [] as NodeLike[], {}); }
