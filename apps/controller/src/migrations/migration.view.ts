import type { z } from "zod";
import type { Migration } from "../generated/prisma/client";
import type { migrationSchema, predictionSchema } from "./dto/migration.answer";

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** A migration as the API shows it. `metrics` is present once the migration has completed. */
export function migrationView(m: Migration): z.infer<typeof migrationSchema> {
  return {
    id: m.id,
    vmId: m.vmId,
    sourceNodeId: m.sourceNodeId,
    targetNodeId: m.targetNodeId,
    technique: m.technique,
    techniqueOptions: m.techniqueOptions,
    prediction: m.prediction as z.infer<typeof predictionSchema> | null,
    /** The request's own cap, and the share of the links the scheduler gave it when it started (Mbit/s). */
    bandwidthMbps: m.bandwidthCapMbps,
    bandwidthShareMbps: m.bandwidthShareMbps,
    reason: m.reason,
    /** On the first leg of a hop: the migration it serves (that one completes when the VM reaches its own target). */
    hopFor: m.hopForId,
    /** Why the scheduler has not started it yet, while it waits. */
    waitReason: m.waitReason,
    requestedBy: m.requestedBy,
    state: m.state,
    progress: m.progress,
    cancelRequested: m.cancelRequestedAt !== null,
    timestamps: {
      requestedAt: iso(m.requestedAt),
      queuedAt: iso(m.queuedAt),
      startedAt: iso(m.startedAt),
      finishedAt: iso(m.finishedAt),
      cancelRequestedAt: iso(m.cancelRequestedAt),
      lastProgressAt: iso(m.lastProgressAt),
    },
    metrics:
      m.state === "completed"
        ? {
            preparationMs: m.preparationMs,
            downtimeMs: m.downtimeMs,
            resumeMs: m.resumeMs,
            pagesTransferred: m.pagesTransferred === null ? null : Number(m.pagesTransferred),
            totalMs: m.totalMs,
            degradation: m.degradation,
          }
        : null,
    bytesTransferred: m.bytesTransferred === null ? null : Number(m.bytesTransferred),
    imageDigest: m.imageDigest as z.infer<typeof migrationSchema>["imageDigest"],
    error: m.error,
  };
}
