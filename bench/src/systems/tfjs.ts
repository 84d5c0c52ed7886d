/**
 * Systems "tfjs-cpu" and "tfjs-wasm": TensorFlow.js 4.22 with its plain-JS cpu backend and its
 * WebAssembly backend (SIMD, single-threaded in Node: its threaded build needs Web Workers).
 * The model uses tf.variable, matMul, add, relu and tf.losses; the step is
 * `tf.train.adam(...).minimize(...)` (tfjs' Adam adds epsilon to the bias-corrected sqrt(v), a
 * negligible difference from the Keras form the other systems use). Both backends run kernels synchronously, so reading the
 * loss with dataSync() returns only after the whole step (update included) has run.
 * @module
 */
import { createRequire, register } from 'node:module';
import path from 'node:path';
import { cnnData, lossOnlyData, mlpData } from '../data.js';
import type { MemoryReport, Runner, System } from '../system.js';
import { ADAM, type CnnWorkload, type LossOnlyWorkload, type MlpWorkload } from '../workloads.js';

type Tf = typeof import('@tensorflow/tfjs-core');
type Backend = 'cpu' | 'wasm';

/**
 * TensorFlow.js on the cpu backend.
 * @example
 * ```ts
 * const runner = await tfjsCpu.setup(WORKLOADS[0]!);
 * ```
 */
export const tfjsCpu: System = { name: 'tfjs-cpu', family: 'peer', setup: (w) => setupTfjs('cpu', w) };

/**
 * TensorFlow.js on the wasm backend, loading its .wasm files from node_modules.
 * @example
 * ```ts
 * const runner = await tfjsWasm.setup(WORKLOADS[0]!);
 * ```
 */
export const tfjsWasm: System = { name: 'tfjs-wasm', family: 'peer', setup: (w) => setupTfjs('wasm', w) };

const HELD = 'held tensors (weights, Adam moments, data)';
let gradientsRegistered = false;

// tfjs-core's Node bundle has no gradients; they come from its ESM build (see tfjs-esm-hooks.ts).
async function registerGradients(): Promise<void> {
  if (gradientsRegistered) return;
  register(new URL('./tfjs-esm-hooks.js', import.meta.url));
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  gradientsRegistered = true;
}

// Imported lazily so that a backend that cannot load makes its system unavailable, not the run fail.
async function loadTf(backend: Backend): Promise<Tf> {
  const tf = await import('@tensorflow/tfjs-core');
  await registerGradients();
  // Production mode only silences warnings (the "install tfjs-node" notice); kernels are unchanged.
  tf.enableProdMode();
  if (backend === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
  } else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const packageJson = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    wasm.setWasmPaths(path.join(path.dirname(packageJson), 'dist') + path.sep);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
  return tf;
}

async function setupTfjs(backend: Backend, workload: MlpWorkload | LossOnlyWorkload | CnnWorkload): Promise<Runner> {
  const tf = await loadTf(backend);
  // cpu and wasm share one engine: each sample first makes its own backend current.
  const activate = async (): Promise<void> => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
  };
  switch (workload.kind) {
    case 'mlp': return mlpRunner(tf, workload, activate);
    case 'loss-only': return lossOnlyRunner(tf, workload, activate);
    case 'cnn': return cnnRunner(tf, workload, activate);
    default: return workload satisfies never;
  }
}

