// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op maximum'); };
export const maximumOp = defineOp({ name: 'maximum', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'maximum' });
export function maximum(...args: unknown[]): Node { void args; return apply(maximumOp, [] as NodeLike[], {}); }
