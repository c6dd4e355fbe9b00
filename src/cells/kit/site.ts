/**
 * The site's shipped files (`public/`: the pretrained model, precomputed results, data), read the
 * same way in a page, in the headless cell tests and in Node scripts. A {@link Site} is a
 * {@link ReadFile} (how to get one file's bytes) plus typed readers over it; every failure is a
 * {@link SiteFileError} whose message starts with the file's path, so a cell that shows it tells
 * the reader which file is missing or broken.
 *
 * In a page the reader fetches from the site's base URL ({@link siteBaseOf}); in Node,
 * `site-node.ts` reads a directory. Lesson cells get the page's site as the `site` built-in.
 *
 * Why a file failed, and {@link weightsNote}, are said in the page's edition (`<html lang>`,
 * text.ts; English outside a browser); what the browser, the JSON parser or the core adds in
 * parentheses stays as they say it.
 */
import { checkFileHashes } from '../../core/data/integrity.ts';
import { parseModelManifest, type ModelManifest } from '../../core/io/model-files.ts';
import { SchemaError } from '../../core/schema.ts';
import { kitText } from './text.ts';

/**
 * A shipped file that could not be read or parsed; `file` is its path under the site, `missing`
 * says the site does not have it (an HTTP error status, no such file, no site) rather than that it
 * arrived broken or the network failed.
 */
export class SiteFileError extends Error {
  override readonly name = 'SiteFileError';
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly missing = false,
  ) {
    super(`${file}: ${reason}`);
  }
}

/**
 * What a page says when precomputed results were made with other weights than the shipped model
 * it serves now (`made`, `served`: SHA-256 of `model.safetensors`); empty when they match. Starts
 * with a space in English, to follow a caption's sentence (Japanese needs none).
 */
export function weightsNote(made: string | null, served: string | null): string {
  if (made !== null && made === served) return '';
  const words = kitText().site;
  if (made === null) return words.weightsUnrecorded;
  return words.weightsOther(made.slice(0, 8), String(served).slice(0, 8));
}

/** Reads one file of the site by its path under the site's root (`models/tiny-roberta/config.json`). */
export type ReadFile = (path: string) => Promise<Uint8Array>;

/** The three files of a shipped model, parsed, and the SHA-256 of its weights from `manifest.json`. */
export interface ShippedModel {
  /** Parsed `config.json` (Hugging Face `RobertaConfig` keys). */
  readonly config: unknown;
  /** Parsed `tokenizer.json`. */
  readonly tokenizer: unknown;
  /** Bytes of `model.safetensors`. */
  readonly weights: Uint8Array;
  /** `model.safetensors`'s SHA-256 as the manifest lists it (checked against the bytes unless `verify: false`). */
  readonly sha256: string;
}

/** Options of {@link Site.model}. */
export interface ModelOptions {
  /** Check the three files against `manifest.json`'s SHA-256 (default true). */
  readonly verify?: boolean;
}

/**
 * Checks a parsed file and returns it typed, or throws a `SchemaError` naming the field (the parse
 * functions of src/core/schema.ts's schemas: `lab.parsePlacementResults`, `core.parseModelManifest`…);
 * `name` starts the field's path.
 */
export type ParseFile<T> = (json: unknown, name: string) => T;

/** The name of the model this site ships (`public/models/tiny-roberta/`). */
export const SHIPPED_MODEL = 'tiny-roberta';

