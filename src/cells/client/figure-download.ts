/**
 * "Save figure" under a cell whose output holds a figure: for a Plotly plot, PNG and SVG through
 * `Plotly.downloadImage` (works when the plot's own toolbar is hidden); for any other SVG, the
 * SVG's markup as a file. Everything happens in the browser (a blob: or data: URL); nothing is
 * sent anywhere.
 */
import { button, h } from './dom.ts';
import { documentLang, type Lang } from '../../lib/i18n.ts';
import { clientText } from './text.ts';

interface PlotlyImage {
  downloadImage(
    plot: Element,
    options: { format: 'png' | 'svg'; filename: string; width?: number; height?: number },
  ): Promise<unknown>;
}

async function plotly(): Promise<PlotlyImage> {
  const mod = (await import('plotly.js-basic-dist-min')) as { default?: PlotlyImage };
  return mod.default ?? (mod as unknown as PlotlyImage);
}

/** The figure each tools bar was made for (so an unchanged figure keeps its buttons). */
const madeFor = new WeakMap<Element, Element>();

function saveSvg(svg: SVGSVGElement, filename: string): void {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const blob = new Blob([new XMLSerializer().serializeToString(copy)], { type: 'image/svg+xml' });
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: `${filename}.svg`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}

/**
 * Puts (or updates, or removes) the "Save figure" buttons right after `output`, for the figure it
 * now shows. `filename` is the downloaded file's name without extension; `lang` the language of
 * its words (default: the page's, `<html lang>`).
 */
export function updateFigureTools(
  output: HTMLElement,
  filename: string,
  lang: Lang = documentLang(),
): void {
  const next = output.nextElementSibling;
  const existing = next?.classList.contains('cell-figure-tools') === true ? next : null;
  const plot = output.querySelector('.js-plotly-plot');
  const svg = plot
    ? null
    : [...output.querySelectorAll('svg')].find(
        // A figure: not Plotly's, not an inspector's caret icon, not nested in another SVG.
        (s) =>
          s.closest('.js-plotly-plot, .cell-inspector') === null &&
          s.parentElement?.closest('svg') == null,
      );
  const figure = plot ?? svg;
  if (!figure) {
    existing?.remove();
    return;
  }
  if (existing && madeFor.get(existing) === figure) return;
  const words = clientText(lang).figure;
  const tools = h('div', {
    class: 'cell-figure-tools',
    role: 'group',
    'aria-label': words.group,
  });
  tools.append(h('span', {}, words.label));
  if (plot) {
    for (const format of ['png', 'svg'] as const) {
      tools.append(
        button(format.toUpperCase(), () => {
          void plotly().then((p) => p.downloadImage(plot, { format, filename }));
        }),
      );
    }
  } else if (svg) {
    tools.append(
      button('SVG', () => {
        saveSvg(svg, filename);
      }),
    );
  }
  madeFor.set(tools, figure);
  if (existing) existing.replaceWith(tools);
  else output.after(tools);
}
