// The ONNX side of the command line, run as a child process: `stablegrad export` of a graph and
// of a saved model (the files then run in ONNX Runtime), and `.onnx` files read by dot, explain
// and lint, with one-line errors naming the file.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { adam, dense, sequential, sparseCategoricalCrossentropy } from 'stablegrad';

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/graphs/naive-bce.json');
const PYTORCH = join(ROOT, 'packages/onnx/test/fixtures/digits-mlp.onnx');
const dir = mkdtempSync(join(tmpdir(), 'stablegrad-cli-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('stablegrad export', () => {
  it('writes a stabilized graph that ONNX Runtime loads, with the fused loss decomposed', async () => {
    const out = join(dir, 'bce.onnx');
    const r = await cli('export', EXAMPLE, '--stabilize', '-o', out);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^wrote .*bce\.onnx \(\d+ bytes, ONNX opset 18\)\n$/);
    const session = await ort.InferenceSession.create(readFileSync(out));
    expect(session.outputNames.length).toBeGreaterThan(0);
    await session.release();
  });

  it('writes a saved model for training: the stabilized loss and one gradient per param', async () => {
    const model = sequential([dense({ units: 4, activation: 'relu' }), dense({ units: 3, activation: 'softmax' })], { inputShape: [5], seed: 1 });
    model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam() });
    const file = join(dir, 'small.model.json');
    model.save(file);
    const out = join(dir, 'small-train.onnx');
    expect((await cli('export', file, '--stage', 'training', '-o', out)).status).toBe(0);
    const session = await ort.InferenceSession.create(readFileSync(out));
    expect(session.outputNames.filter((n) => n.startsWith('grad(')).length).toBe(4);
    expect(session.outputNames).toContain('loss');
    await session.release();
  });

  it('needs -o, and names a bad stage', async () => {
    expect(await cli('export', EXAMPLE)).toMatchObject({ status: 2, stderr: 'stablegrad: export: missing -o <model.onnx>\n' });
    expect((await cli('export', EXAMPLE, '--stage', 'serve', '-o', join(dir, 'x.onnx'))).stderr).toMatch(/--stage is prediction or training, not "serve"/);
  });
});

describe('.onnx files in dot, explain and lint', () => {
  it("draws PyTorch's model with its names and symbolic batch", async () => {
    const r = await cli('dot', PYTORCH);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[batch, 64] float32');
    expect(r.stdout).toContain('l1.weight');
  });

  it('explains and lints it', async () => {
    expect(await cli('explain', PYTORCH)).toMatchObject({ status: 0, stdout: 'No rewrites: the graph was left as it was.\n' });
    const lint = await cli('lint', PYTORCH, '--samples', '3');
    expect(lint.status).toBe(0);
    expect(lint.stdout).toMatch(/0 of \d+ nodes flagged/);
  });

  it('reports unreadable and unsupported models in one line naming the file', async () => {
    const bad = await cli('dot', EXAMPLE.replace('naive-bce.json', 'missing.onnx'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^stablegrad: cannot read .*missing\.onnx: /);
    const exported = join(dir, 'bce-for-dot.onnx');
    await cli('export', EXAMPLE, '--stabilize', '-o', exported);
    const r = await cli('explain', exported);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^stablegrad: .*bce-for-dot\.onnx: \d ONNX operators are not supported by stablegrad: Equal .*IsInf .*Where .*\n$/);
  });
});
