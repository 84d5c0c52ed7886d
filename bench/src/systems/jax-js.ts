/**
 * System "jax-js": @jax-js/jax 0.1.25 on its wasm device, with the whole training step (loss,
 * `valueAndGrad`, Adam in the Keras form) inside one `jit`. jax-js arrays are reference-counted
 * and consumed by the functions they are passed to, hence the `.ref`s. Its wasm backend uses
 * Web Workers for threads, which Node 20 lacks, so it runs single-threaded here. Kernels may
 * run lazily: each step awaits `blockUntilReady` on all its results before reading the loss.
 * @module
 */
import { adamStepSize } from '../adam.js';
import { cnnData, lossOnlyData, mlpData } from '../data.js';
import type { Runner, System } from '../system.js';
import { ADAM, type CnnWorkload, type LossKind, type LossOnlyWorkload, type MlpWorkload } from '../workloads.js';

type Jax = typeof import('@jax-js/jax');
type JaxArray = InstanceType<Jax['Array']>;

/**
 * The jax-js system.
 * @example
 * ```ts
 * const runner = await jaxJs.setup(WORKLOADS[0]!);
 * await runner.step();
 * ```
 */
export const jaxJs: System = {
  name: 'jax-js',
  family: 'peer',
  async setup(workload) {
    const jax = await import('@jax-js/jax');
    const devices = await jax.init('wasm');
    if (!devices.includes('wasm')) throw new Error(`jax-js init('wasm') gave devices [${devices.join(', ')}]`);
    jax.defaultDevice('wasm');
    switch (workload.kind) {
      case 'mlp': return mlpRunner(jax, workload);
      case 'loss-only': return lossOnlyRunner(jax, workload);
      case 'cnn': return cnnRunner(jax, workload);
      default: return workload satisfies never;
    }
  },
};

/** Mean cross-entropy of logits `z` against float targets `y`; consumes both. */
function crossEntropy(jax: Jax, kind: LossKind, z: JaxArray, y: JaxArray): JaxArray {
  const { nn } = jax;
  if (kind === 'softmax-cross-entropy') return nn.logSoftmax(z).mul(y).sum(-1).mean().neg();
  // -(y log sigmoid(z) + (1 - y) log sigmoid(-z)), optax's sigmoid_binary_cross_entropy
  const positive = nn.logSigmoid(z.ref).mul(y.ref);
  const negative = nn.logSigmoid(z.neg()).mul(y.neg().add(1));
  return positive.add(negative).mean().neg();
}

function mlpRunner(jax: Jax, workload: MlpWorkload): Runner {
  const { numpy: np, nn, tree } = jax;
  const data = mlpData(workload);
  const { batch, sizes } = workload;
  const k = sizes[sizes.length - 1]!;
  const x = np.array(data.x.slice()).reshape([batch, sizes[0]!]);
  const y = np.array(data.targets.slice()).reshape([batch, k]);
  // Flat [W1, b1, W2, b2, ...]: each used once in the forward pass, so no .ref is needed there.
  let params: JaxArray[] = data.layers.flatMap((l) => [
    np.array(l.weights.slice()).reshape([l.inputs, l.outputs]),
    np.array(l.bias.slice()),
  ]);
  let m = params.map((p) => np.zeros(p.shape));
  let v = params.map((p) => np.zeros(p.shape));
  let t = 0;

  const lossOf = (ps: JaxArray[], xs: JaxArray, ys: JaxArray): JaxArray => {
    let h = xs;
    for (let i = 0; i < ps.length; i += 2) {
      h = np.matmul(h, ps[i]!).add(ps[i + 1]!);
      if (i + 2 < ps.length) h = nn.relu(h);
    }
    return crossEntropy(jax, workload.loss, h, ys);
  };
  const { beta1, beta2, epsilon } = ADAM;
  const trainStep = jax.jit((ps: JaxArray[], ms: JaxArray[], vs: JaxArray[], xs: JaxArray, ys: JaxArray, alpha: JaxArray) => {
    const [loss, grads] = jax.valueAndGrad(lossOf)(tree.ref(ps), xs, ys);
    const next = ps.map((p, i) => {
      const g = grads[i]!;
      const mi = ms[i]!.mul(beta1).add(g.ref.mul(1 - beta1));
      const vi = vs[i]!.mul(beta2).add(g.ref.mul(g).mul(1 - beta2));
      const pi = p.sub(mi.ref.mul(alpha.ref).div(np.sqrt(vi.ref).add(epsilon)));
      return { p: pi, m: mi, v: vi };
    });
    alpha.dispose();
    return [loss, next.map((n) => n.p), next.map((n) => n.m), next.map((n) => n.v)] as [JaxArray, JaxArray[], JaxArray[], JaxArray[]];
  });

  return {
    async step() {
      t += 1;
      const alpha = np.array(adamStepSize(workload.learningRate, t));
      const [loss, p2, m2, v2] = trainStep(params, m, v, x.ref, y.ref, alpha);
      [params, m, v] = [p2, m2, v2];
      await jax.blockUntilReady([loss, params, m, v]);
      const value = (await loss.data())[0]!;
      return value;
    },
    dispose() {
      tree.dispose([params, m, v, x, y]);
      trainStep.dispose();
    },
  };
}

