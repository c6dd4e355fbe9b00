// @ts-check
/** How the browser tests and the scripts (screenshots, bench) start Debian's Chromium. */

/** Debian's Chromium (never a downloaded one); `CHROMIUM_PATH=…` to use another. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Flags measured to work as root on our machines (docs/sources.md, "Early measurements of ours"). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
