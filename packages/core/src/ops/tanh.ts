// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op tanh'); };
export const tanhOp = defineOp({ name: 'tanh', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'tanh' });
export function tanh(...args: unknown[]): Node { void args; return apply(tanhOp, [] as NodeLike[], {}); }
