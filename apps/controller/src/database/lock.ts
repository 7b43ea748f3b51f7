import type { Tx } from "./prisma.service";

type LockableTable = "Node" | "Vm" | "Migration" | "Plan";

/** Lock a row for the rest of the transaction (SELECT ... FOR UPDATE). Returns false when it does not exist. */
export async function lockRow(tx: Tx, table: LockableTable, id: string): Promise<boolean> {
  // The table name comes from the closed union above, never from input.
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(`SELECT id FROM "${table}" WHERE id = $1::uuid FOR UPDATE`, id);
  return rows.length > 0;
}
