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
    reason: m.reason,
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
    error: m.error,
  };
}
