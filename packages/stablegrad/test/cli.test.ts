// The built `stablegrad` command line, run as a child process: help texts, the dot and explain
// commands on the example graph, and every failure mode (exit status, exactly one line on
// stderr, no stack trace, no output file left behind).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/graphs/naive-bce.json');
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty directory, removed after the tests. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stablegrad-cli-'));
  dirs.push(dir);
  return dir;
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/cli/main.js ...args` (asynchronously, so the tests below run concurrently). */
function cli(...args: string[]): Promise<Run> {
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
  });
}

function expectSuccess(r: Run): string {
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Exit status `status`, nothing on stdout, exactly one line on stderr matching `message`. */
function expectFailure(r: Run, status: 1 | 2, message: RegExp | string): void {
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  const lines = r.stderr.slice(0, -1).split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^stablegrad: \S/);
  expect(r.stderr).not.toMatch(/\bat .*:\d+:\d+/); // no stack frame
  if (typeof message === 'string') expect(lines[0]).toContain(message);
  else expect(lines[0]).toMatch(message);
  expect(r.status).toBe(status);
}

/** The example graph file with `edit` applied to its JSON, saved in a temp dir. */
function editedExample(edit: (json: { nodes: { inputs: number[] }[]; outputs: { name: string; node: number }[] }) => void): string {
  const json = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Parameters<typeof edit>[0];
  edit(json);
  const file = join(tempDir(), 'edited.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

/** Node statements of a DOT text: `<id> [` at the start of a line (edges have `->`). */
function nodeCount(dot: string): number {
  return dot.split('\n').filter((line) => /^\s*("[^"]*"|\w+)\s*\[/.test(line) && !/^\s*(graph|node|edge)\s*\[/.test(line)).length;
}

describe.concurrent('help and version', () => {
  it('--help lists the commands and the global options', async () => {
    const text = expectSuccess(await cli('--help'));
    expect(text).toContain('Usage: stablegrad <command>');
    expect(text).toMatch(/^\s+dot\s+\S/m);
    expect(text).toMatch(/^\s+explain\s+\S/m);
    expect(text).toContain('--version');
    expect(expectSuccess(await cli('-h'))).toBe(text);
    expect(expectSuccess(await cli('help'))).toBe(text);
  });

  it('dot --help lists every dot option', async () => {
    const text = expectSuccess(await cli('dot', '--help'));
    expect(text).toContain('Usage: stablegrad dot <graph.json|model.json|->');
    for (const option of ['--stabilize', '--grad', '--diff', '--collapse', '--rankdir', '-o, --out']) expect(text).toContain(option);
    expect(expectSuccess(await cli('help', 'dot'))).toBe(text);
    // --help wins over everything else, even a missing file.
    expect(expectSuccess(await cli('dot', 'missing.json', '--help'))).toBe(text);
  });

  it('explain --help describes explain', async () => {
    const text = expectSuccess(await cli('explain', '--help'));
    expect(text).toContain('Usage: stablegrad explain <graph.json|model.json|->');
    expect(text).toContain('stabilize');
  });

  it('--version prints the package version', async () => {
    expect(expectSuccess(await cli('--version'))).toBe(`${VERSION}\n`);
    expect(expectSuccess(await cli('-v'))).toBe(`${VERSION}\n`);
  });

  it('the workspace bin is linked: node_modules/.bin/stablegrad runs the built CLI', async () => {
    const r = spawnSync(join(ROOT, 'node_modules/.bin/stablegrad'), ['--version'], { encoding: 'utf8', cwd: ROOT });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${VERSION}\n`);
  });
});

