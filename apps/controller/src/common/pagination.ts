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

export function toPage<R extends { id: string }, T>(rows: R[], query: PageQuery, view: (row: R) => T): Page<T> {
  const more = rows.length > query.limit;
  const kept = more ? rows.slice(0, query.limit) : rows;
  return { items: kept.map(view), nextCursor: more ? kept[kept.length - 1]!.id : null };
}
