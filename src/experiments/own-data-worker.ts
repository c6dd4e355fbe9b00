/// <reference lib="webworker" />
/**
 * The own-data lesson's training worker: an {@link createOwnDataHost} on its own thread, so the
 * reader's page stays responsive while the adapter trains. Started by `own-data-trainer.ts` as a
 * module worker; the backend is chosen as the other workers choose it
 * (`../platform/worker-backend.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { startWorkerBackend } from '../platform/worker-backend.ts';
import { createOwnDataHost, type OwnFromWorker, type OwnToWorker } from './own-data-trainer.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const host = createOwnDataHost(
  (m: OwnFromWorker) => {
    scope.postMessage(m);
  },
  async (forced) => {
    const b = await startWorkerBackend(tf, forced);
    return { name: b.name, reason: b.reason };
  },
);
scope.addEventListener('message', (e: MessageEvent<OwnToWorker>) => {
  host.receive(e.data);
});
