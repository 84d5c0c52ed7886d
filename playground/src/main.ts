/**
 * The playground page: wires the controls to analysis.ts (parse, stabilize, explain, curves),
 * @stablegrad/dot (the before/after picture, rendered to SVG in the page by wasm Graphviz),
 * charts.ts (uPlot) and digits.ts (training in the page). Elements the browser test reads carry
 * `data-` attributes: `#diff[data-rendered]`, `#test-accuracy[data-accuracy]`,
 * `#expression-error[data-column]`.
 * @module
 */
import { type DType, ExpressionError } from '@stablegrad/core';
import { renderSvg } from '@stablegrad/dot';
import { type Analysis, analyze, curves, EXAMPLES, nonFinite } from './analysis.js';
import { comparisonChart, trainingChart } from './charts.js';
import graphvizWasmUrl from '@aduh95/viz.js/wasm?url';
import './style.css';

const POINTS = 401;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`playground: the page has no #${id}`);
  return found as T;
}

const exampleSelect = element<HTMLSelectElement>('example');
const dtypeSelect = element<HTMLSelectElement>('dtype');
const labelInput = element<HTMLInputElement>('label');
const fromInput = element<HTMLInputElement>('from');
const toInput = element<HTMLInputElement>('to');
const expressionBox = element<HTMLTextAreaElement>('expression');
const errorBox = element<HTMLPreElement>('expression-error');
const diffBox = element<HTMLDivElement>('diff');
const valueChart = comparisonChart(element('value-chart'), 'loss');
const gradientChart = comparisonChart(element('gradient-chart'), 'gradient of the loss');
const training = trainingChart(element('training-chart'));
/** Counts analyses, so that a slow picture of an older loss never replaces a newer one. */
let runs = 0;

element('isolation').textContent = globalThis.crossOriginIsolated ?
  'This page is cross-origin isolated: compiled training may use Web Worker threads.' :
  'This page is not cross-origin isolated (no COOP/COEP headers): training runs on one thread.';

for (const example of EXAMPLES) exampleSelect.add(new Option(example.title, example.id));
exampleSelect.addEventListener('change', () => loadExample(exampleSelect.value));
element('analyze').addEventListener('click', () => void run());
element('train').addEventListener('click', () => void train());
// A new dtype, label or range redraws at once; the text waits for the button (or Ctrl+Enter).
for (const control of [dtypeSelect, labelInput, fromInput, toInput]) control.addEventListener('change', () => void run());
expressionBox.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) { event.preventDefault(); void run(); }
});
loadExample(EXAMPLES[0]!.id);

function loadExample(id: string): void {
  const example = EXAMPLES.find((e) => e.id === id) ?? EXAMPLES[0]!;
  exampleSelect.value = example.id;
  expressionBox.value = example.text;
  fromInput.value = String(example.from);
  toInput.value = String(example.to);
  void run();
}