describe.concurrent('stablegrad dot', () => {
  it('writes the graph as written to stdout', async () => {
    const dot = expectSuccess(await cli('dot', EXAMPLE));
    expect(dot.startsWith('digraph')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    expect(dot).toContain('sigmoid');
    expect(dot).not.toContain('sigmoidCrossEntropyWithLogits');
    expect(nodeCount(dot)).toBe(19); // the file holds 19 nodes
  });

  it('--stabilize draws the fused op and names the rule', async () => {
    const dot = expectSuccess(await cli('dot', EXAMPLE, '--stabilize'));
    expect(dot.startsWith('digraph')).toBe(true);
    expect(dot).toContain('sigmoidCrossEntropyWithLogits');
    expect(dot).toContain('binary-cross-entropy');
    expect(nodeCount(dot)).toBeLessThan(19);
  });

  it('--grad all adds the gradient nodes; --grad accepts names and paths', async () => {
    const forward = nodeCount(expectSuccess(await cli('dot', EXAMPLE)));
    const all = expectSuccess(await cli('dot', EXAMPLE, '--grad', 'all'));
    expect(all.startsWith('digraph')).toBe(true);
    expect(nodeCount(all)).toBeGreaterThan(forward);
    const both = expectSuccess(await cli('dot', EXAMPLE, '--grad', 'W,dense/b'));
    expect(both).toBe(all);
    expect(expectSuccess(await cli('dot', EXAMPLE, '--grad=W', '--grad', 'b'))).toBe(all);
    const onlyW = expectSuccess(await cli('dot', EXAMPLE, '--grad', 'W'));
    expect(nodeCount(onlyW)).toBeLessThan(nodeCount(all));
  });

  it('--grad all --stabilize differentiates the fused loss', async () => {
    const dot = expectSuccess(await cli('dot', EXAMPLE, '--grad', 'all', '--stabilize'));
    expect(dot).toContain('sigmoidCrossEntropyWithLogits');
    expect(dot).toContain('sigmoidCrossEntropyGrad');
    // Without --stabilize the gradient divides by probabilities instead.
    expect(expectSuccess(await cli('dot', EXAMPLE, '--grad', 'all'))).not.toContain('sigmoidCrossEntropyGrad');
  });

  it('--diff draws the removed and the added nodes in one picture', async () => {
    const dot = expectSuccess(await cli('dot', EXAMPLE, '--diff'));
    expect(dot.startsWith('digraph')).toBe(true);
    expect(dot).toMatch(/\blog\b/); // removed
    expect(dot).toContain('sigmoidCrossEntropyWithLogits'); // added
    expect(nodeCount(dot)).toBeGreaterThan(nodeCount(expectSuccess(await cli('dot', EXAMPLE, '--stabilize'))));
  });

  it('--rankdir and --collapse reach the DOT', async () => {
    expect(expectSuccess(await cli('dot', EXAMPLE, '--rankdir', 'LR'))).toMatch(/rankdir\s*=\s*"?LR/);
    const collapsed = expectSuccess(await cli('dot', EXAMPLE, '--grad', 'all', '--collapse'));
    expect(nodeCount(collapsed)).toBeLessThan(nodeCount(expectSuccess(await cli('dot', EXAMPLE, '--grad', 'all'))));
  });

  it('-o x.svg writes well-formed SVG, and nothing else, into the directory', async () => {
    const dir = tempDir();
    const out = join(dir, 'x.svg');
    expect(expectSuccess(await cli('dot', EXAMPLE, '--stabilize', '-o', out))).toBe('');
    const svg = readFileSync(out, 'utf8');
    expect(svg).toMatch(/^(<\?xml[^>]*>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--[^]*?-->\s*)*<svg[\s>]/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('sigmoidCrossEntropyWithLogits');
    expect(readdirSync(dir)).toEqual(['x.svg']);
  });

  it('-o x.dot writes the same DOT as stdout', async () => {
    const dir = tempDir();
    const out = join(dir, 'x.dot');
    expect(expectSuccess(await cli('dot', EXAMPLE, '--out', out))).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(expectSuccess(await cli('dot', EXAMPLE)));
    expect(readdirSync(dir)).toEqual(['x.dot']);
  });
});

describe.concurrent('stablegrad explain', () => {
  it('prints every rule that fired, by name', async () => {
    const text = expectSuccess(await cli('explain', EXAMPLE));
    for (const rule of ['log-sigmoid', 'one-minus-sigmoid', 'binary-cross-entropy']) expect(text).toContain(rule);
    expect(text).toMatch(/^1\. /);
    // Spelling changes of the canonicalize phase only with --all.
    expect(text).not.toContain('sub-to-add-neg');
    const all = expectSuccess(await cli('explain', EXAMPLE, '--all'));
    expect(all).toContain('sub-to-add-neg');
    expect(all).toContain('(canonicalize)');
  });
});

describe.concurrent('stablegrad lint', () => {
  it('flags the naive loss (exit 3), names the nodes, where, and that stabilize fixes them', async () => {
    const r = await cli('lint', EXAMPLE, '--range', 'y=0:1', '--samples', '120');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^lint: 120 samples \(seed 1/);
    expect(r.stdout).toMatch(/^!\s+bce\/sub\s+sub\s/m);
    expect(r.stdout).toMatch(/dense\/reshape/);
    expect(r.stdout).toMatch(/fixes it/);
    expect(r.stdout).toMatch(/the result is clean/);
  });

  it('exits 0 on a clean graph: the stabilized example, saved and linted again', async () => {
    const dir = tempDir();
    const stabilized = join(dir, 'stable.json');
    const { fromJSON, toJSON } = await import('@stablegrad/core');
    const { stabilize } = await import('@stablegrad/rewrite');
    writeFileSync(stabilized, JSON.stringify(toJSON(stabilize(fromJSON(JSON.parse(readFileSync(EXAMPLE, 'utf8')))).graph)));
    const r = await cli('lint', stabilized, '--range', 'y=0:1', '--samples', '80');
    expect(r.stdout).toMatch(/0 of \d+ nodes flagged/);
    expect(expectSuccess(r)).toMatch(/no stabilize rule applies; the result is clean/);
  });

  it('--grad lints loss and gradients, checked against prepareTraining with stabilize', async () => {
    const r = await cli('lint', EXAMPLE, '--range', 'y=0:1', '--samples', '60', '--grad', '--all');
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/grad\/dense\/matmul/);
    expect(r.stdout).toMatch(/the result is clean/);
  });

  it('--json prints the report as JSON; -o writes the picture with the overlay and legend', async () => {
    const dir = tempDir();
    const svg = join(dir, 'lint.svg');
    const r = await cli('lint', EXAMPLE, '--range', 'y=0:1', '--samples', '60', '--json', '-o', svg, '--seed', '5');
    expect(r.status).toBe(3);
    const json = JSON.parse(r.stdout) as { samples: number; seed: number; flagged: string[]; stabilized: { clean: boolean } };
    expect(json.samples).toBe(60);
    expect(json.seed).toBe(5);
    expect(json.flagged).toContain('bce/sub');
    expect(json.stabilized.clean).toBe(true);
    const picture = readFileSync(svg, 'utf8');
    expect(picture).toMatch(/^<svg|<\?xml/);
    expect(picture).toContain('flagged');
    expect(picture).toContain('local error (bits, worst over samples)');
    expect(readdirSync(dir)).toEqual(['lint.svg']);
  });

  it('a saved model file: its training loss and gradients on drawn inputs, checked against what it trains', async () => {
    const { dense, sequential, sparseCategoricalCrossentropy, adam } = await import('@stablegrad/nn');
    const model = sequential([dense({ units: 4, activation: 'relu' }), dense({ units: 3, activation: 'softmax' })], { inputShape: [5], seed: 1 });
    model.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam() });
    const file = join(tempDir(), 'small.model.json');
    model.save(file);
    const r = await cli('lint', file, '--samples', '30', '--json');
    const json = JSON.parse(r.stdout) as { samples: number; nodes: { path: string }[]; stabilized: { clean: boolean } };
    expect(json.samples).toBe(30);
    expect(json.nodes.map((n) => n.path)).toContain('grad/dense_2/matmul');
    expect(json.stabilized.clean).toBe(true);
    expect(r.status === 0 || r.status === 3).toBe(true);
  });

  it('bad options are usage errors (exit 2)', async () => {
    expectFailure(await cli('lint', EXAMPLE, '--range', 'y=1'), 2, /--range y must be min:max/);
    expectFailure(await cli('lint', EXAMPLE, '--samples', 'many'), 2, /--samples must be a whole number/);
    expectFailure(await cli('lint', EXAMPLE, '--samples', '1.5'), 2, /--samples must be a whole number/);
    expectFailure(await cli('lint', EXAMPLE, '--range', 'y=0:infinite'), 2, /--range y must be a number/);
    expectFailure(await cli('lint', EXAMPLE, '--dim', 'batch'), 2, /--dim must look like name=value/);
    expectFailure(await cli('lint', EXAMPLE, '-o', 'x.png'), 2, /cannot tell the format/);
  });

  it('bad values are input errors naming the option (exit 1)', async () => {
    expectFailure(await cli('lint', EXAMPLE, '--samples', '0'), 1, /samples must be a whole number >= 1/);
    expectFailure(await cli('lint', EXAMPLE, '--range', 'y=2:1'), 1, /ranges\.y must be \[min, max\]/);
    expectFailure(await cli('lint', EXAMPLE, '--range', 'yy=0:1'), 1, /ranges\.yy names no input of the graph \(inputs: 'x', 'y'\)/);
  });
});

