/**
 * The lesson kit's built-ins, added to every cell runtime by ../builtins.ts:
 *
 * - `site` — the page's shipped files (site.ts): `site.json(path)`, `site.bytes(path)`,
 *   `site.model()` (the pretrained encoder's files, checked against its manifest),
 *   `site.modelSha256()`, `site.available` (false in a plain script: cells use stand-ins then).
 *   The site's base is found once, from the page's favicon link, when a cell first names `site`.
 * - `UrlState` — typed URL state from a schema (url-state.ts, url-state-page.ts).
 * - `trainingPanel(options)` — the training panel (training-panel.ts), with Plotly supplied.
 * - `sentimentEncoder(site)` — the shipped encoder and the sentiment split, or a stand-in
 *   (sentiment-encoder.ts); loaded with TF.js when a cell first names it.
 */
import { pageSite } from './site.ts';
import { UrlState } from './url-state-page.ts';
import {
  trainingPanel,
  type PanelPlotly,
  type PanelRunConfig,
  type PanelSummary,
  type TrainingPanelOptions,
} from './training-panel.ts';

/** The runtime's loaders the kit's built-ins share (each memoised by the caller). */
export interface KitLoaders {
  /** The runtime's `Plotly`. */
  readonly loadPlotly: () => Promise<unknown>;
  /** TF.js with its backend chosen and initialised (before anything of the core is loaded). */
  readonly loadTf: () => Promise<unknown>;
}

/** The kit's built-ins. */
export function kitBuiltins({ loadPlotly, loadTf }: KitLoaders): Record<string, unknown> {
  return {
    site: () => pageSite(),
    UrlState: () => UrlState,
    trainingPanel:
      () =>
      <C extends PanelRunConfig, S extends PanelSummary>(
        options: Omit<TrainingPanelOptions<C, S>, 'loadPlotly'>,
      ) =>
        trainingPanel({ ...options, loadPlotly: loadPlotly as () => Promise<PanelPlotly> }),
    sentimentEncoder: async () => {
      await loadTf(); // the core imports TF.js: load it only once the backend is chosen
      return (await import('./sentiment-encoder.ts')).sentimentEncoder;
    },
  };
}
