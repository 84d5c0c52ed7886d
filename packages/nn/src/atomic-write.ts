/**
 * Crash-safe file writes: the data goes to a temporary file in the target's own directory (so
 * the rename cannot cross file systems), is flushed to the disk (`fsync`), and only then renamed
 * over the target, and the directory entry is flushed too. A kill, a full disk or a file-size
 * limit at any moment leaves either the previous file, byte for byte, or the new one — never a
 * truncated mix. A process killed mid-write may leave its `.<name>.<pid>.<random>.tmp` behind.
 * Node-only (this module imports `node:fs`); the command line shares it.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileWriteError } from './errors.js';

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

/**
 * A Node file-system error in words, without the syscall and path noise.
 * @example
 * ```ts
 * systemReason(Object.assign(new Error('x'), { code: 'EACCES' })); // 'permission denied'
 * ```
 */
export function systemReason(e: unknown, notFound = 'no such file or directory'): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined;
  switch (code) {
    case 'ENOENT': return notFound;
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ENOSPC': return 'no space left on the device';
    case 'EFBIG': return 'the file is larger than the file-size limit';
    case 'EROFS': return 'the file system is read-only';
    default: return e instanceof Error ? e.message : String(e);
  }
}
