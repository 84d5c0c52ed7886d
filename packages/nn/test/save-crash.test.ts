/**
 * Crash safety (issue 11): a child process saving a 4 MB model over and over is killed with
 * SIGKILL at a random moment; the target is always one whole file — the previous one byte for
 * byte, or one of the two the child was writing — never a truncated mix.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dense, sequential } from '@stablegrad/nn';
import { afterAll, describe, expect, it } from 'vitest';
import { testRandom } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'stablegrad-nn-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'save-loop.mjs');

/** Runs the child until it says ready, lets it save for `delayMs`, then kills it with SIGKILL. */
function killDuringSaves(target: string, refB: string, refC: string, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, target, refB, refC], { stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (d: Buffer) => { errors += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the child exited without being killed: ${errors}`))));
  });
}

describe('save survives SIGKILL', () => {
  it('the target is always a whole file: the previous one byte for byte, or a new one', async () => {
    const target = join(dir, 'model.json');
    const refB = join(dir, 'ref-b.json');
    const refC = join(dir, 'ref-c.json');
    sequential([dense({ units: 800 }), dense({ units: 10 })], { inputShape: [1000], seed: 1 }).save(target);
    const a = readFileSync(target);
    expect(a.length).toBeGreaterThan(4e6);
    const random = testRandom(11);
    const seen = new Set<string>();
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = readFileSync(target);
      await killDuringSaves(target, refB, refC, Math.floor(random() * 300));
      const after = readFileSync(target);
      const whole = [['previous', before], ['b', readFileSync(refB)], ['c', readFileSync(refC)]] as const;
      const match = whole.find(([, bytes]) => after.equals(bytes));
      expect(match, `attempt ${attempt}: the target (${after.length} bytes) is not a whole file`).toBeDefined();
      seen.add(match![0]);
    }
    expect(a.equals(readFileSync(refB))).toBe(false);
    // A killed save may leave its temporary file; never the target's name half-written.
    expect(readdirSync(dir).filter((f) => !f.endsWith('.tmp')).sort()).toEqual(['model.json', 'ref-b.json', 'ref-c.json']);
  }, 60_000);
});
