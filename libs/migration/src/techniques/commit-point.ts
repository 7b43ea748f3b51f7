import type { MigrationContext } from "./technique";

/**
 * Passes the commit point: true when the switchover may begin, false when the migration was cancelled before
 * or at it (the technique then leaves the guest on its source). Past this point nothing cancels.
 */
export async function maySwitchOver(ctx: MigrationContext): Promise<boolean> {
  if (ctx.signal?.aborted) return false;
  await ctx.beforeSwitchover?.();
  return !ctx.signal?.aborted;
}
