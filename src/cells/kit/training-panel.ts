/**
 * The training panel: Start, Stop and Resume for one run of a trainer (src/worker/client.ts),
 * a progress bar, the worker's numbers (loss, steps per second, time left, memory, weights that
 * train), and two charts — training loss and validation accuracy. While a run trains the charts
 * are light SVG curves (live-chart.ts, redrawn at most four times a second); when it ends they
 * are replaced by interactive Plotly figures. Each chart has one slot: it shows the live curve
 * or the figure, never both. A stopped run keeps the light curves (Plotly's draw would make Stop
 * feel slow, and Resume replaces them anyway).
 *
 * Lesson cells get it as the `trainingPanel` built-in (Plotly supplied), e.g.
 *
 *   viewof run = trainingPanel({trainer: t, config: runConfig, backend: ready.backend, invalidation})
 *
 * Its value is null until a run finishes, then the run's summary (an `input` event announces it).
 * DOM contract (the e2e tests read it): `[data-train-panel]` with `data-state` = idle | running |
 * stopped | done | failed, buttons `[data-action=start|stop|resume]`, `[data-train-status]`
 * (role=status), `[data-train-fraction]`, `[data-train-stats]`, `[data-train-memory]`,
 * `[data-plot=loss]`, `[data-plot=accuracy]`, `data-memory-after-stop` = `n:tensors:bytes`, and
 * `panel.trainingLog = {loss: {x, y}, acc: {x, y}}`. Its words are in the page's edition
 * (`<html lang>`, text.ts); the DOM contract is the same in both.
 */
import type { Lang } from '../../lib/i18n.ts';
import { liveChart, type LiveChart } from './live-chart.ts';
import { kitText } from './text.ts';

/** TF.js memory as the trainer reports it. */
export interface PanelMemory {
  readonly numBytes: number;
  readonly numTensors: number;
}

/** A trainer's run events (the fields the panel reads). */
export type PanelEvent =
  | {
      readonly kind: 'progress';
      readonly step: number;
      readonly steps: number;
      readonly loss: number;
      readonly stepsPerSecond: number;
      readonly etaSeconds: number;
      readonly memory: PanelMemory;
      readonly trainableParams: number;
      readonly totalParams: number;
    }
  | { readonly kind: 'eval'; readonly step: number; readonly accuracy: number };

/** A finished or stopped run, as the trainer reports it (the fields the panel reads). */
export interface PanelSummary {
  readonly stopped: boolean;
  readonly stepsDone: number;
  readonly accuracy: number;
  readonly msPerStep: number;
}

/** The run's settings (the fields the panel reads; the whole object goes to `train`). */
export interface PanelRunConfig {
  readonly steps: number;
  readonly method?: string;
}

/** What the panel needs of a trainer. */
export interface PanelTrainer<C extends PanelRunConfig, S extends PanelSummary> {
  train(config: C, onEvent: (e: PanelEvent) => void): Promise<S>;
  resume(extraSteps: number, onEvent: (e: PanelEvent) => void): Promise<S>;
  stop(): void;
  memory(): Promise<PanelMemory>;
}

/** The part of Plotly the panel uses. */
export interface PanelPlotly {
  newPlot(gd: HTMLElement, data: unknown[], layout: unknown, config?: unknown): unknown;
  purge(gd: HTMLElement): void;
}

/** Options of {@link trainingPanel}. */
export interface TrainingPanelOptions<C extends PanelRunConfig, S extends PanelSummary> {
  readonly trainer: PanelTrainer<C, S>;
  readonly config: C;
  /** The backend the trainer runs on (said in the status line). */
  readonly backend: string;
  /** Loads Plotly for the figures drawn when a run ends. */
  readonly loadPlotly: () => Promise<PanelPlotly>;
  /** The cell's `invalidation`: a rerun stops a running run. */
  readonly invalidation?: Promise<unknown>;
  /** Longest wait between redraws while training, ms (default 250). */
  readonly redrawMs?: number;
  /** The edition whose words the panel shows (default: the page's, `<html lang>`). */
  readonly lang?: Lang;
}

/** The panel element: its value and its training log. */
export interface TrainingPanel<S> extends HTMLDivElement {
  value: S | null;
  trainingLog: { loss: { x: number[]; y: number[] }; acc: { x: number[]; y: number[] } };
}

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function foreground(): string {
  if (typeof getComputedStyle !== 'function') return '#1f2328';
  const fg = getComputedStyle(document.documentElement).getPropertyValue('--fg').trim();
  return fg === '' ? '#1f2328' : fg;
}

