/**
 * Systems "torch-1t" and "torch-2t": Debian's PyTorch (python3-torch) with 1 and 2 intra-op
 * threads, run in a Python process (bench/python/torch_peer.py) that receives the workload's
 * weights and data as JSON lines and times its own steps with `time.perf_counter`, so that the
 * pipe to Node is not counted. The model is `nn.Sequential` of `nn.Linear` and `nn.ReLU`, the
 * loss `F.cross_entropy` (class indices) or `F.binary_cross_entropy_with_logits`, the update
 * `torch.optim.Adam` (like tfjs' Adam, it adds epsilon to the bias-corrected sqrt(v)).
 * @module
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { lossOnlyData, mlpData } from '../data.js';
import type { Runner, System, TimedSteps } from '../system.js';
import { ADAM, type LossOnlyWorkload, type MlpWorkload, type Workload } from '../workloads.js';

/**
 * PyTorch on one thread.
 * @example
 * ```ts
 * const runner = await torch1t.setup(WORKLOADS[0]!);
 * ```
 */
export const torch1t: System = { name: 'torch-1t', family: 'peer', setup: (w) => setupTorch(1, w) };

/**
 * PyTorch on two threads (`torch.set_num_threads(2)`, OpenMP and OpenBLAS told the same).
 * @example
 * ```ts
 * const runner = await torch2t.setup(WORKLOADS[0]!);
 * ```
 */
export const torch2t: System = { name: 'torch-2t', family: 'peer', setup: (w) => setupTorch(2, w) };

const MISSING = 'python3-torch is not installed (apt-get install -y python3-torch libopenblas0-pthread)';
const SCRIPT = fileURLToPath(new URL('../../python/torch_peer.py', import.meta.url));

/**
 * Interpreters tried in order: `$BENCH_PYTHON`, then `python3` on the PATH, then Debian's
 * `/usr/bin/python3` (python3-torch installs into its dist-packages only, which a pyenv or venv
 * `python3` does not see).
 */
function candidates(): string[] {
  const fromEnv = process.env.BENCH_PYTHON;
  return fromEnv !== undefined && fromEnv !== '' ? [fromEnv] : ['python3', '/usr/bin/python3'];
}

type Peer = ChildProcessByStdio<Writable, Readable, Readable>;

/** A Python process and a queue of the replies it has not been asked for yet. */
interface Channel {
  readonly peer: Peer;
  next(): Promise<Record<string, unknown>>;
  send(message: unknown): void;
}

function open(python: string, threads: number): Channel {
  const n = String(threads);
  const peer = spawn(python, [SCRIPT, n], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // OpenMP (torch's own kernels) and OpenBLAS (its matmuls) each keep a thread pool. OpenMP's
    // threads spin after each parallel region by default and then starve OpenBLAS's on 2 cores
    // (torch-2t measured 10-30x slower on W1): PASSIVE makes them sleep instead.
    env: { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' },
  });
  const lines: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let stderr = '';
  let closed: string | undefined;
  peer.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
  const finish = (why: string): void => {
    closed ??= why;
    waiting.splice(0).forEach((resolve) => resolve(undefined));
  };
  peer.on('error', (e) => finish(e.message));
  peer.on('close', (code) => finish(`${python} exited with code ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
  createInterface({ input: peer.stdout }).on('line', (line) => {
    const resolve = waiting.shift();
    if (resolve !== undefined) resolve(line);
    else lines.push(line);
  });
  return {
    peer,
    async next() {
      const line = lines.shift() ?? (closed === undefined ? await new Promise<string | undefined>((resolve) => waiting.push(resolve)) : undefined);
      if (line === undefined) throw new Error(closed ?? `${python} closed its output`);
      return JSON.parse(line) as Record<string, unknown>;
    },
    send(message) {
      peer.stdin.write(`${JSON.stringify(message)}\n`);
    },
  };
}

// The first interpreter that imports torch; MISSING when none does.
async function startPeer(threads: number): Promise<{ channel: Channel; hello: Record<string, unknown> }> {
  for (const python of candidates()) {
    const channel = open(python, threads);
    try {
      const hello = await channel.next();
      if (typeof hello.torch === 'string') return { channel, hello };
    } catch {
      // not found or crashed: try the next interpreter
    }
    channel.peer.kill();
  }
  throw new Error(MISSING);
}

function base64(values: Float32Array | Int32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function jobOf(workload: Workload): object {
  if (workload.kind === 'loss-only') return lossOnlyJob(workload);
  if (workload.kind === 'cnn') throw new Error('the PyTorch runner has no CNN job yet');
  return mlpJob(workload);
}

function mlpJob(workload: MlpWorkload): object {
  const data = mlpData(workload);
  return {
    kind: 'mlp', sizes: workload.sizes, batch: workload.batch, loss: workload.loss, learningRate: workload.learningRate, adam: ADAM,
    x: base64(data.x), targets: base64(data.targets), classes: data.classes === undefined ? null : base64(data.classes),
    layers: data.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, weights: base64(l.weights), bias: base64(l.bias) })),
  };
}

function lossOnlyJob(workload: LossOnlyWorkload): object {
  const data = lossOnlyData(workload);
  return { kind: 'loss-only', rows: workload.rows, classes: workload.classes, logits: base64(data.logits), labels: base64(data.classes) };
}

async function setupTorch(threads: number, workload: Workload): Promise<Runner> {
  const { channel, hello } = await startPeer(threads);
  try {
    channel.send(jobOf(workload));
    const ready = await channel.next();
    if (ready.ready !== true) throw new Error(`torch peer: unexpected reply ${JSON.stringify(ready).slice(0, 100)}`);
    const run = async (steps: number): Promise<TimedSteps> => {
      channel.send({ steps });
      const reply = await channel.next();
      const losses = reply.losses as number[];
      return { ms: (1000 * (reply.seconds as number)) / steps, loss: losses[losses.length - 1]! };
    };
    return {
      step: async () => (await run(1)).loss,
      timedSteps: run,
      describe: `torch ${String(hello.torch)}, ${String(hello.threads)} thread(s), BLAS ${String(ready.blas)}, ${String(hello.python)}`,
      dispose: () => void channel.peer.kill(),
    };
  } catch (e) {
    channel.peer.kill();
    throw e;
  }
}
