/**
 * The lesson kit's built-ins, added to every cell runtime by ../builtins.ts:
 *
 * - `site` — the page's shipped files (site.ts): `site.json(path)`, `site.bytes(path)`,
 *   `site.model()` (the pretrained encoder's files, checked against its manifest),
 *   `site.modelSha256()`, `site.available` (false in a plain script: cells use stand-ins then).
 *   The site's base is found once, from the page's favicon link, when a cell first names `site`.
 * - `UrlState` — typed URL state from a schema (url-state.ts, url-state-page.ts).
 * - `trainingPanel(options)` — the training panel (training-panel.ts), with Plotly supplied.
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

/** The kit's built-ins; `loadPlotly` is the runtime's own `Plotly` loader (memoised by the caller). */
export function kitBuiltins(loadPlotly: () => Promise<unknown>): Record<string, unknown> {
  return {
    site: () => pageSite(),
    UrlState: () => UrlState,
    trainingPanel:
      () =>
      <C extends PanelRunConfig, S extends PanelSummary>(
        options: Omit<TrainingPanelOptions<C, S>, 'loadPlotly'>,
      ) =>
        trainingPanel({ ...options, loadPlotly: loadPlotly as () => Promise<PanelPlotly> }),
  };
}
