/**
 * The errors of the layers package. Each names what it concerns: the argument (`x`, `y`), the
 * row or label at fault, the layer, the epoch and batch, or the file and JSON field.
 * @module
 */
import { StablegradError } from '@stablegrad/core';

/**
 * Training or evaluation data that cannot be used: row counts that differ, a wrong feature
 * count, labels out of range, NaN or Infinity in the inputs. Thrown before any step runs.
 * @example
 * ```ts
 * model.fit(x, y.slice(1));
 * // DataError: x has 100 rows but y has 99; they must have one row per example
 * ```
 */
export class DataError extends StablegradError {
  override name = 'DataError';
}

/**
 * Training went wrong while running: the loss became NaN or Infinity. The message names the
 * epoch and the batch, and the weights are left as they were before that batch's update.
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 10 });
 * // TrainingError: the loss became NaN at epoch 3, batch 7 (rows 192-223 of the epoch's order); training stopped; ...
 * ```
 */
export class TrainingError extends StablegradError {
  override name = 'TrainingError';
}

/**
 * A model used the wrong way: `fit` before `compile`, an unknown activation, a layer config
 * that does not fit the layer before it.
 * @example
 * ```ts
 * await model.fit(x, y); // ModelError: fit: the model is not compiled; call model.compile({ loss, optimizer }) first
 * ```
 */
export class ModelError extends StablegradError {
  override name = 'ModelError';
}

/**
 * A saved model file that cannot be read: not JSON, a wrong format tag, a missing or malformed
 * field (the message starts with the file and the JSON path, e.g. `model.json: $.layers[1].units`),
 * or weights whose count does not match their shape.
 * @example
 * ```ts
 * loadModel('broken.json');
 * // ModelFormatError: broken.json: $.weights[0].data: expected 1600 float32 values (6400 bytes), found 6396 bytes
 * ```
 */
export class ModelFormatError extends StablegradError {
  override name = 'ModelFormatError';
}

/**
 * A file that could not be written: a missing directory, a path that is a directory, no
 * permission, no space left. The message names the file and says why in words; the file
 * that was there before (if any) is untouched.
 * @example
 * ```ts
 * model.save('missing/dir/model.json');
 * // FileWriteError: save: cannot write missing/dir/model.json: the directory missing/dir does not exist
 * ```
 */
export class FileWriteError extends StablegradError {
  override name = 'FileWriteError';
  /** The cause in words (`the directory out does not exist`, `permission denied`), without the file. */
  readonly reason: string;
  constructor(message: string, reason: string) {
    super(message);
    this.reason = reason;
  }
}

/**
 * A Node-only API (one that reads or writes files) called where there is no Node file system: a
 * browser page. The message names the call and what to use in a page instead (`saveModelToBlob`,
 * `loadModelFromUrl`, ...).
 * @example
 * ```ts
 * model.save('model.json'); // in a browser:
 * // NodeOnlyError: save: writing model.json needs Node's file system (node:fs), which this environment lacks; in a page, save with saveModelToString or saveModelToBlob
 * ```
 */
export class NodeOnlyError extends StablegradError {
  override name = 'NodeOnlyError';
}
