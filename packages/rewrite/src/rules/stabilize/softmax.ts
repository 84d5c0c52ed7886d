/**
 * Softmax rules: logs of softmaxes become logSoftmax (also through ops that only move elements,
 * such as the `gather` of a sparse loss), and `1 - p` of a softmax entry becomes
 * `-expm1(logSoftmax)`, which keeps its digits where p is close to 1 (a focal loss's
 * `(1 - p_t)^gamma`). Hand-written softmaxes and logsumexps are recognised earlier, in
 * canonicalize (rules/canonicalize/softmax-spellings.ts). A softmax entry below ~1e-45
 * (float32) rounds to 0, so `log(softmax(z))` gives -Infinity where logSoftmax stays finite.
 * Patterns see the canonical forms: `1 - p` arrives as `add(1, neg(p))`.
 * @module
 */
import { apply, expm1, gather, input, log, logSigmoid, logSoftmax, neg, type Node, opDef, reshape, sigmoid, softmax, sub, transpose } from '@stablegrad/core';
import { attr, bind, c, op, P, v } from '../../pattern.js';
import { rule } from '../../rule.js';
import { isMovement, keepsShape } from '../_guards.js';

export { isMovement, normalizingAxis, sameStaticShape as sameShape } from '../_guards.js';

const z = v('z');
const logits = () => input([2, 3], { name: 'x' });

/** The probability-valued ops whose log has a stable primitive: the log of such an output is rewritten to it. */
const STABLE_LOG_OF: Readonly<Record<string, (probability: Node) => Node>> = {
  softmax: (p) => logSoftmax(p.inputs[0]!, p.attrs.axis as number),
  sigmoid: (p) => logSigmoid(p.inputs[0]!),
};

/** Whether `node` is a softmax or sigmoid output, possibly moved: a probability, positive in exact arithmetic. */
export const isProbability = (node: Node): boolean => Object.hasOwn(STABLE_LOG_OF, throughMovement(node).source.op);

/** Follows first inputs through movement ops: the ops crossed (outermost first) and the node reached. */
export function throughMovement(node: Node): { moves: Node[]; source: Node } {
  const moves: Node[] = [];
  let source = node;
  while (isMovement(source)) {
    moves.push(source);
    source = source.inputs[0]!;
  }
  return { moves, source };
}

/** Applies the movement ops `moves` (outermost first) to `source` again, with their own attributes and other inputs. */
export function replayMovement(moves: readonly Node[], source: Node): Node {
  return moves.reduceRight((inner, move) => apply(opDef(move.op), [inner, ...move.inputs.slice(1)], move.attrs), source);
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
  pattern: P.log(v('moved', isMovement)),
  guard: (m) => isProbability(m.moved),
  // log is elementwise, so log(move(p)) = move(log(p)) for any op that only moves elements.
  replace: (m) => {
    const { moves, source } = throughMovement(m.moved);
    return replayMovement(moves, STABLE_LOG_OF[source.op]!(source));
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

/** 1 - move(softmax(z)) -> -expm1(move(logSoftmax(z))). */
export const oneMinusSoftmax = rule({
  name: 'one-minus-softmax',
  doc: '1 - p for a softmax entry p is -expm1(log p) = -expm1(logSoftmax(z)), which keeps its digits where p is close to 1',
  // 1 - p = -(e^(log p) - 1); logSoftmax is exact where p rounds to 1
  pattern: P.add(bind('one', c(1)), P.neg(v('p', (n) => throughMovement(n).source.op === 'softmax'))),
  guard: (m) => keepsShape(m.p, m.$root, [m.one]),
  replace: (m) => {
    const { moves, source } = throughMovement(m.p);
    return neg(expm1(replayMovement(moves, logSoftmax(source.inputs[0]!, source.attrs.axis as number))));
  },
  examples: [
    { before: () => sub(1, softmax(logits(), 1)), after: 'neg(expm1(logSoftmax{axis=1}(x)))' },
    {
      before: () => sub(1, gather(softmax(logits(), 1), input([2], { name: 'i', dtype: 'int32' }), { axis: 1, batchDims: 1 })),
      // (the picked log-probability is then the sparse cross-entropy's negation)
      after: 'neg(expm1(neg(sparseSoftmaxCrossEntropyWithLogits(x, i))))',
    },
  ],
});

/** The softmax rules, in the order they are tried. */
export const softmaxRules = [logOfSoftmax, logThroughMovement, oneMinusSoftmax];
