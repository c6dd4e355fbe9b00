/**
 * The site's shipped files read from a directory in Node (`public/`, or a built site): the same
 * {@link Site} readers the lesson cells use in a page, for scripts and tests. A missing file is a
 * {@link SiteFileError} naming its path; a path that leaves the directory is refused.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import {
  createSite,
  SiteFileError,
  type ModelOptions,
  type ReadFile,
  type ShippedModel,
  type Site,
} from './site.ts';

/** Reads files from `dir` by their path under the site's root. */
export function directoryReader(dir: string): ReadFile {
  const root = resolve(dir);
  return async (path) => {
    const file = resolve(join(root, path));
    if (!file.startsWith(root + sep)) throw new SiteFileError(path, `is outside ${root}`);
    try {
      return new Uint8Array(await readFile(file));
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'ENOENT') throw new SiteFileError(path, `not found in ${root}`, true);
      throw new SiteFileError(path, `could not be read (${String(e)})`);
    }
  };
}

/** The site whose files are in `dir` (default: this repository's `public/`). */
export function directorySite(dir = join(import.meta.dirname, '..', '..', '..', 'public')): Site {
  return createSite(resolve(dir), directoryReader(dir));
}

/**
 * The model in folder `dir`, a site's `models/<name>/` (`public/models/tiny-roberta`, or where
 * `npm run pretrain --out` wrote one): `directorySite(<the site's root>).model(<name>)`, so a
 * script's `--model <dir>` is read and checked against its manifest as a page reads the shipped
 * model. A folder that is not inside a `models/` folder is refused, naming it.
 */
export function modelFolder(dir: string, options: ModelOptions = {}): Promise<ShippedModel> {
  const folder = resolve(dir);
  if (basename(dirname(folder)) !== 'models') {
    return Promise.reject(
      new SiteFileError(dir, 'is not a model folder of a site (expected …/models/<name>)'),
    );
  }
  return directorySite(dirname(dirname(folder))).model(basename(folder), options);
}
