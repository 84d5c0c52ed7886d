/**
 * The text inside nodes: the op (its own `dot` label from the op definition), the node's name,
 * its shape and dtype, its overlay value and note, the rules that produced it and its output
 * names, one per line.
 * @module
 */
import { type AttrValue, formatShape, isOpName, type Node, opDef } from '@stablegrad/core';
import { quoted } from './escape.js';
import type { DrawnNode } from './view.js';

/** The label of one node, as a DOT quoted string. */
export function nodeLabel(drawn: DrawnNode): string {
  const { node } = drawn;
  const lines = [opText(node)];
  // A node's name defaults to its op's name, and a node a rule built inherits the name of the
  // node it replaced (a fused `sparseSoftmaxCrossEntropy` named `softmaxCrossEntropyWithLogits`):
  // an op name there would only read as a second op.
  if (node.name !== node.op && !isOpName(node.name)) lines.push(node.name);
  lines.push(`${formatShape(node.shape)} ${node.dtype}`);
  if (drawn.origin !== undefined) lines.push(`grad of ${opName(drawn.origin)}`);
  const { heat } = drawn.look;
  if (heat !== undefined) lines.push(heat.text);
  if (heat?.note !== undefined) lines.push(heat.note);
  const rules = ruleNames(drawn);
  if (rules.length > 0) lines.push(`${rules.length === 1 ? 'rule' : 'rules'}: ${rules.join(', ')}`);
  if (drawn.outputNames.length > 0) lines.push(`output: ${drawn.outputNames.join(', ')}`);
  return quoted(lines);
}

/**
 * The tooltip of a node: its overlay value and note, what a fused gradient computes, then each
 * rule that built it with its doc; undefined when there is nothing to say.
 */
export function nodeTooltip(drawn: DrawnNode): string | undefined {
  const { heat } = drawn.look;
  const overlay = heat === undefined ? [] : [heat.note === undefined ? heat.text : `${heat.text}: ${heat.note}`];
  const lines = [...overlay, ...drawn.notes, ...new Set(drawn.firings.map((f) => `${f.rule}: ${f.doc}`))];
  return lines.length === 0 ? undefined : quoted(lines);
}

/** The names of the rules that produced a node, each once, in firing order. */
export function ruleNames(drawn: DrawnNode): string[] {
  return [...new Set(drawn.firings.map((f) => f.rule))];
}

/**
 * The op of a node as its label's first line shows it: the op's own short name (`+`, `matmul`,
 * `sigmoidCrossEntropy`) then each attribute its op declares, by name: `softmax axis=1`,
 * `sum axes=[0]`, `transpose perm=[1, 0]`, `cast dtype=float64`; a true flag by its bare
 * name (`keepDims`), a false one not at all. Sources (`input`, `param`, `const`) show their
 * shape and dtype on their own line instead.
 */
export function opText(node: Node): string {
  const def = opDef(node.op);
  if (node.inputs.length === 0) return def.dot(node.attrs);
  const words = [opName(node)];
  for (const name of Object.keys(def.attrs)) {
    const value = node.attrs[name];
    if (value === undefined || value === false) continue;
    words.push(value === true ? name : `${name}=${attributeText(value)}`);
  }
  return words.join(' ');
}

/** The op of a node without its attributes: `+`, `matmul`, `softmax`. */
export function opName(node: Node): string {
  return opDef(node.op).dot(node.attrs).split(' ')[0]!;
}

function attributeText(value: AttrValue): string {
  return typeof value === 'object' ? `[${value.join(', ')}]` : String(value);
}
