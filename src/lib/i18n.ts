/**
 * The site's two editions, English and Japanese (docs/japanese-edition.md). English pages live at
 * the site's root, Japanese ones under `ja/`; every page has its counterpart at the same path
 * below the prefix. Pure (no DOM, no Astro), so pages, the cell runtime and tests share it.
 */

/** An edition's language, as in `<html lang>`. */
export type Lang = 'en' | 'ja';

/** Both editions, English first. */
export const LANGS: readonly Lang[] = ['en', 'ja'];

/** Each edition's name, written in its own language (for the language switch). */
export const LANG_NAMES: Readonly<Record<Lang, string>> = { en: 'English', ja: '日本語' };

/** The `localStorage` key that remembers the edition a reader chose with the switch. */
export const LANG_STORAGE_KEY = 'lora-lessons:lang';

/** Whether `value` names an edition. */
export function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'ja';
}

/** The other edition. */
export function otherLang(lang: Lang): Lang {
  return lang === 'en' ? 'ja' : 'en';
}

/**
 * The URL path of a page in an edition. `path` is relative to the site's base and has no
 * leading slash (`''` for the home page, `'lessons/qlora/'`); `base` is the site's base path.
 */
export function pathIn(lang: Lang, path: string, base = '/'): string {
  const root = base.endsWith('/') ? base : `${base}/`;
  const rest = path.replace(/^\/+/, '');
  return lang === 'en' ? `${root}${rest}` : `${root}ja/${rest}`;
}

/**
 * Splits a URL path into its edition and the path within it (relative to `base`, no leading
 * slash): `/ja/lessons/qlora/` → `{ lang: 'ja', path: 'lessons/qlora/' }`.
 */
export function editionOf(pathname: string, base = '/'): { lang: Lang; path: string } {
  const root = base.endsWith('/') ? base : `${base}/`;
  const within = pathname.startsWith(root)
    ? pathname.slice(root.length)
    : pathname.replace(/^\//, '');
  if (within === 'ja' || within.startsWith('ja/')) {
    return { lang: 'ja', path: within.slice(3) };
  }
  return { lang: 'en', path: within };
}

/** The same page in the other edition. */
export function counterpartPath(pathname: string, base = '/'): string {
  const { lang, path } = editionOf(pathname, base);
  return pathIn(otherLang(lang), path, base);
}

/**
 * The edition a first visit should get from the browser's languages (`navigator.languages`):
 * Japanese when Japanese comes before English, else English.
 */
export function preferredLang(languages: readonly string[]): Lang {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'ja') return 'ja';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

/** The edition of the current document (`<html lang>`); English outside a browser page. */
export function documentLang(): Lang {
  if (typeof document === 'undefined') return 'en';
  return document.documentElement.lang === 'ja' ? 'ja' : 'en';
}

/**
 * The key an edition's stored edits and share links go under: the slug in English, `ja/<slug>`
 * in Japanese (the two editions' cells differ in their text, so an edit of one is not of the other).
 */
export function editionKey(slug: string, lang: Lang): string {
  return lang === 'en' ? slug : `${lang}/${slug}`;
}
