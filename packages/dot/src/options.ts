/**
 * Options shared by every view.
 * @module
 */
import type { Graph, Node } from '@stablegrad/core';
import type { RewriteReport } from '@stablegrad/rewrite';

/**
 * What to draw and how.
 * @example
 * ```ts
 * toDot(graph({ loss, dW }), { forward: [loss], rankdir: 'LR', edgeShapes: true });
 * ```
 */
export interface DotOptions {
  /** Direction of the layout: top to bottom (default), left to right, ... */
  readonly rankdir?: 'TB' | 'LR' | 'BT' | 'RL';
  /** Write each edge's shape (the shape of the value it carries) on it. */
  readonly edgeShapes?: boolean;
  /** A title drawn above the picture. */
  readonly title?: string;
  /**
   * The report of a rewrite (`stabilize(...).report`): fused ops that the `stabilize` phase
   * produced are highlighted (orange, class `fused`), other nodes a rule produced are drawn
   * lightly (class `rewritten`); both show the rule's name in their label and its doc in their
   * tooltip.
   */
  readonly report?: RewriteReport;
  /**
   * The forward graph (or its outputs), for a forward + gradient picture: nodes that these do
   * not depend on are gradient nodes, drawn dashed in another colour. Fused cross-entropies and
   * their fused gradients (`sigmoidCrossEntropyGrad`, ...) are highlighted as fused here, the
   * gradients with their formula as tooltip.
   */
  readonly forward?: Graph | readonly Node[];
  /** Draw each top-level scope as one box, so large graphs stay readable. */
  readonly collapseScopes?: boolean;
}
