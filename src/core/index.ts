/**
 * The typed core: LoRA, models, training, data and backend choice. It imports TF.js and nothing of
 * the page, so the same module runs in lesson cells (browser), in scripts and in tests (Node).
 */
export const CORE_VERSION = '0.1.0';
