// The commands added to the `stablegrad` command line (stabilize, print, summary, explain
// --json), saved model files and stdin (`-`) in every command that reads a file, and hostile
// inputs: each failure is one line on stderr, the right exit status, no stack trace.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, fromJSON, graph, input, log, mean, mul, neg, param, scope, sigmoid, sub, tensor, toJSON } from '@stablegrad/core';
import { dense, sequential } from '@stablegrad/nn';

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/graphs/naive-bce.json');

let dir = '';
let model = '';
let untrained = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stablegrad-cli-commands-'));
  const m = sequential([dense({ units: 25, activation: 'relu' }), dense({ units: 10, activation: 'softmax' })], { inputShape: [64], seed: 1 });
  m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam' });
  model = join(dir, 'digits.model.json');
  m.save(model);
  untrained = join(dir, 'plain.model.json');
  sequential([dense({ units: 3 })], { inputShape: [2], seed: 1 }).save(untrained);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI with `args`, writing `stdin` (or nothing) to its standard input. */
function cli(args: readonly string[], stdin = ''): Promise<Run> {
  const env = { ...process.env };
  delete env['STABLEGRAD_DEBUG'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.on('error', () => {}); // the CLI may exit before reading it all
    child.stdin.end(stdin);
  });
}

function expectSuccess(r: Run): string {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Exit status `status`, nothing on stdout, exactly one line on stderr containing `message`, no stack frame. */
function expectFailure(r: Run, status: 1 | 2, message: string | RegExp): void {
  expect(r.stdout).toBe('');
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^stablegrad: \S/);
  expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+/);
  if (typeof message === 'string') expect(lines[0]).toContain(message);
  else expect(lines[0]).toMatch(message);
  expect(r.status).toBe(status);
}

describe.concurrent('help', { timeout: 120_000 }, () => {
  it('--help lists every command, and each command help lists its options', async () => {
    const top = expectSuccess(await cli(['--help']));
    for (const name of ['dot', 'explain', 'stabilize', 'print', 'summary', 'lint', 'export']) expect(top).toMatch(new RegExp(`^\\s+${name}\\s+\\S`, 'm'));
    expect(expectSuccess(await cli(['stabilize', '--help']))).toContain('-o, --out <out.json>');
    expect(expectSuccess(await cli(['explain', '--help']))).toContain('--json');
    expect(expectSuccess(await cli(['print', '--help']))).toContain('--stabilize');
    expect(expectSuccess(await cli(['summary', '--help']))).toContain('Usage: stablegrad summary <model.json|graph.json|->');
  });
});

