/**
 * Softmax rules: logs of softmaxes become logSoftmax (also through ops that only move elements,
 * such as the `gather` of a sparse loss), hand-written softmaxes `exp(x) / sum(exp(x))` become
 * `softmax`, and `log(sum(exp(x)))` becomes `logsumexp`. `exp(1000)` overflows and a softmax
 * entry below ~1e-45 (float32) rounds to 0, so the naive forms give NaN and -Infinity where the
 * fused ops, which subtract the lane's max first, stay finite and accurate.
 * Patterns see the canonical forms: `x - m` arrives as `add(x, neg(m))`.
 * @module
 */
import {
  apply, div, exp, gather, input, log, logSigmoid, logSoftmax, logsumexp, max, type Node, type OpName, opDef, reshape,
  sigmoid, softmax, sub, sum, transpose,
} from '@stablegrad/core';
import { attr, bind, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';

const x = v('x');
const z = v('z');
const logits = () => input([2, 3], { name: 'x' });

/** Ops that only move, drop or copy the elements of their first input (the rest are indices or shapes). */
export const MOVEMENT_OPS: ReadonlySet<OpName> = new Set<OpName>([
  'gather', 'reshape', 'reshapeLike', 'transpose', 'expandDims', 'squeeze', 'slice', 'broadcastTo', 'broadcastLike',
]);

/** Follows first inputs through movement ops: the ops crossed (outermost first) and the node reached. */
export function throughMovement(node: Node): { moves: Node[]; source: Node } {
  const moves: Node[] = [];
  let source = node;
  while (MOVEMENT_OPS.has(source.op)) {
    moves.push(source);
    source = source.inputs[0]!;
  }
  return { moves, source };
}

/** Applies the movement ops `moves` (outermost first) to `source` again, with their own attributes and other inputs. */
export function replayMovement(moves: readonly Node[], source: Node): Node {
  return moves.reduceRight((inner, move) => apply(opDef(move.op), [inner, ...move.inputs.slice(1)], move.attrs), source);
}

/** True when the two nodes have the same static shape, written the same (symbolic dimensions by name). */
export function sameShape(a: Node, b: Node): boolean {
  return a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

/**
 * When `den` is `sum(n, [axis], keepDims)` (possibly under `broadcastLike`) with `isNumerator(n)`,
 * so that `n / den` normalizes n along one axis, returns that axis; otherwise null.
 * Without keepDims the sums broadcast back along the right axis only when it is the leading one.
 */
export function normalizingAxis(den: Node, isNumerator: (n: Node) => boolean): number | null {
  const total = den.op === 'broadcastLike' ? den.inputs[0]! : den;
  if (total.op !== 'sum' || !isNumerator(total.inputs[0]!)) return null;
  const axes = total.attrs.axes as readonly number[];
  if (axes.length !== 1) return null;
  const axis = axes[0]!;
  return total.attrs.keepDims === true || axis === 0 ? axis : null;
}

/** log(softmax(z)) -> logSoftmax(z), same axis. */
export const logOfSoftmax = rule({
  name: 'log-softmax',
  doc: 'log(softmax(z)) is logSoftmax(z) on the same axis, finite where a softmax entry rounds to 0',
  pattern: P.log(op('softmax', [z], { axis: attr('axis') })),
  // log(e^z_k / sum e^z_i) = (z_k - m) - log(sum e^(z_i - m))
  replace: (m) => logSoftmax(m.z, m.$attrs.axis as number),
  examples: [{ before: () => log(softmax(logits(), 1)), after: 'logSoftmax{axis=1}(x)' }],
});

/** log(move(softmax z)) -> move(logSoftmax z), and the same for sigmoid. */
export const logThroughMovement = rule({
  name: 'log-through-movement',
  doc: 'log of a softmax or sigmoid seen through gather/reshape/transpose/slice/... is the same movement of logSoftmax or logSigmoid',
  pattern: P.log(v('moved', (n) => MOVEMENT_OPS.has(n.op))),
  guard: (m) => ['softmax', 'sigmoid'].includes(throughMovement(m.moved).source.op),
  // log is elementwise, so log(move(p)) = move(log(p)) for any op that only moves elements.
  replace: (m) => {
    const { moves, source } = throughMovement(m.moved);
    const z0 = source.inputs[0]!;
    const logs = source.op === 'softmax' ? logSoftmax(z0, source.attrs.axis as number) : logSigmoid(z0);
    return replayMovement(moves, logs);
  },
  examples: [
    { before: () => log(transpose(softmax(logits(), 1))), after: 'transpose{perm=[1,0]}(logSoftmax{axis=1}(x))' },
    // (a gather by labels is then fused further, into sparseSoftmaxCrossEntropyWithLogits)
    {
      before: () => log(gather(softmax(logits(), 1), input([4], { name: 'i', dtype: 'int32' }), { axis: 0 })),
      after: 'gather{axis=0, batchDims=0}(logSoftmax{axis=1}(x), i)',
    },
    { before: () => log(reshape(softmax(logits(), 1), [6])), after: 'reshape{shape=[6]}(logSoftmax{axis=1}(x))' },
    { before: () => log(reshape(sigmoid(logits()), [6])), after: 'reshape{shape=[6]}(logSigmoid(x))' },
  ],
});

/** A max of `x` that is constant along `axis` and broadcasts against x. */
function isShiftFor(shift: Node, xNode: Node, axis: number): boolean {
  if (shift.op !== 'max' || shift.inputs[0] !== xNode) return false;
  const axes = shift.attrs.axes as readonly number[];
  return axes.length === xNode.shape.length || (shift.attrs.keepDims === true && axes.includes(axis));
}

/** True when `n` is `exp(x - max(x))` with a max that is constant along `axis`. */
function isShiftedExponent(n: Node, xNode: Node, axis: number): boolean {
  if (n.op !== 'exp' || n.inputs[0]!.op !== 'add') return false;
  const [a, b] = n.inputs[0]!.inputs as [Node, Node];
  const pairs: [Node, Node][] = [[a, b], [b, a]];
  return pairs.some(([l, r]) => l === xNode && r.op === 'neg' && isShiftFor(r.inputs[0]!, xNode, axis));
}

/** exp(x - max(x)) / sum(exp(x - max(x)), axis) -> softmax(x, axis). */
export const softmaxFromShiftedExp = rule({
  name: 'softmax-from-shifted-exp',
  doc: 'exp(x - max(x)) / sum(exp(x - max(x)), axis) is softmax(x, axis), the hand-written stable softmax',
  pattern: P.div(bind('e', P.exp(P.add(x, P.neg(bind('shift', P.max(x)))))), v('den')),
  guard: (m) => {
    const axis = normalizingAxis(m.den, (n) => n === m.e || isShiftedExponent(n, m.x, axisOf(m.den)));
    return axis !== null && isShiftFor(m.shift, m.x, axis) && sameShape(m.$root, m.x);
  },
  // e^(x_k - m) / sum e^(x_i - m) = e^x_k / sum e^x_i for any m constant along the axis
  replace: (m) => softmax(m.x, axisOf(m.den)),
  examples: [{
    before: () => {
      const t = logits();
      const e = exp(sub(t, max(t, { axis: 1, keepDims: true })));
      return div(e, sum(e, { axis: 1, keepDims: true }));
    },
    after: 'softmax{axis=1}(x)',
  }],
});

/** The single summed axis of a denominator (-1 when it is not one; guards reject that). */
function axisOf(den: Node): number {
  const total = den.op === 'broadcastLike' ? den.inputs[0]! : den;
  const axes = total.attrs.axes as readonly number[] | undefined;
  return axes?.length === 1 ? axes[0]! : -1;
}

/** exp(x) / sum(exp(x), axis, keepDims) -> softmax(x, axis). */
export const softmaxFromExp = rule({
  name: 'softmax-from-exp',
  doc: 'exp(x) / sum(exp(x), axis) is softmax(x, axis), which subtracts the max and cannot overflow',
  pattern: P.div(P.exp(x), v('den')),
  guard: (m) => normalizingAxis(m.den, (n) => n.op === 'exp' && n.inputs[0] === m.x) !== null && sameShape(m.$root, m.x),
  // softmax(x)_k = e^x_k / sum_i e^x_i
  replace: (m) => softmax(m.x, axisOf(m.den)),
  examples: [
    { before: () => { const t = logits(); return div(exp(t), sum(exp(t), { axis: 1, keepDims: true })); }, after: 'softmax{axis=1}(x)' },
    { before: () => { const t = input([3], { name: 'x' }); return div(exp(t), sum(exp(t))); }, after: 'softmax{axis=0}(x)' },
    { before: () => { const t = logits(); return log(div(exp(t), sum(exp(t), { axis: 1, keepDims: true }))); }, after: 'logSoftmax{axis=1}(x)' },
  ],
});

/** log(sum(exp(x), axes, keepDims)) -> logsumexp(x, axes, keepDims). */
export const logOfSumOfExp = rule({
  name: 'log-sum-exp',
  doc: 'log(sum(exp(x))) is logsumexp(x) over the same axes, which subtracts the max and cannot overflow',
  pattern: P.log(op('sum', [P.exp(x)], { axes: attr('axes'), keepDims: attr('keepDims') })),
  // log sum e^x_i = m + log sum e^(x_i - m)
  replace: (m) => logsumexp(m.x, { axis: m.$attrs.axes as number[], keepDims: m.$attrs.keepDims as boolean }),
  examples: [
    { before: () => log(sum(exp(logits()), { axis: 1 })), after: 'logsumexp{axes=[1]}(x)' },
    { before: () => log(sum(exp(logits()), { axis: 1, keepDims: true })), after: 'logsumexp{axes=[1], keepDims=true}(x)' },
  ],
});

/** max(x) + logsumexp(x - max(x)) -> logsumexp(x): the hand-written stable form, once its log(sum(exp)) is fused. */
export const logsumexpShifted = rule({
  name: 'logsumexp-shifted',
  doc: 'max(x) + logsumexp(x - max(x)) over the same axes is logsumexp(x), the hand-written stable form',
  pattern: P.add(
    bind('outer', P.max(x)),
    op('logsumexp', [P.add(x, P.neg(bind('inner', P.max(x))))], { axes: attr('axes'), keepDims: attr('keepDims') }),
  ),
  guard: (m) => {
    const axes = m.$attrs.axes as readonly number[];
    const same = (n: Node) => (n.attrs.axes as readonly number[]).join() === axes.join();
    const innerBroadcasts = m.inner.attrs.keepDims === true || m.inner.shape.length === 0;
    return same(m.outer) && same(m.inner) && innerBroadcasts && m.outer.attrs.keepDims === m.$attrs.keepDims;
  },
  // m + log sum e^(x_i - m) = log sum e^x_i
  replace: (m) => logsumexp(m.x, { axis: m.$attrs.axes as number[], keepDims: m.$attrs.keepDims as boolean }),
  examples: [{
    before: () => {
      const t = logits();
      return max(t, { axis: 1 }).add(log(sum(exp(sub(t, max(t, { axis: 1, keepDims: true }))), { axis: 1 })));
    },
    after: 'logsumexp{axes=[1]}(x)',
  }],
});

/** The softmax rules, in the order they are tried. */
export const softmaxRules = [logOfSoftmax, logThroughMovement, softmaxFromShiftedExp, softmaxFromExp, logOfSumOfExp, logsumexpShifted];
