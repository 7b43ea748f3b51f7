import type { Tx } from "../database/prisma.service";
import { FerryError } from "../common/errors";

export interface Rate {
  vmA: string;
  vmB: string;
  rateMbps: number;
}

/** A pair is stored once, with the smaller id first, whichever way it was reported. */
function ordered(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/** Refuse (VmNotFound, listing them) when any id names no VM. */
export async function requireVms(tx: Tx, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)];
  const found = new Set((await tx.vm.findMany({ where: { id: { in: unique } }, select: { id: true } })).map((v) => v.id));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length) throw new FerryError("VmNotFound", `unknown VMs: ${missing.join(", ")}`, { missing });
}

/**
 * Store measured rates inside the caller's transaction: the last rate given for a pair wins, 0 removes the
 * pair. One INSERT ... ON CONFLICT and one DELETE, however large the batch.
 */
export async function storeRates(tx: Tx, rates: Rate[]): Promise<{ upserted: number; removed: number }> {
  const latest = new Map<string, number>();
  for (const r of rates) latest.set(ordered(r.vmA, r.vmB).join(":"), r.rateMbps);
  const upserts = [...latest].filter(([, rate]) => rate > 0);
  const removals = [...latest].filter(([, rate]) => rate === 0).map(([key]) => key);
  if (upserts.length) {
    const a = upserts.map(([key]) => key.split(":")[0]!);
    const b = upserts.map(([key]) => key.split(":")[1]!);
    const values = upserts.map(([, rate]) => rate);
    await tx.$executeRaw`
      INSERT INTO "Traffic" ("vmAId", "vmBId", "rateMbps", "updatedAt")
      SELECT unnest(${a}::uuid[]), unnest(${b}::uuid[]), unnest(${values}::float8[]), now() AT TIME ZONE 'UTC'
      ON CONFLICT ("vmAId", "vmBId") DO UPDATE SET "rateMbps" = EXCLUDED."rateMbps", "updatedAt" = EXCLUDED."updatedAt"`;
  }
  const removed = removals.length
    ? await tx.$executeRaw`DELETE FROM "Traffic" WHERE ("vmAId"::text || ':' || "vmBId"::text) = ANY(${removals}::text[])`
    : 0;
  return { upserted: upserts.length, removed };
}
