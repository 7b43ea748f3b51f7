import { Prisma } from "../generated/prisma/client";
import type { Tx } from "../database/prisma.service";

/** The one lease the controller's replicas compete for. */
export const LEASE_NAME = "controller";

/**
 * What a replica holds while it leads: its own name, the epoch (the fencing token: every takeover raises it,
 * a renewal keeps it) and when the lease runs out unless renewed.
 */
export interface LeaderTerm {
  readonly holder: string;
  readonly epoch: number;
  readonly expiresAt: Date;
}

/** The lease row as one statement saw it: the term of whoever holds it now (possibly expired). */
export interface LeaseView {
  readonly term: LeaderTerm;
  readonly mine: boolean;
}

/**
 * Thrown by the fence when the lease has moved on from the term the work runs under (another replica took
 * over), or when there is no term at all: the transaction rolls back with nothing written. Not a domain error:
 * it never reaches an HTTP client, and code that turns domain errors into outcomes lets it through.
 */
export class LeadershipLost extends Error {
  constructor(message: string) {
    super(`leadership lost: ${message}`);
    this.name = "LeadershipLost";
  }
}

// Prisma keeps DateTime as UTC in "timestamp without time zone" columns; times cross as epoch milliseconds.
const timestamp = (ms: number) => Prisma.sql`(to_timestamp(${ms}::float8 / 1000) AT TIME ZONE 'UTC')`;

type LeaseRow = { holder: string; epoch: number; expiresAtMs: number };

/**
 * Acquire or renew the lease in one statement: the holder renews it (keeping its epoch, even when it has
 * lapsed, because nobody else took it meanwhile), anyone takes over an expired one (raising the epoch), and a
 * live lease of another holder is left alone. Answers the lease as it is after the statement, ours or not.
 * `nowMs` comes from the caller's Clock, so replicas must keep their clocks within a small part of the lease.
 */
export async function claimLease(db: Tx, holder: string, nowMs: number, durationMs: number): Promise<LeaseView> {
  const now = timestamp(nowMs);
  const expires = timestamp(nowMs + durationMs);
  const rows = await db.$queryRaw<LeaseRow[]>`
    WITH claimed AS (
      INSERT INTO "Lease" AS l (name, holder, epoch, "acquiredAt", "renewedAt", "expiresAt")
      VALUES (${LEASE_NAME}, ${holder}, 1, ${now}, ${now}, ${expires})
      ON CONFLICT (name) DO UPDATE SET
        holder = EXCLUDED.holder,
        epoch = CASE WHEN l.holder = EXCLUDED.holder THEN l.epoch ELSE l.epoch + 1 END,
        "acquiredAt" = CASE WHEN l.holder = EXCLUDED.holder THEN l."acquiredAt" ELSE EXCLUDED."acquiredAt" END,
        "renewedAt" = EXCLUDED."renewedAt",
        "expiresAt" = EXCLUDED."expiresAt"
      WHERE l.holder = EXCLUDED.holder OR l."expiresAt" <= EXCLUDED."renewedAt"
      RETURNING holder, epoch, "expiresAt"
    )
    SELECT holder, epoch, (extract(epoch FROM "expiresAt") * 1000)::float8 AS "expiresAtMs" FROM claimed
    UNION ALL
    SELECT holder, epoch, (extract(epoch FROM "expiresAt") * 1000)::float8 FROM "Lease"
     WHERE name = ${LEASE_NAME} AND NOT EXISTS (SELECT 1 FROM claimed)`;
  const row = rows[0]!;
  return { term: { holder: row.holder, epoch: row.epoch, expiresAt: new Date(row.expiresAtMs) }, mine: row.holder === holder };
}

/** Give the lease up (on shutdown) so a follower takes over at once instead of waiting for it to expire. */
export async function releaseLease(db: Tx, term: LeaderTerm, nowMs: number): Promise<void> {
  await db.$executeRaw`
    UPDATE "Lease" SET "expiresAt" = ${timestamp(nowMs)}
     WHERE name = ${LEASE_NAME} AND holder = ${term.holder} AND epoch = ${term.epoch}`;
}

/**
 * The fence: inside a transaction, lock the lease row in share mode and check it still carries `term`. The
 * lock lasts until the transaction ends, so a takeover (which updates the row) waits for it: every write of
 * the transaction commits before the epoch moves, or the transaction is refused here and writes nothing.
 * Expiry alone is not checked: until another replica takes over, nobody else writes.
 */
export async function checkTerm(tx: Tx, term: LeaderTerm): Promise<void> {
  const rows = await tx.$queryRaw<{ holder: string; epoch: number }[]>`
    SELECT holder, epoch FROM "Lease" WHERE name = ${LEASE_NAME} FOR SHARE`;
  const now = rows[0];
  const mine = `this write ran under epoch ${term.epoch} of ${term.holder}`;
  if (!now) throw new LeadershipLost(`no lease row; ${mine}`);
  if (now.holder !== term.holder || now.epoch !== term.epoch) throw new LeadershipLost(`the lease is at epoch ${now.epoch} of ${now.holder}; ${mine}`);
}
