/**
 * Crash-safe file writes: the data goes to a temporary file in the target's own directory (so
 * the rename cannot cross file systems), is flushed to the disk (`fsync`), and only then renamed
 * over the target, and the directory entry is flushed too. A kill, a full disk or a file-size
 * limit at any moment leaves either the previous file, byte for byte, or the new one — never a
 * truncated mix. A process killed mid-write may leave its `.<name>.<pid>.<random>.tmp` behind.
 * Node-only (this module imports `node:fs`): the package reaches it through `#file-system`,
 * whose browser twin throws a NodeOnlyError instead. The command line shares it.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileWriteError } from './errors.js';
import { systemReason } from './system-reason.js';

/**
 * Writes `data` to `file` atomically (temporary file, fsync, rename). Failures are a
 * `FileWriteError` whose message starts with `what` (`save`, `modelCheckpoint`) and names the
 * file; the target is then untouched and the temporary file removed.
 * @example
 * ```ts
 * writeFileAtomicSync('model.json', JSON.stringify(modelToJSON(model)), 'save');
 * ```
 */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, what = 'write'): void {
  const fail = (reason: string): never => {
    throw new FileWriteError(`${what}: cannot write ${file}: ${reason}`, reason);
  };
  const dir = dirname(file);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (e) {
    return fail(systemReason(e, `the directory ${dir} does not exist`));
  }
  if (!isDirectory) fail(`${dir} is not a directory`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    for (let offset = 0; offset < bytes.length;) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, file);
  } catch (e) {
    if (fd !== undefined) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { unlinkSync(temp); } catch { /* it may not exist */ }
    fail(systemReason(e));
  }
  syncDirectory(dir);
}

// The rename is durable only once the directory is flushed; some systems (Windows) cannot open
// a directory for that, and the write itself has succeeded, so a failure here is not reported.
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported here
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
