/**
 * The machine and library versions, printed at the top of every run so that numbers from
 * different machines are not compared by mistake.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * What the numbers were measured on.
 * @example
 * ```ts
 * machineInfo().cores; // 2
 * ```
 */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  /** Versions of the peer libraries, by package name ('missing' when not installed). */
  readonly libraries: { readonly [name: string]: string };
}

const PEERS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@jax-js/jax'];

/**
 * Describes this machine.
 * @example
 * ```ts
 * formatMachine(machineInfo()); // 'AMD EPYC, 2 cores, node v20.20.2, linux 6.8 ...'
 * ```
 */
export function machineInfo(): MachineInfo {
  const libraries = Object.fromEntries(PEERS.map((name) => [name, versionOf(name)]));
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    libraries,
  };
}

/**
 * One line for the top of the table.
 * @example
 * ```ts
 * console.log(formatMachine(machineInfo()));
 * ```
 */
export function formatMachine(m: MachineInfo): string {
  const libs = Object.entries(m.libraries).map(([name, v]) => `${name} ${v}`).join(', ');
  return `machine: ${m.cpu}, ${m.cores} cores, node ${m.node}, ${m.platform}\nlibraries: ${libs}`;
}

// Some packages do not export their package.json: find it above the resolved entry point.
function versionOf(name: string): string {
  try {
    let dir = path.dirname(createRequire(import.meta.url).resolve(name));
    while (dir !== path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (existsSync(file)) {
        const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (manifest.name === name) return manifest.version ?? 'unknown';
      }
      dir = path.dirname(dir);
    }
    return 'unknown';
  } catch {
    return 'missing';
  }
}
