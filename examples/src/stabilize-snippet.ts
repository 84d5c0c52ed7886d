import { clip, input, log, mean, mul, neg, param, scope, sigmoid, softmax, sub, sum, tensor } from '@stablegrad/core';
import { explain, formatExpression, prepareTraining, stabilize } from '@stablegrad/rewrite';

// A binary cross-entropy written the naive way, by hand, on top of a dense layer.
const x = input(['batch', 2], { name: 'x' });
const y = input(['batch'], { name: 'y' });
const W = param(tensor([[0.5], [-1]]), { name: 'W' });
const p = scope('dense', () => sigmoid(x.matmul(W).reshape(['batch'])));
const bce = scope('loss', () => neg(mean(mul(y, log(p)).add(mul(sub(1, y), log(sub(1, p)))))));

// A Keras-style categorical cross-entropy in probability space: clipped, then logged.
const logits = input(['batch', 3], { name: 'logits' });
const labels = input(['batch', 3], { name: 'labels' });
const cce = scope('cce', () => neg(mean(sum(mul(labels, log(clip(softmax(logits), 1e-7, 1 - 1e-7))), { axis: -1 }))));

const { graph, report } = stabilize({ bce, cce });
console.log(explain(report, { phases: ['stabilize'] }));
console.log(graph.outputs.map((o) => formatExpression(o)).join('\n'));

// The training pipeline: stabilize, then grad, then simplify.
const { gradients } = prepareTraining({ loss: bce, params: [W] });
console.log(formatExpression(gradients[0]!));
