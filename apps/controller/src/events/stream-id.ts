/** Redis stream ids ("<ms>-<seq>") in stream order. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split("-").map(BigInt) as [bigint, bigint];
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
}

export const STREAM_ID = /^\d{1,20}-\d{1,20}$/;
