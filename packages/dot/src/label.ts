/**
 * The text inside nodes: the op (its own `dot` label from the op definition), the node's name,
 * its shape and dtype, its overlay value and note, the rules that produced it and its output
 * names, one per line.
 * @module
 */
import { formatShape, opDef } from '@stablegrad/core';
import { quoted } from './escape.js';
import type { DrawnNode } from './view.js';

/** The label of one node, as a DOT quoted string. */
export function nodeLabel(drawn: DrawnNode): string {
  const { node } = drawn;
  const lines = [opDef(node.op).dot(node.attrs)];
  // A node's name defaults to its op's name; repeating it would only add noise.
  if (node.name !== node.op) lines.push(node.name);
  lines.push(`${formatShape(node.shape)} ${node.dtype}`);
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
