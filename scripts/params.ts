/**
 * Parameter accounting from the command line:
 *   npm run params -- --model roberta-base|roberta-large|tiny [--r N --target-modules a,b]
 *                     [--lora-alpha A] [--modules-to-save classifier] [--table]
 * Prints the per-parameter table with --table, and PEFT's summary line last. Without --r no LoRA is
 * applied: every parameter trains, or with --modules-to-save only those modules do (the frozen
 * model with a trained classifier, the article's "classifier only" row). Shape-only: nothing is allocated, so roberta-large is fine.
 * `tiny` is our encoder's `tiny` preset (16,000-word vocabulary, sequences of 64) with a 2-label
 * classifier and no MLM head. Bad flags print a clear error and exit with status 2.
 */
import { parseArgs } from 'node:util';
import { formatParamTable, formatSummary, summarizeParams } from '../src/core/accounting.ts';
import { ENCODER_PRESETS } from '../src/core/models/encoder.ts';
import {
  MODEL_SPECS,
  accountingRows,
  encoderSpec,
  frozenRows,
  type ModelSpec,
} from '../src/core/models/specs.ts';
import { LoraConfigError, type LoraConfigInput } from '../src/core/lora/config.ts';

const MODELS: Record<string, () => ModelSpec> = {
  'roberta-base': () => MODEL_SPECS['roberta-base'],
  'roberta-large': () => MODEL_SPECS['roberta-large'],
  tiny: () => encoderSpec({ ...ENCODER_PRESETS.tiny, numLabels: 2, mlmHead: false }, 'tiny'),
};

const USAGE = `usage: npm run params -- --model <${Object.keys(MODELS).join('|')}> [--r N --target-modules a,b,…] [--lora-alpha A] [--modules-to-save m1,m2] [--table]`;

function fail(message: string): never {
  process.stderr.write(`params: ${message}\n${USAGE}\n`);
  process.exit(2);
}

interface Parsed {
  spec: ModelSpec;
  lora: LoraConfigInput | undefined;
  /** Without LoRA: the only modules that train (the rest frozen); undefined: all train. */
  onlyTrain: string[] | undefined;
  table: boolean;
}

function parse(): Parsed {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        model: { type: 'string' },
        r: { type: 'string' },
        'target-modules': { type: 'string' },
        'lora-alpha': { type: 'string' },
        'modules-to-save': { type: 'string' },
        table: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const modelName = values.model;
  if (modelName === undefined) fail('--model is required');
  const make = MODELS[modelName];
  if (!make) fail(`--model = "${modelName}": unknown model`);
  const number = (flag: string, raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) fail(`--${flag} = "${raw}": not a number`);
    return v;
  };
  const list = (raw: string): string[] =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  let lora: LoraConfigInput | undefined;
  if (values.r !== undefined) {
    const r = number('r', values.r);
    const tm = values['target-modules'];
    if (tm === undefined) fail('--r needs --target-modules');
    lora = {
      r,
      targetModules: list(tm),
      ...(values['lora-alpha'] !== undefined
        ? { loraAlpha: number('lora-alpha', values['lora-alpha']) }
        : {}),
      ...(values['modules-to-save'] !== undefined
        ? { modulesToSave: list(values['modules-to-save']) }
        : {}),
    };
  } else {
    for (const f of ['target-modules', 'lora-alpha'] as const) {
      if (values[f] !== undefined) fail(`--${f} needs --r (without --r no LoRA is applied)`);
    }
  }
  const save = values['modules-to-save'];
  const onlyTrain = lora === undefined && save !== undefined ? list(save) : undefined;
  if (onlyTrain?.length === 0) fail('--modules-to-save = "": names no module');
  return { spec: make(), lora, onlyTrain, table: values.table };
}

const { spec, lora, onlyTrain, table } = parse();
try {
  const rows = onlyTrain ? frozenRows(spec, onlyTrain) : accountingRows(spec, lora);
  if (table) process.stdout.write(`${formatParamTable(rows)}\n`);
  process.stdout.write(`${formatSummary(summarizeParams(rows))}\n`);
} catch (e) {
  if (e instanceof LoraConfigError) fail(e.message);
  throw e;
}
