/**
 * Files from anywhere (issue 23): the safetensors reader and `adapter_config.json` are strict.
 * Property tests (fast-check) generate valid files (which round-trip, whatever the names), files
 * with broken headers and offsets, and arbitrary bytes: the only error ever thrown is the typed
 * one, and a malformed file never loads. Adapter weights that are not finite are refused, and a
 * `target_modules` pattern that could backtrack for minutes is refused before it runs.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeSafetensors,
  encodeSafetensors,
  MAX_HEADER_BYTES,
  SafetensorsError,
  type RawTensor,
} from '../../../src/core/io/safetensors.ts';
import { loadAdapter, parseAdapterConfig, saveAdapter } from '../../../src/core/lora/io.ts';
import { AdapterLoadError } from '../../../src/core/lora/errors.ts';
import { unsafePatternReason } from '../../../src/core/lora/config.ts';
import { Encoder, encoderConfig } from '../../../src/core/models/encoder.ts';
import { getPeftModel, PeftModel } from '../../../src/core/lora/peft-model.ts';

/** A file with the given header object (as JSON, padded) and data bytes. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), rawJson?: string): Uint8Array {
  const json = new TextEncoder().encode(rawJson ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Runs decode; returns 'ok', or the name of the error class thrown. */
function outcome(bytes: Uint8Array): string {
  try {
    decodeSafetensors(bytes);
    return 'ok';
  } catch (e) {
    return e instanceof SafetensorsError
      ? 'SafetensorsError'
      : `${(e as Error).name}: ${String(e)}`;
  }
}

const f32 = (n: number): RawTensor => ({
  dtype: 'F32',
  shape: [n],
  data: new Float32Array(n).fill(1.5),
});

const nameArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a.lora_A.weight'),
);
const tensorArb: fc.Arbitrary<RawTensor> = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), fc.boolean())
  .chain(([shape, isFloat]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return isFloat
      ? fc
          .array(fc.float({ noDefaultInfinity: false }), { minLength: n, maxLength: n })
          .map((xs): RawTensor => ({ dtype: 'F32', shape, data: Float32Array.from(xs) }))
      : fc
          .array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: n, maxLength: n })
          .map((xs): RawTensor => ({ dtype: 'I32', shape, data: Int32Array.from(xs) }));
  });

