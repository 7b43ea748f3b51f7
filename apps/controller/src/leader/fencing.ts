import { AsyncLocalStorage } from "node:async_hooks";
import type { Tx } from "../database/prisma.service";
import type { PrismaClient } from "../generated/prisma/client";
import { LeaderTerm, checkTerm } from "./lease";

const terms = new AsyncLocalStorage<LeaderTerm>();

/**
 * Run `work` on behalf of `term`: every interactive transaction it opens, however deep in the services it
 * calls, checks the term first (see fenceTransactions). The periodic loops run this way, so a loop's writes
 * are fenced without the services it calls knowing about leadership.
 */
export function asLeader<T>(term: LeaderTerm, work: () => Promise<T>): Promise<T> {
  return terms.run(term, work);
}

/** The term the current work runs under, if it runs under asLeader. */
export function currentTerm(): LeaderTerm | undefined {
  return terms.getStore();
}

/**
 * Makes `client.$transaction(fn)` open with checkTerm when called under asLeader; outside it (the API, on
 * every replica) transactions are unchanged. Batch transactions (`$transaction([...])`) are not fenced: they
 * cannot run a check first, so loop code that must be fenced writes in interactive transactions.
 */
export function fenceTransactions(client: PrismaClient): void {
  const open = client.$transaction.bind(client) as (arg: unknown, options?: unknown) => Promise<unknown>;
  const fenced = (arg: unknown, options?: unknown) => {
    const term = currentTerm();
    if (!term || typeof arg !== "function") return open(arg, options);
    return open(async (tx: Tx) => {
      await checkTerm(tx, term);
      return (arg as (tx: Tx) => Promise<unknown>)(tx);
    }, options);
  };
  client.$transaction = fenced as PrismaClient["$transaction"];
}
