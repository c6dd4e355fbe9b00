/**
 * Pretraining checkpoints (Node only): every tensor of a record as raw little-endian float32 in
 * one `.bin` file plus a JSON index, written to a temporary name and renamed, so a checkpoint on
 * disk is always complete. Internal to `scripts/pretrain.ts` (the shipped weights are safetensors).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface Index {
  tensors: { name: string; shape: number[]; offset: number; size: number }[];
}

/** Writes `record` to `<dir>/<base>.bin` + `<dir>/<base>.json`. */
export async function saveRecord(
  dir: string,
  base: string,
  record: Readonly<Record<string, tf.Tensor>>,
): Promise<void> {
  const entries = Object.entries(record).sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const index: Index = { tensors: [] };
  let total = 0;
  for (const [name, t] of entries) {
    index.tensors.push({ name, shape: [...t.shape], offset: total, size: t.size });
    total += t.size;
  }
  const data = new Float32Array(total);
  for (const [i, [, t]] of entries.entries()) {
    data.set(await t.data<'float32'>(), index.tensors[i]?.offset ?? 0);
  }
  const bin = path.join(dir, `${base}.bin`);
  const json = path.join(dir, `${base}.json`);
  writeFileSync(`${bin}.tmp`, new Uint8Array(data.buffer));
  writeFileSync(`${json}.tmp`, JSON.stringify(index));
  renameSync(`${bin}.tmp`, bin);
  renameSync(`${json}.tmp`, json);
}

/** Reads a record written by {@link saveRecord}, or undefined if there is none. Caller disposes. */
export function loadRecord(dir: string, base: string): Record<string, tf.Tensor> | undefined {
  const json = path.join(dir, `${base}.json`);
  if (!existsSync(json)) return undefined;
  const index = JSON.parse(readFileSync(json, 'utf8')) as Index;
  const buf = readFileSync(path.join(dir, `${base}.bin`));
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const out: Record<string, tf.Tensor> = {};
  for (const e of index.tensors)
    out[e.name] = tf.tensor(data.slice(e.offset, e.offset + e.size), e.shape, 'float32');
  return out;
}
