/**
 * File integrity against a manifest: SHA-256 on the FIPS 180-2 test vectors, the shipped model's
 * files against its own manifest, and a single flipped bit refused with an error naming the file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/data/errors.ts';
import { checkFileHashes, sha256Hex } from '../../../src/core/data/integrity.ts';

const text = (s: string) => new TextEncoder().encode(s);
const modelDir = new URL('../../../public/models/tiny-roberta/', import.meta.url);

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vectors', async () => {
    expect(await sha256Hex(text('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(await sha256Hex(text(''))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(await sha256Hex(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
});

describe('checkFileHashes', () => {
  const manifest = {
    files: {
      'a.bin': {
        bytes: 3,
        sha256: 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD',
      },
    },
  };

  it('accepts the bytes the manifest describes (hex in either case)', async () => {
    await expect(checkFileHashes(manifest, { 'a.bin': text('abc') })).resolves.toBeUndefined();
  });

  it('refuses one flipped bit, naming the file and both hashes', async () => {
    const bytes = text('abc');
    bytes[1] = (bytes[1] ?? 0) ^ 1;
    const error = await checkFileHashes(manifest, { 'a.bin': bytes }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).field).toBe('files["a.bin"].sha256');
    expect((error as DataError).message).toMatch(
      /a\.bin has SHA-256 [0-9a-f]{12}… but the manifest says ba7816bf8f01…/,
    );
  });

  it('refuses a file the manifest does not list, and a manifest without files', async () => {
    await expect(checkFileHashes(manifest, { 'b.bin': text('abc') })).rejects.toThrow(
      /manifest\.files\["b\.bin"\]\.sha256: must be 64 hex digits, got undefined/,
    );
    await expect(checkFileHashes({}, { 'a.bin': text('abc') })).rejects.toThrow(
      /manifest\.files: is missing, so a\.bin cannot be checked/,
    );
    await expect(checkFileHashes(null, { 'a.bin': text('abc') })).rejects.toThrow(DataError);
  });

  it('passes on the shipped model files against their own manifest', async () => {
    const shipped = JSON.parse(readFileSync(new URL('manifest.json', modelDir), 'utf8')) as unknown;
    const names = ['config.json', 'tokenizer.json', 'model.safetensors'];
    const files = Object.fromEntries(
      names.map((n) => [n, new Uint8Array(readFileSync(new URL(n, modelDir)))]),
    );
    await expect(checkFileHashes(shipped, files)).resolves.toBeUndefined();
  });
});
