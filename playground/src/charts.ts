/**
 * The page's plots, drawn with uPlot: naive against stabilized along the logit (value and
 * gradient), and the live training curves. Non-finite points are gaps (uPlot draws null as a
 * gap); the page says in words where they are.
 * @module
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const NAIVE_COLOUR = '#c0392b';
const STABLE_COLOUR = '#1e8449';

/** A plot of naive against stabilized along x. */
export interface ComparisonChart {
  /** Draws the curves; `xLabel` names the swept variable. */
  show(x: Float64Array, naive: Float64Array, stable: Float64Array, xLabel: string): void;
}

/**
 * A chart of two curves, stabilized (green) and naive (red, dashed, on top), in `parent`.
 * @example
 * ```ts
 * comparisonChart(document.querySelector('#value-chart')!, 'loss').show(x, naive, stable, 'z');
 * ```
 */
export function comparisonChart(parent: HTMLElement, title: string): ComparisonChart {
  let plot: uPlot | undefined;
  return {
    show(x, naive, stable, xLabel) {
      // The loss as written is drawn last, dashed, so it shows over the stabilized curve where they agree.
      const data: uPlot.AlignedData = [Array.from(x), finiteOrNull(stable), finiteOrNull(naive)];
      if (plot !== undefined && plot.series[0]!.label === xLabel) { plot.setData(data); return; }
      plot?.destroy();
      plot = new uPlot({
        title,
        width: chartWidth(parent),
        height: 240,
        scales: { x: { time: false } },
        axes: [{ label: xLabel }, {}],
        series: [
          { label: xLabel, value: (_u, v) => (v === null ? '' : v.toPrecision(4)) },
          { label: 'stabilized', stroke: STABLE_COLOUR, width: 3 },
          { label: 'as written', stroke: NAIVE_COLOUR, width: 2, dash: [6, 6], spanGaps: false },
        ],
      }, data, parent);
    },
  };
}

/** The live training plot: batch losses and accuracies as they come. */
export interface TrainingChart {
  add(step: number, loss: number, accuracy: number): void;
  clear(): void;
}

/**
 * A chart of training loss (left axis) and accuracy (right axis, 0..1) per batch, redrawn at
 * most once per animation frame.
 * @example
 * ```ts
 * const chart = trainingChart(document.querySelector('#training-chart')!);
 * chart.add(1, 2.3, 0.1);
 * ```
 */
export function trainingChart(parent: HTMLElement): TrainingChart {
  const steps: number[] = [];
  const losses: number[] = [];
  const accuracies: number[] = [];
  const plot = new uPlot({
    title: 'training: loss and accuracy per batch',
    width: chartWidth(parent),
    height: 240,
    scales: { x: { time: false }, accuracy: { range: [0, 1] } },
    axes: [{ label: 'batch' }, { label: 'loss' }, { scale: 'accuracy', side: 1, label: 'accuracy', grid: { show: false } }],
    series: [
      { label: 'batch' },
      { label: 'loss', stroke: NAIVE_COLOUR, width: 1.5 },
      { label: 'accuracy', stroke: STABLE_COLOUR, width: 1.5, scale: 'accuracy' },
    ],
  }, [steps, losses, accuracies], parent);
  let pending = false;
  const redraw = (): void => {
    pending = false;
    plot.setData([steps, losses, accuracies]);
  };
  return {
    add(step, loss, accuracy) {
      steps.push(step);
      losses.push(loss);
      accuracies.push(accuracy);
      if (!pending) { pending = true; requestAnimationFrame(redraw); }
    },
    clear() {
      steps.length = 0;
      losses.length = 0;
      accuracies.length = 0;
      redraw();
    },
  };
}

function finiteOrNull(values: Float64Array): (number | null)[] {
  return Array.from(values, (v) => (Number.isFinite(v) ? v : null));
}

function chartWidth(parent: HTMLElement): number {
  return Math.max(320, Math.min(parent.clientWidth || 560, 720));
}
