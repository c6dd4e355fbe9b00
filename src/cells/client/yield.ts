/**
 * Time slicing for page work that would otherwise be one long task (mounting a lesson's editors):
 * the core's `slicer(budgetMs)` and `yieldToMain()` (src/core/yield.ts), which the core's own
 * training loops use too.
 */
export { slicer, yieldToMain } from '../../core/yield.ts';
