/** Claims of lessons/how-these-notebooks-work.mdx (being audited; see claim.ts for how to add one). */
import type { Claim } from './claim.ts';

export const claims: readonly Claim[] = [];
