/**
 * The reader's theme preference, shared by the toggle and anything that restyles itself (a plot
 * listening for `themechange`). public/theme-init.js applies the same rule before first paint.
 */
export type ThemePreference = 'light' | 'dark' | 'system';

const STORAGE_KEY = 'theme';

export function isPreference(value: unknown): value is ThemePreference {
  return value === 'light' || value === 'dark' || value === 'system';
}

/** The stored preference, or 'system' when none is stored or storage is blocked. */
export function readPreference(): ThemePreference {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return isPreference(stored) ? stored : 'system';
  } catch {
    return 'system';
  }
}

/**
 * Applies a preference to `<html data-theme>` and announces it with a `themechange` event on
 * `document` (detail: the resolved theme). With `persist`, stores it for the next visit.
 */
export function applyTheme(preference: ThemePreference, persist = false): 'light' | 'dark' {
  const dark =
    preference === 'dark' ||
    (preference === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches);
  const theme = dark ? 'dark' : 'light';
  const root = document.documentElement;
  root.dataset.theme = theme;
  root.dataset.themePreference = preference;
  if (persist) {
    try {
      window.localStorage.setItem(STORAGE_KEY, preference);
    } catch {
      // Storage blocked: the choice lasts for this page only.
    }
  }
  document.dispatchEvent(new CustomEvent('themechange', { detail: { theme, preference } }));
  return theme;
}