async function run(): Promise<void> {
  const thisRun = ++runs;
  let analysis: Analysis;
  try {
    analysis = analyze(expressionBox.value, dtypeSelect.value as DType);
    showError(undefined);
  } catch (e) {
    showError(e);
    return;
  }
  showRules(analysis);
  try {
    plot(analysis);
  } catch (e) {
    showError(e);
  }
  diffBox.removeAttribute('data-rendered');
  try {
    // Graphviz's wasm is one of the page's own assets (Vite copies it into dist/assets); made
    // absolute, since the Graphviz worker resolves it against its own script, not the page.
    const svg = await renderSvg(analysis.diffDot, { wasmUrl: new URL(graphvizWasmUrl, document.baseURI) });
    if (thisRun !== runs) return;
    // Parsed as SVG, not assigned as HTML: the picture is data, whatever its labels say.
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    diffBox.replaceChildren(document.importNode(doc.documentElement, true));
    diffBox.dataset.rendered = 'true';
  } catch (e) {
    diffBox.textContent = `The picture could not be drawn: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function showError(error: unknown): void {
  if (error === undefined) {
    errorBox.hidden = true;
    errorBox.textContent = '';
    delete errorBox.dataset.column;
    return;
  }
  errorBox.hidden = false;
  errorBox.textContent = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof ExpressionError) errorBox.dataset.column = String(error.column);
}

function showRules(analysis: Analysis): void {
  const list = element<HTMLOListElement>('rules');
  list.replaceChildren(...analysis.report.firings.map((f) => {
    const item = document.createElement('li');
    const name = document.createElement('strong');
    name.textContent = f.rule;
    const change = document.createElement('code');
    change.textContent = `${f.before}  →  ${f.after}`;
    item.append(name, ` (${f.phase}): `, change, document.createElement('br'), f.doc);
    return item;
  }));
  if (analysis.report.firings.length === 0) list.textContent = 'No rule fired: the loss was left as written.';
  element('explanation').textContent = analysis.explanation;
}

function plot(analysis: Analysis): void {
  const range = { from: Number(fromInput.value), to: Number(toInput.value), points: POINTS, label: Number(labelInput.value) };
  const c = curves(analysis, range);
  const name = analysis.sweep.name;
  valueChart.show(c.x, c.naiveValue, c.stableValue, name);
  gradientChart.show(c.x, c.naiveGradient, c.stableGradient, name);
  element('value-note').textContent = describeGaps('loss', name, c.x, c.naiveValue, c.stableValue, analysis.dtype);
  element('gradient-note').textContent = describeGaps('gradient', name, c.x, c.naiveGradient, c.stableGradient, analysis.dtype);
}

function describeGaps(what: string, name: string, x: Float64Array, naive: Float64Array, stable: Float64Array, dtype: DType): string {
  const n = nonFinite(naive, x);
  const s = nonFinite(stable, x);
  const written = n.count === 0 ? `The ${what} as written is finite at all ${x.length} points` :
    `The ${what} as written is NaN or infinite at ${n.count} of ${x.length} points (from ${name} = ${n.firstX}) in ${dtype}`;
  const stabilized = s.count === 0 ? 'the stabilized one everywhere.' : `the stabilized one at ${s.count} points (from ${name} = ${s.firstX}).`;
  return `${written}; ${stabilized}`;
}

async function train(): Promise<void> {
  const button = element<HTMLButtonElement>('train');
  const status = element('training-status');
  const output = element<HTMLOutputElement>('test-accuracy');
  const epochs = Number(element<HTMLInputElement>('epochs').value);
  button.disabled = true;
  training.clear();
  delete output.dataset.accuracy;
  delete output.dataset.loss;
  output.textContent = 'training...';
  try {
    // Loaded on the first click: the model, the optimizer and the data are not needed to explore losses.
    const { trainDigits } = await import('./digits.js');
    const outcome = await trainDigits(epochs, {
      onBatch: (step, logs) => training.add(step, logs.loss ?? NaN, logs.accuracy ?? NaN),
      onEpoch: (epoch, logs) => {
        status.textContent = `epoch ${epoch + 1}/${epochs}: loss ${logs.loss?.toFixed(4)}, accuracy ${logs.accuracy?.toFixed(3)}, validation accuracy ${logs.val_accuracy?.toFixed(3)}`;
      },
    });
    output.textContent = `${(100 * outcome.testAccuracy).toFixed(1)}% of ${outcome.testRows} held-out digits (loss ${outcome.testLoss.toFixed(4)}; ${epochs} epochs in ${outcome.seconds.toFixed(1)} s)`;
    output.dataset.accuracy = String(outcome.testAccuracy);
    output.dataset.loss = String(outcome.testLoss);
    const download = element<HTMLAnchorElement>('save-model');
    if (download.href.startsWith('blob:')) URL.revokeObjectURL(download.href);
    download.href = URL.createObjectURL(outcome.modelFile);
    download.hidden = false;
  } catch (e) {
    output.textContent = `training failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    output.dataset.error = 'true';
  } finally {
    button.disabled = false;
  }
}