// jax-js' lax.conv is NCHW with OIHW kernels (as JAX's default): the data is transposed once at
// setup, and the dense weights' rows permuted from NHWC to NCHW flattening, so the model is the same.
function cnnRunner(jax: Jax, workload: CnnWorkload): Runner {
  const { numpy: np, nn, lax, tree } = jax;
  const data = cnnData(workload);
  const { batch, height, width, channels, filters, kernel, pool, classes } = workload;
  const x = np.array(data.x.slice()).reshape([batch, height, width, channels]).transpose([0, 3, 1, 2]);
  const y = np.array(data.oneHot.slice()).reshape([batch, classes]);
  const [ph, pw] = [Math.floor(height / pool), Math.floor(width / pool)];
  const denseRows = data.dense.weights.slice();
  // NHWC row (h, w, c) -> NCHW row (c, h, w)
  for (let h = 0; h < ph; h++) {
    for (let w = 0; w < pw; w++) {
      for (let c = 0; c < filters; c++) {
        const [from, to] = [((h * pw + w) * filters + c) * classes, ((c * ph + h) * pw + w) * classes];
        denseRows.set(data.dense.weights.subarray(from, from + classes), to);
      }
    }
  }
  let params: JaxArray[] = [
    np.array(data.filter.slice()).reshape([kernel, kernel, channels, filters]).transpose([3, 2, 0, 1]),
    np.array(data.filterBias.slice()).reshape([1, filters, 1, 1]),
    np.array(denseRows).reshape([data.dense.inputs, classes]),
    np.array(data.dense.bias.slice()),
  ];
  const lossOf = (ps: JaxArray[], xs: JaxArray, ys: JaxArray): JaxArray => {
    const [f, fb, W, b] = ps as [JaxArray, JaxArray, JaxArray, JaxArray];
    const maps = nn.relu(lax.conv(xs, f, [1, 1], 'SAME').add(fb));
    const pooled = lax.reduceWindow(maps, (window: JaxArray) => window.max(), [pool, pool], [pool, pool]);
    const logits = np.matmul(pooled.reshape([batch, data.dense.inputs]), W).add(b);
    return crossEntropy(jax, 'softmax-cross-entropy', logits, ys);
  };
  const rate = workload.learningRate;
  const trainStep = jax.jit((ps: JaxArray[], xs: JaxArray, ys: JaxArray) => {
    const [loss, grads] = jax.valueAndGrad(lossOf)(tree.ref(ps), xs, ys);
    return [loss, ps.map((p, i) => p.sub(grads[i]!.mul(rate)))] as [JaxArray, JaxArray[]];
  });
  return {
    async step() {
      const [loss, next] = trainStep(params, x.ref, y.ref);
      params = next;
      await jax.blockUntilReady([loss, params]);
      return (await loss.data())[0]!;
    },
    dispose() {
      tree.dispose([params, x, y]);
      trainStep.dispose();
    },
  };
}

function lossOnlyRunner(jax: Jax, workload: LossOnlyWorkload): Runner {
  const { numpy: np } = jax;
  const data = lossOnlyData(workload);
  const shape = [workload.rows, workload.classes];
  const z = np.array(data.logits.slice()).reshape(shape);
  // nn has no sparse cross-entropy: labels are one-hot rows, as in optax's softmax_cross_entropy.
  const y = np.array(data.oneHot.slice()).reshape(shape);
  const lossAndGrad = jax.jit((zs: JaxArray, ys: JaxArray) =>
    jax.valueAndGrad((logits: JaxArray, labels: JaxArray) => crossEntropy(jax, workload.loss, logits, labels))(zs, ys),
  );
  return {
    async step() {
      const [loss, grad] = lossAndGrad(z.ref, y.ref);
      await jax.blockUntilReady([loss, grad]);
      grad.dispose();
      return (await loss.data())[0]!;
    },
    dispose() {
      jax.tree.dispose([z, y]);
      lossAndGrad.dispose();
    },
  };
}
