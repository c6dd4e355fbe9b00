/// <reference lib="webworker" />
/**
 * The experiment worker: the subspace runs of the intrinsic-dimension lesson on their own thread,
 * so a training step (over a second on the pretrained encoder) never blocks the page. Started by
 * `client.ts` as a module worker; speaks `protocol.ts` through `host.ts`. The backend is chosen as
 * the training worker chooses it (`../platform/worker-backend.ts`, used as it is).
 */
import * as tf from '@tensorflow/tfjs';
import { startWorkerBackend } from '../platform/worker-backend.ts';
import { createExperimentHost } from './host.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const host = createExperimentHost(
  (m: FromWorker) => {
    scope.postMessage(m);
  },
  async (forced) => {
    const b = await startWorkerBackend(tf, forced);
    return { name: b.name, reason: b.reason };
  },
);
scope.addEventListener('message', (e: MessageEvent<ToWorker>) => {
  host.receive(e.data);
});
