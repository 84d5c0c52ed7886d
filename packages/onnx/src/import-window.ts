/**
 * Importers of ONNX's NCHW Conv, MaxPool and AveragePool: the input is transposed to NHWC (and
 * a Conv's OIHW weights to HWIO), run through stablegrad's conv2d / maxPool2d / avgPool2d, and
 * transposed back. ONNX's padding becomes Keras' 'valid' or 'same' where it computes the same
 * windows (explicit pads equal to 'same''s leading padding and giving its output size, or
 * auto_pad SAME_UPPER); anything else is an OnnxImportError naming the node.
 * @module
 */
import { add, avgPool2d, conv2d, maxPool2d, type Node, type Padding, transpose } from '@stablegrad/core';
import { OnnxImportError } from './errors.js';
import type { ImportContext, Importer } from './import.js';

const decoder = new TextDecoder();

/** A string attribute (auto_pad), or `fallback`. */
function text(c: ImportContext, name: string, fallback: string): string {
  const a = c.attr(name);
  return a === undefined ? fallback : decoder.decode(a.s);
}

/** An `[h, w]` integer-list attribute, or `fallback`. */
function pair(c: ImportContext, name: string, fallback: readonly [number, number]): [number, number] {
  const list = c.intList(name);
  if (list === undefined || list.length === 0) return [...fallback];
  if (list.length !== 2) throw new OnnxImportError(`${c.where}: ${name} ${JSON.stringify(list)} is not 2-D; stablegrad has 2-D windows only`);
  return [list[0]!, list[1]!];
}

/** Keras' padding that computes the same windows as the node's ONNX padding. */
function padding(c: ImportContext, x: Node, k: readonly number[], strides: readonly number[], dilations: readonly number[]): Padding {
  const auto = text(c, 'auto_pad', 'NOTSET');
  if (auto === 'VALID') return 'valid';
  if (auto === 'SAME_UPPER') return 'same';
  if (auto !== 'NOTSET') throw new OnnxImportError(`${c.where}: auto_pad ${auto} puts the odd padding first; stablegrad's 'same' puts it last (SAME_UPPER)`);
  const pads = c.intList('pads') ?? [0, 0, 0, 0];
  if (pads.length !== 4) throw new OnnxImportError(`${c.where}: pads ${JSON.stringify(pads)} are not those of a 2-D window`);
  if (pads.every((p) => p === 0)) return 'valid';
  const sizes = [x.shape[2], x.shape[3]];
  const same = sizes.every((size, i) => {
    if (typeof size !== 'number') return false;
    const span = (k[i]! - 1) * dilations[i]! + 1;
    const out = Math.ceil(size / strides[i]!);
    const total = Math.max((out - 1) * strides[i]! + span - size, 0);
    const onnxOut = Math.floor((size + pads[i]! + pads[i + 2]! - span) / strides[i]!) + 1;
    return pads[i] === Math.floor(total / 2) && onnxOut === out;
  });
  if (!same) throw new OnnxImportError(`${c.where}: pads ${JSON.stringify(pads)} on input ${JSON.stringify(x.shape)} are neither none nor Keras' 'same' padding (odd padding at the end), the two stablegrad has`);
  return 'same';
}

function requireRank4(c: ImportContext, x: Node): void {
  if (x.rank !== 4) throw new OnnxImportError(`${c.where}: input of rank ${x.rank}; stablegrad imports 2-D (NCHW, rank 4) windows only`);
}

const toNhwc = (x: Node): Node => transpose(x, [0, 2, 3, 1]);
const toNchw = (x: Node): Node => transpose(x, [0, 3, 1, 2]);

/** ONNX Conv (group 1, 2-D) as conv2d between transposes, plus its bias. */
export const convImporter: Importer = (c) => {
  const x = c.input(0);
  const w = c.input(1);
  requireRank4(c, x);
  if (c.int('group', 1) !== 1) throw new OnnxImportError(`${c.where}: group ${c.int('group', 1)}; stablegrad's conv2d has no grouped (depthwise) convolution`);
  const k = [w.shape[2], w.shape[3]];
  if (!k.every((d): d is number => typeof d === 'number')) throw new OnnxImportError(`${c.where}: the weights need a static kernel size`);
  const strides = pair(c, 'strides', [1, 1]);
  const dilations = pair(c, 'dilations', [1, 1]);
  const y = conv2d(toNhwc(x), transpose(w, [2, 3, 1, 0]), { strides, dilations, padding: padding(c, x, k, strides, dilations) });
  return toNchw(c.has(2) ? add(y, c.input(2)) : y);
};

/** ONNX MaxPool / AveragePool (2-D, floor mode) as maxPool2d / avgPool2d between transposes. */
export function poolImporter(kind: 'max' | 'avg'): Importer {
  return (c) => {
    const x = c.input(0);
    requireRank4(c, x);
    if (c.node.output.length > 1 && c.node.output[1] !== '') throw new OnnxImportError(`${c.where}: the Indices output of MaxPool is not supported`);
    if (c.int('ceil_mode', 0) !== 0) throw new OnnxImportError(`${c.where}: ceil_mode 1 is not supported (stablegrad pools in floor mode, as Keras)`);
    const k = pair(c, 'kernel_shape', [0, 0]);
    if (k[0] < 1 || k[1] < 1) throw new OnnxImportError(`${c.where}: needs a kernel_shape of two sizes`);
    const dilations = pair(c, 'dilations', [1, 1]);
    if (dilations[0] !== 1 || dilations[1] !== 1) throw new OnnxImportError(`${c.where}: dilated pooling is not supported`);
    const strides = pair(c, 'strides', [1, 1]);
    const pad = padding(c, x, k, strides, dilations);
    if (kind === 'avg' && pad === 'same' && c.int('count_include_pad', 0) !== 0) {
      throw new OnnxImportError(`${c.where}: count_include_pad 1 divides by padded cells; stablegrad (as Keras) divides by the real ones`);
    }
    const options = { poolSize: k, strides, padding: pad };
    return toNchw(kind === 'max' ? maxPool2d(toNhwc(x), options) : avgPool2d(toNhwc(x), options));
  };
}
