// Runs before the page paints (a blocking script in <head>), so the chosen theme never flashes.
// The reader's preference ('light' | 'dark' | 'system') lives in localStorage under "theme";
// components/ThemeToggle.astro writes it. An external file, so the CSP needs no inline script.
(function () {
  var preference = 'system';
  try {
    var stored = window.localStorage.getItem('theme');
    if (stored === 'light' || stored === 'dark') preference = stored;
  } catch (_) {
    // Storage can be blocked; the system theme is then used.
  }
  // ?theme=light|dark (used by embeds, /embed/…) wins for this page only, before first paint.
  var forced = /[?&]theme=(light|dark)(?:&|$)/.exec(window.location.search);
  if (forced) preference = forced[1];
  var dark =
    preference === 'dark' ||
    (preference === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  var root = document.documentElement;
  root.dataset.theme = dark ? 'dark' : 'light';
  root.dataset.themePreference = preference;
})();
