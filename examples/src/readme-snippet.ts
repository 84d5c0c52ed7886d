import { evaluate, grad, input, param, printGraph, scope, sigmoidCrossEntropyWithLogits, tensor } from '@stablegrad/core';

// Inputs are fed at run time ('batch' is a symbolic dimension); params hold trainable values.
const x = input(['batch', 3], { name: 'x' });
const y = input(['batch'], { name: 'y' });
const W = param(tensor([[0.5], [-1], [2]]), { name: 'W' });
const b = param(0.25, { name: 'b' });

// Ops chain as methods; nodes built inside a scope carry its name.
const logits = scope('dense', () => x.matmul(W).add(b).reshape(['batch']));
const loss = sigmoidCrossEntropyWithLogits(logits, y).mean();

// grad returns new graph nodes; the reference interpreter evaluates them with the loss.
const gradients = grad(loss, [W, b]); // [dloss/dW, dloss/db]
const feeds = { x: [[1, 2, 3], [0, -1, 4]], y: [1, 0] };
const values = evaluate([loss, ...gradients], feeds);
console.log(values.map((t) => Array.from(t.data))); // [[loss], [dloss/dW (3 values)], [dloss/db]]
console.log(printGraph({ loss }));
