import { z } from "zod";
import { isoTime, json, pageOf } from "../../common/responses";

/** The six metrics a migration is measured by. */
const sixMetrics = {
  preparationMs: z.number(),
  downtimeMs: z.number(),
  resumeMs: z.number(),
  pagesTransferred: z.number(),
  totalMs: z.number(),
  degradation: z.number(),
};

export const predictionSchema = z.object({
  technique: z.string(),
  ...sixMetrics,
  bytesTransferred: z.number(),
  reason: z.string(),
  slaWarning: z.string().optional(),
});

const nullable = <T extends Record<string, z.ZodType>>(shape: T) =>
  Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.nullable()])) as { [K in keyof T]: z.ZodNullable<T[K]> };

export const migrationSchema = z.object({
  id: z.string(),
  vmId: z.string(),
  sourceNodeId: z.string(),
  targetNodeId: z.string(),
  technique: z.string(),
  techniqueOptions: json,
  prediction: predictionSchema.nullable(),
  bandwidthMbps: z.number().nullable().describe("the request's own bandwidth cap (Mbit/s)"),
  bandwidthShareMbps: z.number().nullable().describe("its share of the links (Mbit/s): set when it starts, then recomputed by every scheduler pass while it is in flight (its agent sends at this rate); the last one once it ended"),
  reason: z.string().nullable(),
  hopFor: z.string().nullable().describe("on the first leg of a hop: the migration it serves"),
  waitReason: z.string().nullable().describe("why the scheduler has not started it yet, while it waits"),
  requestedBy: z.string(),
  state: z.string(),
  progress: z.number(),
  cancelRequested: z.boolean(),
  timestamps: z.object({
    requestedAt: isoTime.nullable(),
    queuedAt: isoTime.nullable(),
    startedAt: isoTime.nullable(),
    finishedAt: isoTime.nullable(),
    cancelRequestedAt: isoTime.nullable(),
    lastProgressAt: isoTime.nullable(),
  }),
  metrics: z.object(nullable(sixMetrics)).nullable().describe("the measured six metrics, once completed"),
  bytesTransferred: z.number().nullable(),
  imageDigest: z
    .object({ source: z.string().nullable(), target: z.string().nullable() })
    .nullable()
    .describe("SHA-256 of the guest image on both sides at the switchover (tcp mode)"),
  error: z.string().nullable(),
});

/** Progress of a running migration from its latest reports (libs/scheduler ProgressView). */
export const liveProgressSchema = z.object({
  phase: z.string(),
  percent: z.number(),
  bytesSent: z.number(),
  bytesRemaining: z.number(),
  dirtyBytesPerSec: z.number(),
  transferBytesPerSec: z.number(),
  etaMs: z.number().nullable(),
  stalled: z.boolean(),
  stallReason: z.string().optional(),
});

export const migrationDetailSchema = migrationSchema.extend({ live: liveProgressSchema.nullable() });

export const migrationPageSchema = pageOf(migrationSchema);
