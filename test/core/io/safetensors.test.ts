import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SafetensorsError,
  decodeSafetensors,
  encodeSafetensors,
  safetensorsToTensors,
  tensorsToSafetensors,
} from '../../../src/core/io/safetensors.ts';
import { checkNoLeaks, expectBitIdentical, must } from '../helpers.ts';

describe('safetensors', () => {
  checkNoLeaks();

  it('writes the documented layout: u64 LE header length, JSON header, LE data', () => {
    const bytes = encodeSafetensors(
      {
        b: { dtype: 'I32', shape: [2], data: new Int32Array([7, -1]) },
        a: { dtype: 'F32', shape: [1, 1], data: new Float32Array([1.5]) },
      },
      { format: 'pt' },
    );
    const view = new DataView(bytes.buffer);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<
      string,
      { data_offsets: number[] }
    >;
    expect(header.__metadata__).toEqual({ format: 'pt' });
    expect(header.a?.data_offsets).toEqual([0, 4]);
    expect(header.b?.data_offsets).toEqual([4, 12]);
    expect(view.getFloat32(8 + n, true)).toBe(1.5);
    expect(view.getInt32(8 + n + 8, true)).toBe(-1);
    expect(bytes.length).toBe(8 + n + 12);
  });

  it('round-trips arbitrary float32 bits (NaN payloads, ±0, subnormals) and int32 exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 0, maxLength: 64 }),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), {
          minLength: 1,
          maxLength: 16,
        }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })),
        (bits, ints, meta) => {
          const f = new Float32Array(new Uint32Array(bits).buffer);
          const bytes = encodeSafetensors(
            {
              'w.x': { dtype: 'F32', shape: [bits.length], data: f },
              'i.y': { dtype: 'I32', shape: [ints.length], data: new Int32Array(ints) },
            },
            meta,
          );
          const back = decodeSafetensors(bytes);
          expect(new Uint32Array(new Float32Array(must(back.tensors['w.x']).data).buffer)).toEqual(
            new Uint32Array(bits),
          );
          expect(Array.from(must(back.tensors['i.y']).data)).toEqual(ints);
          expect(back.metadata).toEqual(meta);
          expect(encodeSafetensors(back.tensors, back.metadata)).toEqual(bytes);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('tf tensors round-trip bit for bit', async () => {
    const t = {
      x: tf.randomNormal([3, 5], 0, 1, 'float32', 1),
      y: tf.tensor1d([1, 2, 3], 'int32'),
    };
    const bytes = await tensorsToSafetensors(t, { k: 'v' });
    const { tensors, metadata } = safetensorsToTensors(bytes);
    expectBitIdentical(must(tensors.x), t.x);
    expect(must(tensors.y).dtype).toBe('int32');
    expect(Array.from(must(tensors.y).dataSync())).toEqual([1, 2, 3]);
    expect(metadata).toEqual({ k: 'v' });
    tf.dispose([...Object.values(t), ...Object.values(tensors)]);
  });

  it('reads a Node Buffer (a file read by readFileSync) as it reads a Uint8Array', () => {
    // Buffer.slice is a view on a larger ArrayBuffer (the file, or Node's pool): each tensor's data
    // must still be exactly its own values (the first torch export failed on this: a [16000] bias
    // came back with every value of the file).
    const bytes = encodeSafetensors({
      a: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) },
      b: { dtype: 'F32', shape: [2, 2], data: new Float32Array([4, 5, 6, 7]) },
    });
    const buffer = Buffer.concat([Buffer.from([9, 9, 9]), Buffer.from(bytes)]).subarray(3);
    const back = decodeSafetensors(buffer);
    expect(Array.from(must(back.tensors.a).data)).toEqual([1, 2, 3]);
    expect(Array.from(must(back.tensors.b).data)).toEqual([4, 5, 6, 7]);
    const { tensors } = safetensorsToTensors(buffer);
    expect(Array.from(must(tensors.b).dataSync())).toEqual([4, 5, 6, 7]);
    tf.dispose(Object.values(tensors));
  });

  it('reads F16/BF16 and rejects malformed files with a typed error', () => {
    const hdr = JSON.stringify({
      h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
      b: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] },
    });
    const hb = new TextEncoder().encode(hdr);
    const bytes = new Uint8Array(8 + hb.length + 6);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, BigInt(hb.length), true);
    bytes.set(hb, 8);
    v.setUint16(8 + hb.length, 0x3c00, true); // 1.0
    v.setUint16(8 + hb.length + 2, 0xc000, true); // -2.0
    v.setUint16(8 + hb.length + 4, 0x4049, true); // bf16 3.140625
    const d = decodeSafetensors(bytes);
    expect(Array.from(must(d.tensors.h).data)).toEqual([1, -2]);
    expect(must(d.tensors.b).data[0]).toBe(3.140625);
    expect(() => decodeSafetensors(bytes.subarray(0, 5))).toThrow(SafetensorsError);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 1))).toThrow(/b\.data_offsets/);
    expect(() =>
      encodeSafetensors({ a: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }),
    ).toThrow(/a\.shape = \[3\]/);
  });
});