/** Typed readers over a site's files. */
export interface Site {
  /** The site's root URL in a page (`https://host/base/`), the directory in Node, or null: no site. */
  readonly base: string | null;
  /** Whether there is a site to read from (false in a plain script: cells use stand-ins then). */
  readonly available: boolean;
  /** A file's bytes. */
  bytes(path: string): Promise<Uint8Array>;
  /** A file as UTF-8 text. */
  text(path: string): Promise<string>;
  /**
   * A file parsed as JSON (a parse error names the file), checked by `parse` when given: a file
   * that does not fit is refused naming the file and the field
   * (`results/x.json: does not fit its schema (x.json.runs[2].seed = "a": expected an integer)`).
   */
  json(path: string): Promise<unknown>;
  json<T>(path: string, parse: ParseFile<T>): Promise<T>;
  /** The same, or null when the site does not have the file (a broken one still fails). */
  optionalJson(path: string): Promise<unknown>;
  optionalJson<T>(path: string, parse: ParseFile<T>): Promise<T | null>;
  /**
   * Precomputed results (`results/…json`, or null when the site lacks them) with `modelNote`:
   * {@link weightsNote} for the weights they record (`settings.modelSha256`) against the shipped
   * model's. Pass the lesson's parse function (`lab.parsePlacementResults`): the schema the
   * precompute script checks what it writes against, so writer and readers share one.
   */
  results(path: string): Promise<Record<string, unknown> | null>;
  results<T extends object>(
    path: string,
    parse: ParseFile<T>,
  ): Promise<(T & { modelNote: string }) | null>;
  /**
   * The shipped model's files. Its `manifest.json` must fit the core's schema
   * (src/core/io/model-files.ts); each file is checked against the manifest's SHA-256 unless
   * `verify: false`.
   */
  model(name?: string, options?: ModelOptions): Promise<ShippedModel>;
  /**
   * The SHA-256 of a shipped model's weights as its manifest lists it, or null when the manifest
   * is missing or lacks it (results record the weights they were made with).
   */
  modelSha256(name?: string): Promise<string | null>;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The value of a settled promise, or its rejection thrown. */
function settledValue<T>(r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

/** A {@link Site} over `read`; `base` is reported as is. With `read` null there is no site. */
export function createSite(base: string | null, read: ReadFile | null): Site {
  const words = () => kitText().site;
  const bytes = async (path: string): Promise<Uint8Array> => {
    if (read === null) throw new SiteFileError(path, words().noSite, true);
    try {
      return await read(path);
    } catch (e) {
      if (e instanceof SiteFileError) throw e;
      throw new SiteFileError(path, words().couldNotRead(message(e)));
    }
  };
  const text = async (path: string): Promise<string> => new TextDecoder().decode(await bytes(path));
  const parsed = async (path: string): Promise<unknown> => {
    const body = await text(path);
    try {
      return JSON.parse(body) as unknown;
    } catch (e) {
      throw new SiteFileError(path, words().notJson(message(e)));
    }
  };
  /** `found` checked by `parse`; a value that does not fit names the file and the field. */
  const checked = <T>(path: string, found: unknown, parse: ParseFile<T>): T => {
    try {
      return parse(found, path.slice(path.lastIndexOf('/') + 1));
    } catch (e) {
      if (e instanceof SchemaError) throw new SiteFileError(path, words().notSchema(e.message));
      throw e;
    }
  };
  function json(path: string): Promise<unknown>;
  function json<T>(path: string, parse: ParseFile<T>): Promise<T>;
  async function json<T>(path: string, parse?: ParseFile<T>): Promise<unknown> {
    const found = await parsed(path);
    return parse ? checked(path, found, parse) : found;
  }
  function optionalJson(path: string): Promise<unknown>;
  function optionalJson<T>(path: string, parse: ParseFile<T>): Promise<T | null>;
  async function optionalJson<T>(path: string, parse?: ParseFile<T>): Promise<unknown> {
    let found: unknown;
    try {
      found = await parsed(path);
    } catch (e) {
      if (e instanceof SiteFileError && e.missing) return null;
      throw e;
    }
    return parse ? checked(path, found, parse) : found;
  }
  /** A model's `manifest.json`, checked against the core's schema (an error names the file). */
  const manifestOf = async (name: string): Promise<ModelManifest> => {
    const path = `models/${name}/manifest.json`;
    const found = await json(path);
    try {
      return parseModelManifest(found, 'manifest.json');
    } catch (e) {
      throw new SiteFileError(path, words().notSchema(message(e)));
    }
  };
  const modelSha256 = async (name = SHIPPED_MODEL): Promise<string | null> => {
    try {
      return (await manifestOf(name)).files['model.safetensors']?.sha256 ?? null;
    } catch {
      return null;
    }
  };
  const model = async (name = SHIPPED_MODEL, options: ModelOptions = {}): Promise<ShippedModel> => {
    const dir = `models/${name}`;
    // Fetched together; a failure is reported in this fixed order (the manifest first), not by
    // whichever request fails first, so the same missing folder always gives the same message.
    const [m, c, t, w] = await Promise.allSettled([
      manifestOf(name),
      bytes(`${dir}/config.json`),
      bytes(`${dir}/tokenizer.json`),
      bytes(`${dir}/model.safetensors`),
    ]);
    const manifest = settledValue(m);
    const config = settledValue(c);
    const tokenizer = settledValue(t);
    const weights = settledValue(w);
    if (options.verify ?? true) {
      const received = {
        'config.json': config,
        'tokenizer.json': tokenizer,
        'model.safetensors': weights,
      };
      for (const [file, data] of Object.entries(received)) {
        try {
          await checkFileHashes(manifest, { [file]: data });
        } catch (e) {
          throw new SiteFileError(`${dir}/${file}`, message(e));
        }
      }
    }
    const parse = (file: string, data: Uint8Array): unknown => {
      try {
        return JSON.parse(new TextDecoder().decode(data)) as unknown;
      } catch (e) {
        throw new SiteFileError(`${dir}/${file}`, words().notJson(message(e)));
      }
    };
    return {
      config: parse('config.json', config),
      tokenizer: parse('tokenizer.json', tokenizer),
      weights,
      sha256: manifest.files['model.safetensors']?.sha256 ?? '',
    };
  };
  function results(path: string): Promise<Record<string, unknown> | null>;
  function results<T extends object>(
    path: string,
    parse: ParseFile<T>,
  ): Promise<(T & { modelNote: string }) | null>;
  async function results<T extends object>(
    path: string,
    parse?: ParseFile<T>,
  ): Promise<Record<string, unknown> | null> {
    const found = await optionalJson(path);
    if (found === null) return null;
    if (typeof found !== 'object' || Array.isArray(found)) {
      throw new SiteFileError(path, words().notObject);
    }
    const record = (parse ? checked(path, found, parse) : found) as Record<string, unknown>;
    const settings = record.settings as { modelSha256?: unknown } | undefined;
    const made = typeof settings?.modelSha256 === 'string' ? settings.modelSha256 : null;
    return { ...record, modelNote: weightsNote(made, await modelSha256()) };
  }
  return {
    base,
    available: read !== null,
    bytes,
    text,
    json,
    optionalJson,
    results,
    model,
    modelSha256,
  };
}

/**
 * The site's root URL from a page: its favicon link is always at the site's base, whatever
 * sub-path the site is served under. Null without a document or a favicon link (a plain script).
 */
export function siteBaseOf(doc: Document | undefined): string | null {
  const icon = doc?.querySelector<HTMLLinkElement>('link[rel="icon"]') ?? null;
  return icon ? new URL('.', icon.href).href : null;
}

/**
 * Reads files over HTTP from `base`. A failed response names the status, plus the server's (or
 * the offline service worker's) short plain-text explanation when it gives one.
 */
export function fetchReader(base: string, fetchFile: typeof fetch = fetch): ReadFile {
  return async (path) => {
    let response: Response;
    try {
      response = await fetchFile(new URL(path, base));
    } catch (e) {
      throw new SiteFileError(path, kitText().site.couldNotFetch(message(e)));
    }
    if (!response.ok) {
      const type = response.headers.get('content-type') ?? '';
      const text = type.startsWith('text/plain') ? (await response.text()).trim() : '';
      const why = text !== '' && text.length <= 300 ? text : null;
      throw new SiteFileError(path, kitText().site.http(response.status, why), true);
    }
    return new Uint8Array(await response.arrayBuffer());
  };
}

/** The page's site: files fetched from the base its favicon link gives, or no site without one. */
export function pageSite(doc: Document | undefined = globalThis.document): Site {
  const base = siteBaseOf(doc);
  return createSite(base, base === null ? null : fetchReader(base));
}
