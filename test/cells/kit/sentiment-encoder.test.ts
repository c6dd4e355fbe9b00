/**
 * The kit's sentiment start (src/cells/kit/sentiment-encoder.ts): the shipped encoder and split
 * loaded from public/ as a lesson's page loads them, the stand-in without a site, and a missing
 * model named in `why` instead of thrown.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSite, SiteFileError, type ReadFile } from '../../../src/cells/kit/site.ts';
import { directorySite } from '../../../src/cells/kit/site-node.ts';
import { SENTIMENT_OVERRIDES, sentimentEncoder } from '../../../src/cells/kit/sentiment-encoder.ts';
import { checkNoLeaks, expectBitIdentical, useBackend } from '../../core/helpers.ts';

checkNoLeaks();
beforeAll(() => useBackend('cpu'));

describe('sentimentEncoder', () => {
  it('loads the shipped encoder and split; each seed a fresh encoder with its own classifier', async () => {
    const start = await sentimentEncoder(directorySite());
    if (start.split === null) throw new Error(start.why);
    expect(start.ok).toBe(true);
    expect(start.why).toBe('');
    expect(start.split.train.length).toBeGreaterThan(1000);
    expect(start.tokenizer.size).toBe(start.config.vocabSize);
    expect(start.config).toMatchObject(SENTIMENT_OVERRIDES);
    const [a, b, c] = [start.encoder(1), start.encoder(1), start.encoder(2)];
    const weight = (e: typeof a, name: string) =>
      e.namedParameters().find((p) => p.name === name)?.variable ?? tf.scalar(0);
    const body = 'roberta.encoder.layer.0.attention.self.query.weight';
    expectBitIdentical(weight(a, body), weight(c, body)); // the pretrained body, whatever the seed
    expectBitIdentical(
      weight(a, 'classifier.out_proj.weight'),
      weight(b, 'classifier.out_proj.weight'),
    );
    const differs = tf.tidy(
      () =>
        tf
          .any(
            tf.notEqual(
              weight(a, 'classifier.out_proj.weight'),
              weight(c, 'classifier.out_proj.weight'),
            ),
          )
          .dataSync()[0],
    );
    expect(differs).toBe(1);
    for (const e of [a, b, c]) e.dispose();
    expect(start.source(3)).toMatchObject({ overrides: SENTIMENT_OVERRIDES, seed: 3 });
  });

  it('without a site: the stand-in, marked not ok, whose encoders are seeded 5000 + seed', async () => {
    const start = await sentimentEncoder(createSite(null, null));
    if (start.split === null) throw new Error(start.why);
    expect(start.ok).toBe(false);
    expect(start.why).toBe('no site to load the model from');
    expect(start.config.hiddenSize).toBe(16); // the micro preset
    expect(start.source(1)).toEqual({ config: start.config, seed: 5001 });
    const e = start.encoder(1);
    expect(e.config.numLabels).toBe(2);
    e.dispose();
  });

  it('overrides: the low-rank lesson keeps the MLM head, with the shipped weights or the stand-in', async () => {
    for (const site of [directorySite(), createSite(null, null)]) {
      const start = await sentimentEncoder(site, { mlmHead: true });
      if (start.split === null) throw new Error(start.why);
      expect(start.config).toMatchObject({ ...SENTIMENT_OVERRIDES, mlmHead: true });
      const e = start.encoder(0);
      expect(e.namedParameters().some((p) => p.name.startsWith('lm_head.'))).toBe(true);
      e.dispose();
      if (start.ok)
        expect(start.source(0)).toMatchObject({ overrides: { mlmHead: true, numLabels: 2 } });
    }
  });

  it('a file the site lacks: nothing to train on, and `why` names the file', async () => {
    const sentimentOnly: ReadFile = (path) =>
      path === 'data/sentiment.json'
        ? directorySite().bytes(path)
        : Promise.reject(new SiteFileError(path, 'HTTP 404', true));
    const start = await sentimentEncoder(createSite('https://x/', sentimentOnly));
    expect(start).toEqual({
      ok: false,
      why: expect.stringMatching(/^models\/tiny-roberta\/[a-z.]+: HTTP 404$/) as unknown,
      split: null,
    });
  });
});