/**
 * One chart's place in the panel: it holds the live curve or the Plotly figure, never both. A
 * figure still being drawn when the live curve comes back (Start pressed at once) is dropped.
 */
class ChartSlot {
  readonly node: HTMLDivElement;
  private epoch = 0;
  private plotted = false;
  constructor(
    name: string,
    readonly live: LiveChart,
  ) {
    this.node = h('div', { 'data-plot': name });
  }
  showLive(plotly: PanelPlotly | null): void {
    this.epoch++;
    if (this.plotted && plotly) plotly.purge(this.node);
    this.plotted = false;
    this.node.replaceChildren(this.live.node);
  }
  async showFigure(
    load: () => Promise<PanelPlotly>,
    draw: (plotly: PanelPlotly, gd: HTMLDivElement) => unknown,
  ): Promise<void> {
    const epoch = ++this.epoch;
    const plotly = await load();
    if (epoch !== this.epoch) return;
    if (this.plotted) plotly.purge(this.node);
    // The light curve makes way for the figure: one chart, not two.
    this.node.replaceChildren();
    this.plotted = true;
    await draw(plotly, this.node);
    if (epoch !== this.epoch) this.showLive(plotly);
  }
}

/** Makes a training panel; see the module's doc for its parts and DOM contract. */
export function trainingPanel<C extends PanelRunConfig, S extends PanelSummary>(
  options: TrainingPanelOptions<C, S>,
): TrainingPanel<S> {
  const { trainer, config, backend, loadPlotly } = options;
  const redrawMs = options.redrawMs ?? 250;
  const text = kitText(options.lang);
  const words = text.panel;
  const button = (label: string, action: string) =>
    h('button', { type: 'button', 'data-action': action }, label);
  const start = button(words.start, 'start');
  const stop = button(words.stop, 'stop');
  const resume = button(words.resume, 'resume');
  stop.disabled = true;
  resume.disabled = true;
  const bar = h('progress', { max: '1', value: '0', 'aria-label': words.progress });
  const fraction = h('span', { 'data-train-fraction': '' }, words.steps(0, config.steps));
  const status = h('p', { role: 'status', 'data-train-status': '' }, words.notStarted);
  const stats = h('p', { class: 'train-stats', 'data-train-stats': '' });
  const memoryNote = h('p', { 'data-train-memory': '' });
  // `key` (the chart's data-live-chart) stays English in both editions: the tests select by it.
  const lossSlot = new ChartSlot(
    'loss',
    liveChart({
      label: words.loss,
      key: 'training loss',
      color: '#0072B2',
      yMax: null,
      xMax: config.steps,
      lang: options.lang,
    }),
  );
  const accSlot = new ChartSlot(
    'accuracy',
    liveChart({
      label: words.accuracy,
      key: 'validation accuracy',
      color: '#D55E00',
      yMax: 1,
      xMax: config.steps,
      lang: options.lang,
    }),
  );
  const root = h(
    'div',
    { class: 'train-panel', 'data-train-panel': '' },
    h('div', { role: 'group', 'aria-label': words.controls }, start, ' ', stop, ' ', resume),
    h('p', {}, bar, ' ', fraction),
    status,
    stats,
    memoryNote,
    lossSlot.node,
    accSlot.node,
  ) as TrainingPanel<S>;
  root.value = null;
  const loss = { x: [] as number[], y: [] as number[] };
  const acc = { x: [] as number[], y: [] as number[] };
  root.trainingLog = { loss, acc }; // read by the end-to-end tests
  let last: Extract<PanelEvent, { kind: 'progress' }> | null = null;
  let dirty = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let state = 'idle';
  let stops = 0;
  let plotly: PanelPlotly | null = null;
  /** Counts runs started (Start, Resume): a run's figures are drawn only if no other began since. */
  let runs = 0;
  const load = async (): Promise<PanelPlotly> => (plotly ??= await loadPlotly());

  // Sized from the panel's own box when drawn, not from the width built-in: a cell that read it
  // would rerun (and lose its finished run) whenever the column's width changes.
  const plotWidth = () =>
    Math.min(640, Math.round(lossSlot.node.getBoundingClientRect().width) || 640);
  const layout = (title: string, range: Record<string, unknown>) => ({
    width: plotWidth(),
    height: 260,
    margin: { l: 60, r: 10, t: 10, b: 45 },
    xaxis: { title: { text: words.step }, range: [0, config.steps] },
    yaxis: { title: { text: title }, ...range },
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: foreground() },
    showlegend: false,
  });
  const showLive = () => {
    lossSlot.showLive(plotly);
    accSlot.showLive(plotly);
  };
  const showFigures = () =>
    Promise.all([
      lossSlot.showFigure(load, (p, gd) =>
        p.newPlot(
          gd,
          [{ type: 'scatter', mode: 'lines', x: loss.x, y: loss.y, name: words.loss }],
          layout(words.loss, { rangemode: 'tozero' }),
          { displayModeBar: false },
        ),
      ),
      accSlot.showFigure(load, (p, gd) =>
        p.newPlot(
          gd,
          [
            {
              type: 'scatter',
              mode: 'lines+markers',
              x: acc.x,
              y: acc.y,
              name: words.accuracy,
            },
          ],
          layout(words.accuracy, { range: [0, 1] }),
          { displayModeBar: false },
        ),
      ),
    ]);

  const draw = () => {
    timer = null;
    if (!dirty) return;
    dirty = false;
    const t0 = performance.now();
    if (last) {
      bar.value = last.step / last.steps;
      fraction.textContent = words.steps(last.step, last.steps);
      stats.textContent = words.stats({
        loss: last.loss,
        stepsPerSecond: last.stepsPerSecond,
        etaSeconds: last.etaSeconds,
        memoryBytes: last.memory.numBytes,
        tensors: last.memory.numTensors,
        trainable: last.trainableParams,
        total: last.totalParams,
      });
    }
    lossSlot.live.update(loss.x, loss.y);
    accSlot.live.update(acc.x, acc.y);
    // Recorded for the end-to-end test, which checks the page stays responsive while training.
    performance.measure('training-panel-draw', { start: t0 });
  };
  // Redraw at most once per `redrawMs`, whatever the step rate.
  const schedule = () => {
    dirty = true;
    timer ??= setTimeout(draw, redrawMs);
  };
  const onEvent = (e: PanelEvent) => {
    if (e.kind === 'progress') {
      last = e;
      loss.x.push(e.step);
      loss.y.push(e.loss);
    } else {
      acc.x.push(e.step);
      acc.y.push(e.accuracy);
    }
    schedule();
  };
  const setState = (s: string, text: string) => {
    state = s;
    root.dataset.state = s;
    start.disabled = s === 'running';
    stop.disabled = s !== 'running';
    resume.disabled = s !== 'stopped';
    status.textContent = text;
  };
  const finish = (summary: S) => {
    if (timer) clearTimeout(timer);
    timer = null;
    dirty = true;
    draw();
    if (summary.stopped) {
      setState('stopped', words.stopped(summary.stepsDone));
      const n = ++stops;
      // Once the step Stop did not wait for has finished: what the worker still holds (model,
      // adapters, Adam's moments) — the same after every Stop, or tensors leak.
      trainer.memory().then(
        (m) => {
          root.dataset.memoryAfterStop = `${String(n)}:${String(m.numTensors)}:${String(m.numBytes)}`;
          memoryNote.textContent = words.memoryAfterStop(n, m.numTensors, m.numBytes);
        },
        () => undefined,
      );
      return;
    }
    setState('done', words.done(summary.stepsDone, summary.accuracy, summary.msPerStep));
    const run = runs;
    setTimeout(() => {
      if (run === runs) void showFigures();
    }, 0);
    root.value = summary;
    root.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const fail = (error: unknown) => {
    setState('failed', words.failed(error instanceof Error ? error.message : String(error)));
    void showFigures();
  };
  start.addEventListener('click', () => {
    runs++;
    for (const a of [loss.x, loss.y, acc.x, acc.y]) a.length = 0;
    last = null;
    showLive();
    const method = words.methods[config.method ?? 'full'] ?? config.method ?? words.defaultMethod;
    setState('running', words.training(method, backend));
    trainer.train(config, onEvent).then(finish, fail);
  });
  stop.addEventListener('click', () => {
    status.textContent = words.stopping;
    trainer.stop();
  });
  resume.addEventListener('click', () => {
    runs++;
    showLive();
    setState('running', words.resumed(backend));
    trainer.resume(0, onEvent).then(finish, fail);
  });
  void options.invalidation?.then(() => {
    if (state === 'running') trainer.stop();
    if (timer) clearTimeout(timer);
  });
  // Empty light curves until a run ends (Plotly's first draw is itself a long task on a slow machine).
  showLive();
  return root;
}
