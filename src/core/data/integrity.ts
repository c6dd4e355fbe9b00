/**
 * Integrity of shipped files: a model's `manifest.json` lists each file's SHA-256
 * (`files: {"model.safetensors": {bytes, sha256}, …}`); {@link checkFileHashes} recomputes them over
 * the bytes actually received and refuses a file that differs, naming it. A flipped byte in a
 * weight file otherwise loads silently as slightly wrong weights. Uses Web Crypto
 * (`crypto.subtle`), present in browsers, workers and Node 20+.
 */
import { DataError } from './errors.ts';

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The expected SHA-256 of `name` in a manifest, or a {@link DataError} naming what is wrong. */
function expectedHash(manifest: unknown, name: string): string {
  const files = (manifest as { files?: unknown } | null)?.files;
  if (typeof files !== 'object' || files === null) {
    throw new DataError('manifest.files', `is missing, so ${name} cannot be checked`);
  }
  const entry = (files as Record<string, unknown>)[name];
  const sha = (entry as { sha256?: unknown } | undefined)?.sha256;
  if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/i.test(sha)) {
    throw new DataError(
      `manifest.files["${name}"].sha256`,
      `must be 64 hex digits, got ${JSON.stringify(sha)}, so ${name} cannot be checked`,
    );
  }
  return sha.toLowerCase();
}

/**
 * Checks every file in `files` against the SHA-256 the manifest lists for it.
 * @throws {DataError} naming the first file whose hash differs (or that the manifest lacks), with
 *   both hashes; its `field` is `files["<name>"].sha256`.
 */
export async function checkFileHashes(
  manifest: unknown,
  files: Readonly<Record<string, Uint8Array>>,
): Promise<void> {
  for (const [name, bytes] of Object.entries(files)) {
    const expected = expectedHash(manifest, name);
    const actual = await sha256Hex(bytes);
    if (actual !== expected) {
      throw new DataError(
        `files["${name}"].sha256`,
        `${name} has SHA-256 ${actual.slice(0, 12)}… but the manifest says ${expected.slice(0, 12)}…: ` +
          `the file is damaged or from another version (${String(bytes.length)} bytes received)`,
      );
    }
  }
}