describe.concurrent('failures: one line on stderr, the right exit status, no output file', () => {
  it('a missing file', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.svg');
    expectFailure(await cli('dot', join(dir, 'nope.json'), '-o', out), 1, /cannot read .*nope\.json: no such file/);
    expectFailure(await cli('explain', join(dir, 'nope.json')), 1, 'nope.json');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('invalid JSON', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"format": "stablegrad-graph", ');
    expectFailure(await cli('dot', file, '-o', join(dir, 'out.dot')), 1, /bad\.json is not valid JSON/);
    expectFailure(await cli('explain', file), 1, 'is not valid JSON');
    expect(readdirSync(dir)).toEqual(['bad.json']);
  });

  it('a graph file with a UTF-8 byte-order mark (as Windows editors save) loads', async () => {
    const file = join(tempDir(), 'bom.json');
    writeFileSync(file, `\ufeff${readFileSync(EXAMPLE, 'utf8')}`);
    const r = await cli('dot', file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^digraph stablegrad \{/);
  });

  it('an invalid graph names the JSON path of the bad field', async () => {
    const file = editedExample((json) => {
      json.nodes[5]!.inputs[0] = 99;
    });
    expectFailure(await cli('dot', file), 1, '$.nodes[5].inputs[0]');
    expectFailure(await cli('explain', file), 1, '$.nodes[5].inputs[0]');
    const notAGraph = join(tempDir(), 'other.json');
    writeFileSync(notAGraph, '{"hello": "world"}');
    expectFailure(await cli('dot', notAGraph), 1, '$.format');
  });

  it('an existing output file is left untouched when the run fails', async () => {
    const dir = tempDir();
    const out = join(dir, 'keep.dot');
    writeFileSync(out, 'old');
    const file = editedExample((json) => {
      json.nodes[5]!.inputs[0] = 99;
    });
    expectFailure(await cli('dot', file, '-o', out), 1, '$.nodes[5]');
    expect(readFileSync(out, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['keep.dot']);
  });

  const usageErrors: readonly (readonly [string[], string | RegExp])[] = [
    [['dot', EXAMPLE, '--frobnicate'], 'dot: unknown option "--frobnicate" (see stablegrad dot --help)'],
    [['dot', EXAMPLE, '-x'], 'unknown option "-x"'],
    [['explain', EXAMPLE, '--stabilize'], 'explain: unknown option "--stabilize"'],
    [['--frobnicate'], 'unknown option "--frobnicate"'],
    [['draw', EXAMPLE], 'unknown command "draw" (commands: dot, explain, stabilize, print, summary, lint, export)'],
    [[], 'missing command'],
    [['dot'], 'missing graph file'],
    [['dot', EXAMPLE, EXAMPLE], 'expected one graph file'],
    [['dot', EXAMPLE, '--rankdir', 'sideways'], '--rankdir must be one of TB, LR, BT, RL, found "sideways"'],
    [['dot', EXAMPLE, '--rankdir'], '"--rankdir" needs a value'],
    [['dot', EXAMPLE, '--stabilize=yes'], '"--stabilize" takes no value'],
    [['dot', EXAMPLE, '-o', 'a.dot', '-o', 'b.dot'], '"-o" is given twice'],
    [['dot', EXAMPLE, '--grad', 'nope'], /no param named "nope" \(params: dense\/W, dense\/b\)/],
    [['dot', EXAMPLE, '--grad', 'all,W'], '--grad all cannot be combined with param names'],
    [['dot', EXAMPLE, '--grad', 'all', '--diff'], 'cannot be combined with --grad'],
  ];
  const shown = (args: readonly string[]): string => args.map((a) => (a === EXAMPLE ? 'g.json' : a)).join(' ');
  it.each(usageErrors.map(([args, message]) => [shown(args), args, message] as const))('usage error (status 2): stablegrad %s', async (_, args, message) => {
    expectFailure(await cli(...args), 2, message);
  });

  it('an output file name without a known extension is a usage error', async () => {
    const dir = tempDir();
    expectFailure(await cli('dot', EXAMPLE, '-o', join(dir, 'out.png')), 2, 'use a .dot, .gv or .svg file name');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--grad of a non-scalar first output', async () => {
    const file = editedExample((json) => {
      // Output the per-example losses (node 16, shape [batch]) first, the mean second.
      json.outputs = [{ name: 'perExample', node: 16 }, ...json.outputs];
    });
    expect(expectSuccess(await cli('dot', file)).startsWith('digraph')).toBe(true);
    const dir = tempDir();
    expectFailure(await cli('dot', file, '--grad', 'all', '-o', join(dir, 'g.svg')), 1, /--grad needs a scalar first output, but output 'perExample'/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('-o into a missing directory creates nothing', async () => {
    const dir = tempDir();
    const out = join(dir, 'missing', 'x.svg');
    expectFailure(await cli('dot', EXAMPLE, '-o', out), 1, /cannot write .*x\.svg: the directory .*missing does not exist/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
