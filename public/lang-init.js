// Runs before the home page paints (a blocking script in <head>, home pages only), so a reader
// who chose an edition with the language switch lands in it, and a first visit follows the
// browser's languages. Other pages are never redirected: a link to a page opens that page.
// The choice lives in localStorage under "lora-lessons:lang" (src/lib/i18n.ts, LANG_STORAGE_KEY;
// components/LanguageSwitch.astro writes it). An external file, so the CSP needs no inline script.
(function () {
  var root = document.documentElement;
  var here = root.lang === 'ja' ? 'ja' : 'en';
  var chosen = null;
  try {
    chosen = window.localStorage.getItem('lora-lessons:lang');
  } catch (_) {
    // Storage can be blocked; then only the browser's languages count.
  }
  var want = chosen === 'en' || chosen === 'ja' ? chosen : null;
  if (want === null) {
    // A first arrival at the English home page only: an address under /ja/ is already a choice,
    // and a reader who came here from one of our own pages has already chosen.
    if (here === 'ja') return;
    var fromUs = false;
    try {
      fromUs = document.referrer !== '' && new URL(document.referrer).origin === location.origin;
    } catch (_) {
      fromUs = false;
    }
    if (fromUs) return;
    var languages = navigator.languages || [navigator.language || ''];
    for (var i = 0; i < languages.length && want === null; i++) {
      var primary = String(languages[i]).toLowerCase().split('-')[0];
      if (primary === 'ja' || primary === 'en') want = primary;
    }
  }
  if (want === null || want === here) return;
  var base = root.dataset.base || '/';
  location.replace(want === 'ja' ? base + 'ja/' + location.search : base + location.search);
})();
