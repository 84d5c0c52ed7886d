// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op logSigmoid'); };
export const logSigmoidOp = defineOp({ name: 'logSigmoid', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'logSigmoid' });
export function logSigmoid(...args: unknown[]): Node { void args; return apply(logSigmoidOp, [] as NodeLike[], {}); }