describe.concurrent('stablegrad stabilize', { timeout: 120_000 }, () => {
  it('writes the stabilized graph: one fused op, equal to the original where that is accurate', async () => {
    const out = join(dir, 'stable.json');
    const said = expectSuccess(await cli(['stabilize', EXAMPLE, '-o', out]));
    expect(said).toMatch(/^wrote .*stable\.json \(\d+ nodes; stabilize rules: .*binary-cross-entropy/);
    const before = fromJSON(JSON.parse(readFileSync(EXAMPLE, 'utf8')));
    const after = fromJSON(JSON.parse(readFileSync(out, 'utf8')));
    expect(after.nodes.map((n) => n.op)).toContain('sigmoidCrossEntropyWithLogits');
    expect(after.nodes.map((n) => n.op)).not.toContain('sigmoid');
    // Same value at moderate inputs, computed by the interpreter from both files.
    const feeds = { x: [[0.5, -1, 2, 0.25], [1, 1, -0.5, 0]], y: [1, 0] };
    const was = evaluate(before.outputs[0]!, feeds).data[0]!;
    const now = evaluate(after.outputs[0]!, feeds).data[0]!;
    expect(Number.isFinite(was)).toBe(true);
    // float32: a few units in the last place apart at most.
    expect(Math.abs(now - was)).toBeLessThanOrEqual(1e-6 * Math.abs(was));
  });

  it('reads stdin and writes stdout: stabilize - | print -', async () => {
    const json = expectSuccess(await cli(['stabilize', '-'], readFileSync(EXAMPLE, 'utf8')));
    expect(fromJSON(JSON.parse(json)).nodes.map((n) => n.op)).toContain('sigmoidCrossEntropyWithLogits');
    const printed = expectSuccess(await cli(['print', '-'], json));
    expect(printed).toContain('sigmoidCrossEntropyWithLogits(');
  });
});

describe.concurrent('stablegrad print and summary', { timeout: 120_000 }, () => {
  it('print: one line per node, as written or stabilized', async () => {
    const text = expectSuccess(await cli(['print', EXAMPLE]));
    const g = fromJSON(JSON.parse(readFileSync(EXAMPLE, 'utf8')));
    expect(text.split('\n').filter((l) => l.startsWith('%'))).toHaveLength(g.nodes.length);
    expect(text).toContain('sigmoid(');
    expect(expectSuccess(await cli(['print', EXAMPLE, '--stabilize']))).toContain('sigmoidCrossEntropyWithLogits(');
  });

  it('summary of a model: layers, shapes, params as model.summary prints them, and the compile settings', async () => {
    const text = expectSuccess(await cli(['summary', model]));
    // 64 * 25 + 25 and 25 * 10 + 10, worked out by hand.
    expect(text).toMatch(/dense_1 \(dense, relu\)\s+\[batch, 25\]\s+1,625/);
    expect(text).toMatch(/dense_2 \(dense, softmax\)\s+\[batch, 10\]\s+260/);
    expect(text).toContain('Total params: 1,885');
    expect(text).toContain('Compiled: loss sparseCategoricalCrossentropy, stabilize on.');
    expect(expectSuccess(await cli(['summary', untrained]))).toContain('Not compiled.');
    expect(expectSuccess(await cli(['summary', '-'], readFileSync(model, 'utf8')))).toBe(text);
  });

  it('summary of a graph: inputs, params with their values, outputs, ops', async () => {
    const text = expectSuccess(await cli(['summary', EXAMPLE]));
    expect(text).toContain('x [batch, 4] float32');
    expect(text).toContain('Params (2, 5 values):');
    expect(text).toContain('loss: [] float32');
    expect(text).toMatch(/Ops: .*sigmoid ×1/);
  });
});

describe.concurrent('model files and stdin in dot and explain', { timeout: 120_000 }, () => {
  it('dot of a model labels each layer with type, activation, shape and params', async () => {
    const dot = expectSuccess(await cli(['dot', model, '--collapse']));
    expect(dot).toContain('label="dense_1\\ndense, relu\\n[batch, 25] · 1,625 params"');
    expect(dot).toContain('label="dense_2\\ndense, softmax\\n[batch, 10] · 260 params');
    const expanded = expectSuccess(await cli(['dot', '-'], readFileSync(model, 'utf8')));
    expect(expanded).toContain('graph [label="dense_1 · dense, relu · [batch, 25] · 1,625 params"');
  });

  it('dot --grad all of a model draws what training runs: the fused loss and its gradient, named', async () => {
    const dot = expectSuccess(await cli(['dot', model, '--grad', 'all']));
    expect(dot).toContain('class="op fused"');
    expect(dot).toMatch(/sparseSoftmaxCrossEntropyGrad[^"]*grad of sparseSoftmaxCrossEntropy/);
    expect(dot).toContain('grad of relu');
    expect(dot).toContain('look_gradient');
    expectFailure(await cli(['dot', model, '--grad', 'kernel']), 2, 'for a model file, --grad all');
    expectFailure(await cli(['dot', untrained, '--grad', 'all']), 1, 'saved without compile');
  });

  it('explain --json: the stabilize firings as data; --all adds the other phases', async () => {
    const report = JSON.parse(expectSuccess(await cli(['explain', EXAMPLE, '--json']))) as { phases: { name: string }[]; firings: { phase: string; rule: string; before: string; after: string }[] };
    expect(report.phases.map((p) => p.name)).toEqual(['canonicalize', 'stabilize', 'simplify']);
    expect(report.firings.length).toBeGreaterThan(0);
    expect(report.firings.every((f) => f.phase === 'stabilize')).toBe(true);
    expect(report.firings.map((f) => f.rule)).toContain('binary-cross-entropy');
    const all = JSON.parse(expectSuccess(await cli(['explain', EXAMPLE, '--json', '--all']))) as typeof report;
    expect(all.firings.length).toBeGreaterThan(report.firings.length);
    const fromModel = JSON.parse(expectSuccess(await cli(['explain', '-', '--json'], readFileSync(model, 'utf8')))) as typeof report;
    expect(fromModel.firings.map((f) => f.rule).some((r) => r.includes('cross-entropy'))).toBe(true);
  });

  it('a graph built by hand and piped in is drawn like the same file', async () => {
    const x = input(['batch', 2], { name: 'x' });
    const y = input(['batch'], { name: 'y' });
    const p = scope('dense', () => sigmoid(x.matmul(param(tensor([[1], [2]]), { name: 'W' })).reshape(['batch'])));
    const loss = scope('bce', () => neg(mean(mul(y, log(p)).add(mul(sub(1, y), log(sub(1, p)))))));
    const file = join(dir, 'hand.json');
    const text = JSON.stringify(toJSON(graph({ loss })));
    writeFileSync(file, text);
    expect(expectSuccess(await cli(['dot', '-', '--stabilize'], text))).toBe(expectSuccess(await cli(['dot', file, '--stabilize'])));
  });
});

describe('hostile inputs: one clean line, the right status', () => {
  const commands = ['dot', 'explain', 'stabilize', 'print', 'summary', 'lint', 'export'];
  const extra = (command: string) => (command === 'export' ? ['-o', join(dir, 'never.onnx')] : []);

  it.each(commands)('%s: a missing file, and a wrong format tag on stdin', async (command) => {
    expectFailure(await cli([command, join(dir, 'nope.json'), ...extra(command)]), 1, /cannot read .*nope\.json: no such file or directory/);
    expectFailure(await cli([command, '-', ...extra(command)], '{"format": "keras-model", "layers": []}'), 1, 'stdin has format "keras-model": expected "stablegrad-graph"');
  }, 120_000);

  it.each(['dot', 'summary'])('%s: a directory, invalid JSON, an empty stdin, a broken model', async (command) => {
    expectFailure(await cli([command, dir]), 1, 'it is a directory');
    const bad = join(dir, `bad-${command}.json`);
    writeFileSync(bad, '{"format": "stablegrad-graph", ');
    expectFailure(await cli([command, bad]), 1, 'is not valid JSON');
    expectFailure(await cli([command, '-'], '{ nope'), 1, 'stdin is not valid JSON');
    expectFailure(await cli([command, '-']), 1, 'stdin is empty');
    expectFailure(await cli([command, '-'], '{"format": "stablegrad-model", "version": 1}'), 1, /^stablegrad: stdin: \$\./);
  }, 120_000);

  it('a file above the size limit is refused before it is read', async () => {
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 300 * 1024 * 1024); // sparse: no disk space used
    try {
      for (const command of ['dot', 'summary', 'stabilize']) expectFailure(await cli([command, huge]), 1, /huge\.json: it is 314,572,800 bytes, above the limit of 268,435,456/);
    } finally {
      rmSync(huge);
    }
  }, 120_000);

  it('unknown flags and missing values are usage errors (status 2)', async () => {
    expectFailure(await cli(['stabilize', EXAMPLE, '--frobnicate']), 2, 'stabilize: unknown option "--frobnicate"');
    expectFailure(await cli(['stabilize', EXAMPLE, '-o']), 2, 'option "-o" needs a value');
    expectFailure(await cli(['print', EXAMPLE, '-o', 'x']), 2, 'print: unknown option "-o"');
    expectFailure(await cli(['summary']), 2, 'summary: missing model or graph file');
    expectFailure(await cli(['explain', EXAMPLE, '--json=yes']), 2, '"--json" takes no value');
  }, 120_000);

  it('a failed stabilize -o leaves no file behind', async () => {
    const sub = mkdtempSync(join(dir, 'out-'));
    expectFailure(await cli(['stabilize', join(dir, 'nope.json'), '-o', join(sub, 'out.json')]), 1, 'cannot read');
    expect(readdirSync(sub)).toEqual([]);
  }, 120_000);
});
