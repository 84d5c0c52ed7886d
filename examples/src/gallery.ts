/**
 * `npm run docs:gallery`: renders the pictures of docs/gallery.md with `@stablegrad/dot`. The
 * main model is the example graph `naive-bce` (examples/src/graphs.ts, also the CLI's example
 * file): a dense layer and a binary cross-entropy written by hand in probability space. It is
 * drawn as written, after `stabilize`, as one before/after picture, and with its gradients,
 * naive (core's `grad` of the graph as written) and prepared (`prepareTraining`: stabilize,
 * grad, simplify). The example `keras-cce`, a clipped categorical cross-entropy, is shown
 * before/after `stabilize` and with its prepared gradients.
 * Prints the files it makes; with `--write` it writes docs/gallery.md and docs/gallery/*.svg.
 * A test renders them again and compares them with the committed files.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { grad, graph, type Node } from '@stablegrad/core';
import { renderSvg, toDiffDot, toDot } from '@stablegrad/dot';
import { explain, formatExpression, prepareTraining, stabilize } from '@stablegrad/rewrite';
import { kerasCce, naiveBce } from './graphs.js';

/** One picture of the gallery. */
interface Picture {
  /** File name under docs/gallery/, without `.svg`. */
  readonly name: string;
  readonly title: string;
  /** What the picture shows (markdown). */
  readonly caption: string;
  readonly dot: string;
}

/** The params of a graph, in graph order. */
function paramsOf(nodes: readonly Node[]): Node[] {
  return nodes.filter((n) => n.op === 'param');
}

/** The gallery's pictures (DOT text) and the report text shown beside them. */
function pictures(): { pictures: Picture[]; explained: string; stabilized: string } {
  const before = naiveBce();
  const loss = before.outputs[0]!;
  const { graph: after, report } = stabilize(before);
  const params = paramsOf(before.nodes);
  const naiveGradients = grad(loss, params);
  const naiveTraining = graph(Object.fromEntries([['loss', loss], ...params.map((p, i) => [`grad(${p.path})`, naiveGradients[i]!])]));
  const training = prepareTraining({ loss, params });
  const cce = kerasCce();
  const cceLoss = cce.outputs[0]!;
  const { graph: cceAfter, report: cceReport } = stabilize(cce);
  const cceTraining = prepareTraining({ loss: cceLoss, params: paramsOf(cce.nodes) });
  return {
    explained: explain(report, { phases: ['stabilize'] }),
    stabilized: formatExpression(after.outputs[0]!),
    pictures: [
      {
        name: 'naive-bce', title: 'as written',
        caption: 'The model as written: `z = x W + b` in scope `dense`, then `-mean(y log(sigmoid(z)) + (1 - y) log(1 - sigmoid(z)))` in scope `bce`. Inputs, params and constants have their own shapes and colours; scopes are clusters.',
        dot: toDot(before, { title: 'naive BCE, as written' }),
      },
      {
        name: 'naive-bce-stabilized', title: 'after stabilize',
        caption: 'After `stabilize`: the whole loss is one fused `sigmoidCrossEntropyWithLogits` node, highlighted in orange, with the name of the rule that produced it (its doc is the tooltip). The `mean` above it, rebuilt by `negation-out-of-reduction` (which moved the negation out of it), is drawn in light orange: rewritten, but not a fused op.',
        dot: toDot(after, { report, title: 'after stabilize' }),
      },
      {
        name: 'naive-bce-diff', title: 'before and after, one picture',
        caption: '`toDiffDot(before, after, { report })`: removed nodes are greyed out and dashed, added nodes are green, unchanged nodes are drawn as usual.',
        dot: toDiffDot(before, after, { report, title: 'stabilize: before and after' }),
      },
      {
        name: 'naive-bce-gradients-naive', title: 'gradients of the graph as written',
        caption: "Core's `grad` of the loss as written: the gradient nodes (dashed) divide by `sigmoid(z)` and `1 - sigmoid(z)`, which are 0 once the sigmoid saturates, so the gradient is NaN there.",
        dot: toDot(naiveTraining, { forward: [loss], title: 'grad of the naive loss' }),
      },
      {
        name: 'naive-bce-gradients', title: 'gradients after prepareTraining',
        caption: '`prepareTraining({ loss, params })`: stabilize, then `grad`, then simplify. The gradient with respect to the logits is one fused `sigmoidCrossEntropyGrad` node, `sigmoid(z) - y` (its tooltip), highlighted like the fused loss and scaled by `1 / n` for the mean: no division, finite everywhere. The product simplify rebuilt is drawn in light orange with its rule.',
        dot: toDot(training.graph, { forward: [training.loss], report: training.report, title: 'prepareTraining: loss and gradients' }),
      },
      {
        name: 'keras-cce-diff', title: 'categorical cross-entropy, Keras style: before and after',
        caption: 'The example graph `keras-cce`: a dense layer with 3 classes and `-mean(sum(y log(clip(softmax(z), 1e-7, 1 - 1e-7))))`, as Keras computes it from probabilities. `stabilize` drops the clip, fuses `log(softmax(z))` and then the whole sum into one `softmaxCrossEntropyWithLogits` node (green, with its rule).',
        dot: toDiffDot(cce, cceAfter, { report: cceReport, title: 'keras-cce: stabilize, before and after' }),
      },
      {
        name: 'keras-cce-gradients', title: 'categorical cross-entropy: gradients after prepareTraining',
        caption: 'The gradient with respect to the logits is one fused `softmaxCrossEntropyGrad` node (`softmax(z) - y` for labels that sum to 1), scaled by `1 / n` for the mean. The clipped loss as written has a zero gradient wherever the clip is active; this one never vanishes.',
        dot: toDot(cceTraining.graph, { forward: [cceTraining.loss], report: cceTraining.report, title: 'keras-cce: prepareTraining, loss and gradients' }),
      },
    ],
  };
}

