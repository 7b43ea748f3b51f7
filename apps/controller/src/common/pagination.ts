import { z } from "zod";

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().uuid("cursor must be a value returned as nextCursor").optional(),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Prisma arguments for one page: one extra row tells whether another page follows. */
export function pageArgs(query: PageQuery) {
  return {
    take: query.limit + 1,
    ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
  };
}

/**
 * One page from rows fetched with one extra row: the extra row only says another page follows, and the cursor
 * is the last kept row's (its id unless `cursorOf` says otherwise).
 */
export function toPage<R, T>(
  rows: R[],
  query: { limit: number },
  view: (row: R) => T,
  cursorOf: (row: R) => string = (row) => (row as { id: string }).id,
): Page<T> {
  const more = rows.length > query.limit;
  const kept = more ? rows.slice(0, query.limit) : rows;
  return { items: kept.map(view), nextCursor: more ? cursorOf(kept[kept.length - 1]!) : null };
}
