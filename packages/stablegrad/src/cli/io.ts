/**
 * Files for the command line: reading a graph saved with core's `toJSON`, and writing results
 * atomically (to a temporary file in the target's directory, then a rename), so that a failed
 * run never leaves a partial or truncated output file behind.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fromJSON, type Graph, GraphError } from '@stablegrad/core';

/** Bad input (a file that cannot be read, invalid JSON, an invalid graph): exit status 1. */
export class InputError extends Error {
  override name = 'InputError';
}

/**
 * Reads and validates a graph file. Every failure is an `InputError` whose message names the
 * file and, for an invalid graph, the JSON path of the offending field.
 * @example
 * ```ts
 * const g = await readGraphFile('examples/graphs/naive-bce.json');
 * ```
 */
export async function readGraphFile(file: string): Promise<Graph> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${file}: ${systemReason(e)}`);
  }
  let json: unknown;
  try {
    // A UTF-8 byte-order mark (as some Windows editors write) is not part of the JSON text.
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new InputError(`${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    return fromJSON(json);
  } catch (e) {
    // GraphError messages start with the JSON path, e.g. `$.nodes[3].inputs[0]: ...`.
    if (e instanceof GraphError) throw new InputError(`${file} is not a valid stablegrad graph: ${e.message}`);
    throw e;
  }
}

/**
 * Writes `text` to `file` atomically: a temporary file next to it (same directory, so the rename
 * cannot cross file systems), then a rename over the target. On failure the temporary file is
 * removed and the target is untouched.
 * @example
 * ```ts
 * await writeFileAtomic('out/graph.svg', svg);
 * ```
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = dirname(file);
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new InputError(`cannot write ${file}: ${dir} is not a directory`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot write ${file}: ${systemReason(e, `the directory ${dir} does not exist`)}`);
  }
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
    await rename(temp, file);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw new InputError(`cannot write ${file}: ${systemReason(e)}`);
  }
}

// Node's fs errors carry a code; say it in words, without the syscall and path noise.
function systemReason(e: unknown, notFound = 'no such file or directory'): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
  switch (code) {
    case 'ENOENT': return notFound;
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ENOSPC': return 'no space left on the device';
    default: return e instanceof Error ? e.message : String(e);
  }
}
