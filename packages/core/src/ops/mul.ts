// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op mul'); };
export const mulOp = defineOp({ name: 'mul', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'mul' });
export function mul(...args: unknown[]): Node { void args; return apply(mulOp, [] as NodeLike[], {}); }
