/**
 * Shape-only specs against published sizes.
 * Sources: `RobertaModel.from_pretrained("roberta-base").num_parameters()` = 124,645,632 and
 * `("roberta-large")` = 355,359,744 (these include the pooler, 768²+768 / 1024²+1024). LoRA paper
 * (Hu et al. 2021, Table 2): r = 8 on Wq, Wv trains 0.3M (base) / 0.8M (large) parameters, i.e.
 * 12·2·8·(768+768) = 294,912 and 24·2·8·(1024+1024) = 786,432.
 */
import { describe, expect, it } from 'vitest';
import { Encoder, ENCODER_PRESETS, encoderConfig } from '../../../src/core/models/encoder.ts';
import { MODEL_SPECS, accountingRows, encoderSpec } from '../../../src/core/models/specs.ts';
import {
  formatParamTable,
  formatSummary,
  parameterRows,
  summarizeParams,
} from '../../../src/core/accounting.ts';
import { getPeftModel } from '../../../src/core/lora/peft-model.ts';
import { LoraConfigError } from '../../../src/core/lora/config.ts';
import { checkNoLeaks } from '../helpers.ts';

describe('model specs', () => {
  checkNoLeaks();

  it('RobertaModel (with pooler) reproduces the published totals', () => {
    for (const [name, total] of [
      ['roberta-base', 124_645_632],
      ['roberta-large', 355_359_744],
    ] as const) {
      const spec = encoderSpec({ ...ENCODER_PRESETS[name], numLabels: 0, mlmHead: false }, name, {
        pooler: true,
      });
      expect(summarizeParams(accountingRows(spec)).all).toBe(total);
    }
  });

  it('sequence-classification specs: body without pooler plus a 2-label head', () => {
    expect(summarizeParams(accountingRows(MODEL_SPECS['roberta-base'])).all).toBe(
      124_645_632 - (768 * 768 + 768) + (768 * 768 + 768) + (768 * 2 + 2),
    );
    expect(summarizeParams(accountingRows(MODEL_SPECS['roberta-large'])).all).toBe(
      355_359_744 + 1024 * 2 + 2,
    );
  });

  it("LoRA r = 8 on query, value trains the LoRA paper's 0.3M / 0.8M parameters", () => {
    const base = summarizeParams(
      accountingRows(MODEL_SPECS['roberta-base'], { r: 8, targetModules: ['query', 'value'] }),
    );
    expect(base.trainable).toBe(294_912);
    const large = summarizeParams(
      accountingRows(MODEL_SPECS['roberta-large'], { r: 8, targetModules: ['query', 'value'] }),
    );
    expect(large.trainable).toBe(786_432);
    expect(large.all).toBe(355_361_794 + 786_432);
    // With the classifier trained too: PEFT's example prints 887,042 trainable for roberta-base.
    const withHead = summarizeParams(
      accountingRows(MODEL_SPECS['roberta-base'], {
        r: 8,
        targetModules: ['query', 'value'],
        modulesToSave: ['classifier'],
      }),
    );
    expect(withHead.trainable).toBe(294_912 + 590_592 + 1_538);
    expect(formatSummary(withHead)).toBe(
      `trainable params: 887,042 || all params: 124,942,082 || trainable%: ${((100 * 887_042) / 124_942_082).toFixed(4)}`,
    );
    expect(formatSummary(withHead)).toMatch(/trainable%: 0\.7100$/);
  });

  it('the spec of our encoder lists exactly the real model’s names and shapes, and counts LoRA the same', () => {
    const cfg = encoderConfig('micro');
    const enc = new Encoder(cfg, { seed: 0 });
    const spec = encoderSpec(cfg, 'micro');
    expect(spec.parameters.map((p) => [p.name, p.shape])).toEqual(
      enc.namedParameters().map((p) => [p.name, p.variable.shape]),
    );
    expect(spec.linearModules.map((l) => l.name)).toEqual([...enc.linearModules().keys()]);
    const lora = { r: 2, targetModules: ['query', 'value'], modulesToSave: ['classifier'] };
    const peft = getPeftModel(enc, lora);
    expect(accountingRows(spec, lora)).toEqual(parameterRows(peft));
    peft.dispose();
  });

  it('invalid LoRA on a spec throws the same typed errors', () => {
    expect(() =>
      accountingRows(MODEL_SPECS['roberta-base'], { r: 0, targetModules: ['query'] }),
    ).toThrow(LoraConfigError);
    expect(() =>
      accountingRows(MODEL_SPECS['roberta-base'], { r: 769, targetModules: ['query'] }),
    ).toThrow(/r = 769/);
    expect(() =>
      accountingRows(MODEL_SPECS['roberta-base'], { r: 8, targetModules: ['q_proj'] }),
    ).toThrow(/targetModules/);
  });

  it('formats the table and summary', () => {
    const rows = [
      { name: 'a.weight', trainable: 1 as const, count: 1234 },
      { name: 'b', trainable: 0 as const, count: 10 },
    ];
    const t = formatParamTable(rows);
    expect(t.split('\n')).toHaveLength(3);
    expect(t).toMatch(/a\.weight\s+1\s+1,234/);
    expect(formatSummary(summarizeParams(rows))).toBe(
      'trainable params: 1,234 || all params: 1,244 || trainable%: 99.1961',
    );
  });
});