function mlpRunner(tf: Tf, workload: MlpWorkload, activate: () => Promise<void>): Runner {
  const data = mlpData(workload);
  const { batch, sizes } = workload;
  const k = sizes[sizes.length - 1]!;
  const x = tf.tensor2d(data.x.slice(), [batch, sizes[0]!]);
  const y = tf.tensor2d(data.targets.slice(), [batch, k]);
  const layers = data.layers.map((l) => ({
    W: tf.variable(tf.tensor2d(l.weights.slice(), [l.inputs, l.outputs])),
    b: tf.variable(tf.tensor1d(l.bias.slice())),
  }));
  const variables = layers.flatMap((l) => [l.W, l.b]);
  const optimizer = tf.train.adam(workload.learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
  const loss = (): ReturnType<Tf['scalar']> => {
    let h: ReturnType<Tf['tensor2d']> = x;
    layers.forEach((l, i) => {
      h = tf.add(tf.matMul(h, l.W), l.b);
      if (i < layers.length - 1) h = tf.relu(h);
    });
    const mean = workload.loss === 'softmax-cross-entropy' ? tf.losses.softmaxCrossEntropy(y, h) : tf.losses.sigmoidCrossEntropy(y, h);
    return mean as ReturnType<Tf['scalar']>;
  };
  const step = (): number => {
    const value = optimizer.minimize(loss, true, variables)!;
    const result = value.dataSync()[0]!;
    value.dispose();
    return result;
  };
  const weightBytes = variables.reduce((sum, v) => sum + 4 * v.size, 0);
  return {
    step,
    activate,
    // weights + Adam's two moments (same shapes) + data + the step's transient peak
    memory: () => profiledMemory(tf, step, 3 * weightBytes + 4 * (x.size + y.size), HELD),
    dispose() {
      tf.dispose([x, y, ...variables]);
      optimizer.dispose();
    },
  };
}

function cnnRunner(tf: Tf, workload: CnnWorkload, activate: () => Promise<void>): Runner {
  const data = cnnData(workload);
  const { batch, height, width, channels, filters, kernel, pool, classes } = workload;
  const x = tf.tensor4d(data.x.slice(), [batch, height, width, channels]);
  const y = tf.tensor2d(data.oneHot.slice(), [batch, classes]);
  const filter = tf.variable(tf.tensor4d(data.filter.slice(), [kernel, kernel, channels, filters]));
  const filterBias = tf.variable(tf.tensor1d(data.filterBias.slice()));
  const W = tf.variable(tf.tensor2d(data.dense.weights.slice(), [data.dense.inputs, classes]));
  const b = tf.variable(tf.tensor1d(data.dense.bias.slice()));
  const variables = [filter, filterBias, W, b];
  const optimizer = tf.train.sgd(workload.learningRate);
  const loss = (): ReturnType<Tf['scalar']> => {
    const maps = tf.maxPool(tf.relu(tf.add(tf.conv2d(x, filter, 1, 'same'), filterBias)) as ReturnType<Tf['tensor4d']>, pool, pool, 'valid');
    const logits = tf.add(tf.matMul(tf.reshape(maps, [batch, data.dense.inputs]), W), b);
    return tf.losses.softmaxCrossEntropy(y, logits) as ReturnType<Tf['scalar']>;
  };
  const step = (): number => {
    const value = optimizer.minimize(loss, true, variables)!;
    const result = value.dataSync()[0]!;
    value.dispose();
    return result;
  };
  const weightBytes = variables.reduce((sum, v) => sum + 4 * v.size, 0);
  return {
    step,
    activate,
    memory: () => profiledMemory(tf, step, weightBytes + 4 * (x.size + y.size), 'held tensors (weights, data)'),
    dispose() {
      tf.dispose([x, y, ...variables]);
      optimizer.dispose();
    },
  };
}

function lossOnlyRunner(tf: Tf, workload: LossOnlyWorkload, activate: () => Promise<void>): Runner {
  const data = lossOnlyData(workload);
  const shape: [number, number] = [workload.rows, workload.classes];
  const z = tf.tensor2d(data.logits.slice(), shape);
  // tf.losses has no sparse cross-entropy: labels are one-hot rows.
  const y = tf.tensor2d(data.oneHot.slice(), shape);
  const valueAndGrad = tf.valueAndGrad((logits: ReturnType<Tf['tensor2d']>) => tf.losses.softmaxCrossEntropy(y, logits));
  const step = (): number => {
    const { value, grad } = valueAndGrad(z);
    const result = value.dataSync()[0]!;
    tf.dispose([value, grad]);
    return result;
  };
  return {
    step,
    activate,
    memory: () => profiledMemory(tf, step, 4 * (z.size + y.size), HELD),
    dispose: () => tf.dispose([z, y]),
  };
}

// tf.profile's peak is engine-wide; subtracting the bytes live before the step leaves this step's.
async function profiledMemory(tf: Tf, step: () => number, heldBytes: number, held: string): Promise<MemoryReport> {
  const before = tf.memory().numBytes;
  const profile = await tf.profile(() => {
    step();
  });
  return {
    bytes: heldBytes + Math.max(0, profile.peakBytes - before),
    method: `${held} + peak of new tensors over one step (tf.profile)`,
  };
}
