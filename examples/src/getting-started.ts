import { evaluate, explain, formatExpression, grad, input, log, mean, mul, neg, param, prepareTraining, scope, sigmoid, stabilize, sub, tensor } from 'stablegrad';

// A dense layer and a binary cross-entropy written by hand, in probability space.
const x = input(['batch', 2], { name: 'x' });
const y = input(['batch'], { name: 'y' });
const W = param(tensor([[0.5], [-1]]), { name: 'W' });
const b = param(0, { name: 'b' });
const z = scope('dense', () => x.matmul(W).add(b).reshape(['batch']));
const loss = scope('bce', () => {
  const p = sigmoid(z);
  return neg(mean(mul(y, log(p)).add(mul(sub(1, y), log(sub(1, p))))));
});

// The second row has z = 30: in float32 sigmoid(30) is exactly 1, so log(1 - p) is -Infinity.
const feeds = { x: [[1, 2], [0, -30]], y: [1, 0] };
console.log('naive loss:', evaluate(loss, feeds).data[0]);
console.log('naive dW:', Array.from(evaluate(grad(loss, [W])[0]!, feeds).data));

// stabilize rewrites the loss into the fused logit form and reports every rule that fired.
const { graph: stable, report } = stabilize({ loss });
console.log('stabilized:', formatExpression(stable.outputs[0]!));
console.log('stable loss:', evaluate(stable.outputs[0]!, feeds).data[0]);
console.log(explain(report, { phases: ['stabilize'] }));

// prepareTraining: stabilize, then grad, then simplify; the gradients use the fused ops too.
const training = prepareTraining({ loss, params: [W, b] });
const [dW, db] = evaluate([...training.gradients], feeds);
console.log('dW:', Array.from(dW!.data), 'db:', Array.from(db!.data));
