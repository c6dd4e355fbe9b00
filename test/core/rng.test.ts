import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng, RngError, randn, uniform } from '../../src/core/rng.ts';
import { checkNoLeaks } from './helpers.ts';

describe('Rng', () => {
  checkNoLeaks();

  it('same seed gives the same stream; different seeds differ', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 100 }, () => a.next());
    const xb = Array.from({ length: 100 }, () => b.next());
    const xc = Array.from({ length: 100 }, () => c.next());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    expect(xa.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('uniforms have mean 1/2 and variance 1/12; normals mean 0 and variance 1 (n = 200k)', () => {
    const r = new Rng(7);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let z = 0;
    let z2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      s += u;
      s2 += u * u;
      const g = r.normal();
      z += g;
      z2 += g * g;
    }
    // Standard errors: uniform mean 0.29/√n ≈ 6.5e-4, normal mean 1/√n ≈ 2.2e-3; allow ~4.5σ.
    expect(Math.abs(s / n - 0.5)).toBeLessThan(3e-3);
    expect(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12)).toBeLessThan(2e-3);
    expect(Math.abs(z / n)).toBeLessThan(1e-2);
    expect(Math.abs(z2 / n - 1)).toBeLessThan(1.5e-2);
  });

  it('fork depends on the seed and label only, not on draws made before', () => {
    const a = new Rng(1);
    const f1 = a.fork('x').next();
    a.next();
    a.next();
    expect(a.fork('x').next()).toBe(f1);
    expect(a.fork('y').next()).not.toBe(f1);
  });

  it('int is uniform over [0, n) and shuffle is a permutation', () => {
    const r = new Rng(3);
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < 50_000; i++) {
      const k = r.int(5);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    const p = r.shuffle(Array.from({ length: 100 }, (_, i) => i));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(() => r.int(0)).toThrow(RngError);
    expect(() => new Rng(Number.NaN)).toThrow(/seed = NaN/);
  });

  it('randn/uniform tensors are reproducible and shaped', () => {
    const a = randn(new Rng(5), [3, 4], 0.5);
    const b = randn(new Rng(5), [3, 4], 0.5);
    const u = uniform(new Rng(5), [2, 2], -1, 1);
    expect(a.shape).toEqual([3, 4]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(u.dataSync()).every((x) => x >= -1 && x < 1)).toBe(true);
    tf.dispose([a, b, u]);
  });
});
