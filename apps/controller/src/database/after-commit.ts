import type { Tx } from "./prisma.service";
import type { PrismaClient } from "../generated/prisma/client";

const hooksOf = new WeakMap<object, (() => void)[]>();

/**
 * Run `hook` once `tx` has committed; never when it rolls back. Outside an interactive transaction opened
 * through PrismaService (a plain client), `hook` runs at once.
 */
export function afterCommit(tx: Tx, hook: () => void): void {
  const hooks = hooksOf.get(tx);
  if (hooks) hooks.push(hook);
  else hook();
}

/** Makes `client.$transaction(fn)` run the afterCommit hooks `fn` registered, once it has committed. */
export function runHooksAfterCommit(client: PrismaClient): void {
  const open = client.$transaction.bind(client) as (arg: unknown, options?: unknown) => Promise<unknown>;
  const withHooks = async (arg: unknown, options?: unknown) => {
    if (typeof arg !== "function") return open(arg, options);
    const hooks: (() => void)[] = [];
    const result = await open(async (tx: Tx) => {
      hooksOf.set(tx, hooks);
      return (arg as (tx: Tx) => Promise<unknown>)(tx);
    }, options);
    for (const hook of hooks) hook();
    return result;
  };
  client.$transaction = withHooks as PrismaClient["$transaction"];
}
