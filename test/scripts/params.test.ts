import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

function run(args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(tsx, ['scripts/params.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run params', () => {
  it('prints PEFT’s summary line last (and the table with --table)', () => {
    const r = run([
      '--model',
      'roberta-base',
      '--r',
      '8',
      '--target-modules',
      'query,value',
      '--modules-to-save',
      'classifier',
      '--table',
    ]);
    expect(r.status).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.at(-1)).toBe(
      'trainable params: 887,042 || all params: 124,942,082 || trainable%: 0.7100',
    );
    expect(lines[0]).toMatch(/^name\s+trainable\s+count$/);
    expect(lines.some((l) => /classifier\.out_proj\.weight\s+1\s+1,536/.test(l))).toBe(true);
  });

  it('the classifier alone (no LoRA): the frozen model with a trained head, PEFT-style', () => {
    const r = run(['--model', 'roberta-base', '--modules-to-save', 'classifier']);
    expect(r.status).toBe(0);
    // RoBERTa's head: dense 768×768 + 768, out_proj 768×2 + 2 = 592,130 of the base's weights.
    expect(r.out.trim()).toBe(
      'trainable params: 592,130 || all params: 124,647,170 || trainable%: 0.4750',
    );
    const bad = run(['--model', 'roberta-base', '--modules-to-save', 'nothing']);
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/modulesToSave = "nothing": matches no module/);
  });

  it('rejects bad flags with a clear message and exit status 2', () => {
    const a = run(['--model', 'gpt-5']);
    expect(a.status).toBe(2);
    expect(a.err).toMatch(/--model = "gpt-5": unknown model/);
    const b = run(['--model', 'tiny', '--r', 'x', '--target-modules', 'query']);
    expect(b.status).toBe(2);
    expect(b.err).toMatch(/--r = "x": not a number/);
    const c = run(['--model', 'tiny', '--r', '4', '--target-modules', 'nothing']);
    expect(c.status).toBe(2);
    expect(c.err).toMatch(/targetModules = \["nothing"\]: matches no linear module/);
  });
});