describe('safetensors reader: strict and typed (issue 23)', () => {
  it('round-trips any tensors under any names, __proto__ included (property)', () => {
    fc.assert(
      fc.property(
        fc
          .uniqueArray(fc.tuple(nameArb, tensorArb), {
            selector: ([n]) => n,
            maxLength: 5,
          })
          .map((pairs) => pairs.filter(([n]) => n !== '__metadata__')),
        (pairs) => {
          const tensors: Record<string, RawTensor> = {};
          for (const [n, t] of pairs)
            Object.defineProperty(tensors, n, { value: t, enumerable: true });
          const back = decodeSafetensors(encodeSafetensors(tensors));
          expect(Object.keys(back.tensors).sort()).toEqual(pairs.map(([n]) => n).sort());
          for (const [n, t] of pairs) {
            const got = Object.getOwnPropertyDescriptor(back.tensors, n)?.value as RawTensor;
            expect(got.shape).toEqual(t.shape);
            expect(new Uint8Array(got.data.buffer)).toEqual(new Uint8Array(t.data.buffer));
          }
          expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('throws only SafetensorsError for any bytes, and for any mutation of a valid file (property)', () => {
    const valid = encodeSafetensors({ a: f32(3), b: f32(2) }, { format: 'pt' });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc
            .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
              minLength: 1,
              maxLength: 4,
            })
            .map((edits) => {
              const copy = valid.slice();
              for (const [at, v] of edits) copy[at] = v;
              return copy;
            }),
          fc.nat(valid.length).map((n) => valid.slice(0, n)),
        ),
        (bytes) => {
          expect(['ok', 'SafetensorsError']).toContain(outcome(bytes));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('throws only SafetensorsError for any JSON header (property)', () => {
    const entry = fc.record(
      {
        dtype: fc.oneof(
          fc.constantFrom('F32', 'I32', 'F16', 'BF16', 'F64', 'I64', 'U8'),
          fc.jsonValue(),
        ),
        shape: fc.oneof(
          fc.array(fc.integer({ min: -2, max: 3 }), { maxLength: 3 }),
          fc.jsonValue(),
        ),
        data_offsets: fc.oneof(
          fc.tuple(fc.integer({ min: -4, max: 40 }), fc.integer({ min: -4, max: 40 })),
          fc.array(fc.oneof(fc.double(), fc.integer()), { maxLength: 3 }),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.dictionary(nameArb, fc.oneof(entry, fc.jsonValue()), { maxKeys: 4 }),
        ),
        fc.uint8Array({ maxLength: 40 }),
        (header, data) => {
          const result = outcome(file(header, data));
          expect(['ok', 'SafetensorsError']).toContain(result);
          if (result === 'ok') {
            // What loads is exactly indexed: the tensors' bytes add up to the data.
            const { tensors } = decodeSafetensors(file(header, data));
            const total = Object.values(tensors).reduce((n, t) => n + t.data.length, 0);
            expect(total).toBeLessThanOrEqual(data.length);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses each malformed case with a SafetensorsError naming it', () => {
    const four = new Uint8Array(4);
    const cases: [string, Uint8Array, RegExp][] = [
      ['array header', file([1, 2]), /header = .*must be a JSON object/],
      ['null header', file(null), /must be a JSON object/],
      ['entry not an object', file({ a: 3 }), /^a = 3: must be an object/],
      ['null entry', file({ a: null }), /must be an object/],
      ['no offsets', file({ a: { dtype: 'F32', shape: [1] } }, four), /data_offsets/],
      [
        'negative offset',
        file({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, four),
        /non-negative/,
      ],
      [
        'fractional offset',
        file({ a: { dtype: 'F32', shape: [0], data_offsets: [0.5, 0.5] } }, four),
        /non-negative integers/,
      ],
      [
        'three offsets',
        file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, four),
        /two non-negative/,
      ],
      [
        'overlap',
        file(
          {
            a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
            b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          },
          four,
        ),
        /overlaps/,
      ],
      [
        'gap',
        file({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
        /gap/,
      ],
      [
        'unindexed tail',
        file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)),
        /fully indexed/,
      ],
      [
        'metadata not strings',
        file({ __metadata__: { n: 1 } }),
        /__metadata__\.n = 1: must be a string/,
      ],
      ['metadata not an object', file({ __metadata__: 'x' }), /__metadata__ = "x"/],
      [
        'dtype from the prototype',
        file({ a: { dtype: 'toString', shape: [], data_offsets: [0, 0] } }),
        /unsupported/,
      ],
      [
        'huge shape',
        file({ a: { dtype: 'F64', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 0] } }),
        /span/,
      ],
      [
        'invalid UTF-8',
        file(null, undefined, '{"a\uFFFD":1}').map((b, i) => (i === 10 ? 0xff : b)),
        /UTF-8/,
      ],
    ];
    for (const [what, bytes, message] of cases) {
      expect(() => decodeSafetensors(bytes), what).toThrow(SafetensorsError);
      expect(() => decodeSafetensors(bytes), what).toThrow(message);
    }
    // A header length beyond the cap is refused before anything is read.
    const big = new Uint8Array(16);
    new DataView(big.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES) + 1n, true);
    expect(() => decodeSafetensors(big)).toThrow(/exceeds the limit/);
    new DataView(big.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(() => decodeSafetensors(big)).toThrow(SafetensorsError);
  });

  it('reads a tensor named __proto__ as an own entry, without touching the prototype', () => {
    const bytes = file(
      { __proto__: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } },
      new Uint8Array(4),
      '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
    );
    const { tensors } = decodeSafetensors(bytes);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
  });
});

describe('adapter_config.json: strict types (issue 23)', () => {
  const good = {
    peft_type: 'LORA',
    r: 2,
    lora_alpha: 4,
    lora_dropout: 0,
    target_modules: ['query'],
    use_rslora: false,
  };
  const parse = (patch: Record<string, unknown>) =>
    parseAdapterConfig(JSON.stringify({ ...good, ...patch }));

  it('refuses wrong types and null instead of coercing them', () => {
    for (const patch of [
      { r: true },
      { r: '8' },
      { r: null },
      { r: 2.5 },
      { lora_alpha: null },
      { lora_alpha: '16' },
      { lora_dropout: [] },
      { use_rslora: 'true' },
      { use_rslora: null },
      { init_scale: null },
      { modules_to_save: 'classifier' },
      { modules_to_save: [1] },
      { target_modules: null },
      { use_dora: 'yes' },
    ]) {
      expect(() => parse(patch), JSON.stringify(patch)).toThrow(AdapterLoadError);
    }
    for (const json of ['null', '[]', '"LORA"', '3']) {
      expect(() => parseAdapterConfig(json), json).toThrow(AdapterLoadError);
    }
    expect(parse({ use_rslora: true }).useRslora).toBe(true);
    expect(parse({ lora_alpha: undefined }).loraAlpha).toBe(8);
  });

  it('throws only AdapterLoadError for any JSON (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            {
              peft_type: fc.oneof(fc.constant('LORA'), fc.jsonValue()),
              r: fc.jsonValue(),
              lora_alpha: fc.jsonValue(),
              use_rslora: fc.jsonValue(),
              target_modules: fc.oneof(fc.array(fc.string()), fc.string(), fc.jsonValue()),
              modules_to_save: fc.jsonValue(),
              init_lora_weights: fc.jsonValue(),
            },
            { requiredKeys: [] },
          ),
        ),
        (value) => {
          try {
            const c = parseAdapterConfig(JSON.stringify(value));
            expect(Number.isSafeInteger(c.r)).toBe(true);
            expect(typeof c.useRslora).toBe('boolean');
          } catch (e) {
            expect(e).toBeInstanceOf(AdapterLoadError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses a target_modules pattern that could hang the worker, at once', () => {
    for (const pattern of ['(a+)+b', '(a|aa)*c', '(.*a){8}', '(?=x)query', '(q)\\1']) {
      const start = performance.now();
      expect(() => parse({ target_modules: pattern }), pattern).toThrow(
        /target_modules = .*must be safe to run/,
      );
      expect(performance.now() - start).toBeLessThan(50);
      expect(unsafePatternReason(pattern)).not.toBeNull();
    }
    // PEFT's usual patterns load.
    for (const pattern of ['.*\\.(query|value)', '.*encoder.*\\.layer\\.[0-9]+\\.attention.*'])
      expect(parse({ target_modules: pattern }).targetModules).toBe(pattern);
  });
});

describe('adapter weights that are not finite are refused', () => {
  it('NaN or Infinity in lora_B: AdapterLoadError, and the model is unchanged', async () => {
    const micro = encoderConfig('micro', { hiddenDropoutProb: 0, attentionDropoutProb: 0 });
    const peft = getPeftModel(new Encoder(micro, { seed: 1 }), {
      r: 1,
      targetModules: ['value'],
    });
    const files = await saveAdapter(peft);
    const { tensors, metadata } = decodeSafetensors(files.adapterModelSafetensors);
    const name = Object.keys(tensors).find((n) => n.endsWith('lora_B.weight')) ?? '';
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const t = tensors[name];
      if (!t) throw new Error('no lora_B');
      const data = Float32Array.from(t.data);
      data[1] = bad;
      const poisoned = encodeSafetensors({ ...tensors, [name]: { ...t, data } }, metadata);
      const fresh = new PeftModel(new Encoder(micro, { seed: 1 }));
      expect(() => {
        loadAdapter(fresh, { ...files, adapterModelSafetensors: poisoned });
      }).toThrow(/lora_B\.weight\[1\] = (NaN|Infinity): is not a finite number/);
      expect(fresh.adapterNames).toEqual([]);
      fresh.dispose();
    }
    peft.dispose();
    expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
  });
});
