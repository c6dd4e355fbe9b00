/**
 * The HTML an instructor pastes into their own page to embed a cell: an `<iframe>` and a short
 * script that resizes it to its content. The embed posts `{type: 'lora-embed:height', height}`
 * to its parent whenever its height changes (client/embed-size.ts); the script finds the frame
 * that sent it (by `event.source`, so other frames and other senders are ignored) and sets its
 * height. Pure: used by the "Copy embed" button and the instructors' page alike.
 */

/** The `type` of the message an embed posts to its parent. */
export const HEIGHT_MESSAGE = 'lora-embed:height';

/** Heights outside this range (px) are clamped by the host script. */
export const MIN_HEIGHT = 40;
export const MAX_HEIGHT = 20_000;

/** The host page's resize script (plain JavaScript, no dependencies; once per page). */
export const HOST_RESIZE_SCRIPT = `<script>
  // Resizes every iframe marked data-lora-embed to the height its cell reports.
  addEventListener('message', (event) => {
    const data = event.data;
    if (!data || data.type !== '${HEIGHT_MESSAGE}' || !Number.isFinite(data.height)) return;
    for (const frame of document.querySelectorAll('iframe[data-lora-embed]')) {
      if (frame.contentWindow !== event.source) continue;
      frame.style.height = Math.min(${String(MAX_HEIGHT)}, Math.max(${String(MIN_HEIGHT)}, Math.ceil(data.height))) + 'px';
    }
  });
</script>`;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '"': '&quot;',
  '<': '&lt;',
  '>': '&gt;',
};

/** Escapes text for a double-quoted HTML attribute. */
export function escapeAttribute(text: string): string {
  return text.replace(/[&"<>]/g, (c) => ESCAPES[c] ?? c);
}

export interface IframeOptions {
  /** Absolute URL of the embed. */
  readonly src: string;
  /** The frame's accessible name, e.g. "Live cell: rankPlot (LoRA, live)". */
  readonly title: string;
  /** Height (px) before the first resize message. */
  readonly height?: number;
}

/** The `<iframe>` element for one embed. */
export function iframeSnippet({ src, title, height = 360 }: IframeOptions): string {
  const url = new URL(src); // Throws on a relative or malformed URL.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RangeError(`iframeSnippet: the embed URL must be http(s), not ${url.protocol}`);
  }
  return (
    `<iframe src="${escapeAttribute(url.href)}" title="${escapeAttribute(title)}" ` +
    `data-lora-embed loading="lazy" width="100%" height="${String(Math.round(height))}" ` +
    `style="border: 0; width: 100%; max-width: 100%;"></iframe>`
  );
}

/** The iframe followed by the resize script: what "Copy embed" puts on the clipboard. */
export function embedSnippet(options: IframeOptions): string {
  return `${iframeSnippet(options)}\n${HOST_RESIZE_SCRIPT}`;
}
