/**
 * The experiments layer, whole: every lesson's experiment code, which lesson cells name as the
 * built-in `lab` (loaded lazily, like `core`) and the precompute scripts import directly — one
 * code path for the page and for the committed results. Each lesson's code lives in a folder of
 * its own and imports only the core (docs/architecture.md).
 */
export * from './intrinsic/index.ts';
export * from './placement/index.ts';
export * from './initialisation/index.ts';
export * from './training/index.ts';
export * from './lowrank/index.ts';
export * from './own-data/index.ts';
export {
  createOwnDataTrainer,
  type OwnDataTrainer,
  type OwnTrainerInit,
} from './own-data-trainer.ts';
export * from './qlora/index.ts';
