import { Prisma } from "../generated/prisma/client";

/**
 * Sample times are UTC in "timestamp without time zone" columns (Prisma's DateTime). Times go to raw queries
 * as epoch milliseconds and come back the same way, so no driver time-zone conversion is involved.
 */
export const utc = (epochMs: number) => Prisma.sql`(to_timestamp(${epochMs}::float8 / 1000.0) AT TIME ZONE 'UTC')`;

/** A sample time column as epoch milliseconds. */
export const epochMs = (column: Prisma.Sql) => Prisma.sql`(extract(epoch FROM ${column}) * 1000)`;