/**
 * The gallery's files, by path relative to the repository root: docs/gallery.md and one SVG
 * per picture under docs/gallery/.
 * @example
 * ```ts
 * for (const [path, text] of await galleryFiles()) writeFileSync(path, text);
 * ```
 */
export async function galleryFiles(): Promise<Map<string, string>> {
  const { pictures: list, explained, stabilized } = pictures();
  const files = new Map<string, string>();
  const md = [
    '# Gallery',
    '',
    '<!-- Generated by `npm run docs:gallery` (examples/src/gallery.ts); do not edit. -->',
    '',
    'Pictures drawn by `@stablegrad/dot` (`toDot`, `toDiffDot`, rendered to SVG by `renderSvg` with Graphviz compiled',
    'to WebAssembly). The main model is the example graph `naive-bce` (`examples/src/graphs.ts`, saved as',
    '`examples/graphs/naive-bce.json` for the command line): a dense layer and a binary cross-entropy written by',
    'hand in probability space, the form that is `Infinity` or `NaN` in float32 as soon as a logit exceeds ~17.',
    'The last two pictures show `keras-cce`, a categorical cross-entropy computed from clipped probabilities.',
    'Fused ops built by `stabilize`, and fused gradients, are orange; other nodes a rule rebuilt are light orange;',
    'gradient nodes are violet and dashed.',
    'The same pictures come from the command line:',
    '',
    '```sh',
    'npx stablegrad dot examples/graphs/naive-bce.json -o naive-bce.svg',
    'npx stablegrad dot examples/graphs/naive-bce.json --stabilize --diff -o naive-bce-diff.svg',
    'npx stablegrad dot examples/graphs/naive-bce.json --stabilize --grad all -o naive-bce-gradients.svg',
    '```',
    '',
    `\`stabilize\` turns the loss into \`${stabilized}\`. What \`explain(report, { phases: ['stabilize'] })\` prints:`,
    '',
    '```text',
    explained.trimEnd(),
    '```',
    '',
  ];
  for (const picture of list) {
    const svg = await renderSvg(picture.dot);
    files.set(`docs/gallery/${picture.name}.svg`, svg.endsWith('\n') ? svg : `${svg}\n`);
    md.push(`## ${picture.title}`, '', picture.caption, '', `![${picture.title}](gallery/${picture.name}.svg)`, '');
  }
  files.set('docs/gallery.md', md.join('\n'));
  return files;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const files = await galleryFiles();
  for (const [path, text] of files) {
    if (process.argv.includes('--write')) {
      mkdirSync(dirname(`${root}${path}`), { recursive: true });
      writeFileSync(`${root}${path}`, text);
    }
    console.log(`${process.argv.includes('--write') ? 'written' : 'rendered'} ${path} (${text.length} characters)`);
  }
}
