import { workloadSchema } from "@ferry/protocol";
import { z } from "zod";

export const createVmSchema = z.object({
  name: z.string().min(1).max(63).regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "lower-case letters, digits and '-'"),
  cpu: z.number().int().positive().max(1024),
  memMiB: z.number().int().positive().max(16 * 1024 * 1024),
  nodeId: z.string().uuid("must be a UUID").optional(),
  dirtyRateMiBps: z.number().nonnegative().max(100_000).default(0),
  allowPostCopy: z.boolean().default(false),
  /** Post-copy over TCP: the target streams the guest's writes back until the move is recorded (false: no reverse stream). */
  postCopyRecovery: z.boolean().default(true),
  /** How a simulated agent models the VM's usage: a constant CPU level or a replayed trace series. */
  workload: workloadSchema.optional(),
  /** Expected traffic with running VMs: placement puts the VM near its peers, and the rates are stored. */
  peers: z
    .array(z.object({ vmId: z.string().uuid("must be a UUID"), rateMbps: z.number().positive().max(10_000_000) }).strict())
    .max(1000)
    .default([]),
  sla: z
    .object({
      maxDowntimeMs: z.number().int().positive().optional(),
      maxTotalMs: z.number().int().positive().optional(),
      /**
       * Network thresholds toward named peers, held by the sla-network policy: the largest network distance
       * (0 same node, 1 same rack, 3 same pod, 5 elsewhere) and the least spare bandwidth on the way to each.
       */
      network: z
        .object({
          peers: z.array(z.string().uuid("must be a UUID")).min(1).max(64),
          maxDistance: z.number().int().min(0).max(5).optional(),
          minBandwidthMbps: z.number().positive().max(10_000_000).optional(),
        })
        .strict()
        .refine((n) => n.maxDistance !== undefined || n.minBandwidthMbps !== undefined, { message: "give maxDistance, minBandwidthMbps or both" })
        .optional(),
    })
    .strict()
    .default({}),
}).strict();
export type CreateVm = z.infer<typeof createVmSchema>;
