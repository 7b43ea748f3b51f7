import { z } from "zod";

export const NODE_STATES = ["active", "cordoned", "maintenance", "draining", "off", "waking", "failed"] as const;
export type NodeState = (typeof NODE_STATES)[number];

export const HYPERVISOR_KINDS = ["bare-metal", "hosted"] as const;
export type HypervisorKind = (typeof HYPERVISOR_KINDS)[number];

/** Topology labels (pod, rack, ...) and other key/value facts about a node. */
export const labelsSchema = z.record(
  z.string().min(1).max(63).regex(/^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?$/i, "label keys are alphanumeric with . _ - /"),
  z.string().max(253),
);

export const capacitySchema = z.object({
  cpu: z.number().int().positive().max(4096),
  memMiB: z.number().int().positive().max(64 * 1024 * 1024),
});

export const powerModelSchema = z
  .object({
    idleWatts: z.number().nonnegative().max(100_000),
    peakWatts: z.number().positive().max(100_000),
  })
  .refine((p) => p.peakWatts >= p.idleWatts, { message: "peakWatts must be at least idleWatts", path: ["peakWatts"] });

/** What an agent tells the controller when it starts. Registering is idempotent by name. */
export const registerNodeSchema = z.object({
  name: z.string().min(1).max(63).regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "lower-case letters, digits and '-'"),
  labels: labelsSchema.default({}),
  hypervisor: z.enum(HYPERVISOR_KINDS).default("bare-metal"),
  capacity: capacitySchema,
  power: powerModelSchema,
});
export type RegisterNode = z.infer<typeof registerNodeSchema>;

export const registerNodeResponseSchema = z.object({
  nodeId: z.string().uuid(),
  queue: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
});
export type RegisterNodeResponse = z.infer<typeof registerNodeResponseSchema>;

/** One heartbeat: the node's load right now. Loads are fractions of capacity in [0, 1]. */
export const heartbeatSchema = z.object({
  cpuLoad: z.number().min(0).max(1),
  memLoad: z.number().min(0).max(1),
  watts: z.number().nonnegative().max(100_000),
  netTxMbps: z.number().nonnegative(),
  netRxMbps: z.number().nonnegative(),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

/** A VM as its host's agent needs it to model load and carry out migrations. */
export const hostedVmSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  cpu: z.number().int().positive(),
  memMiB: z.number().int().positive(),
  dirtyRateMiBps: z.number().nonnegative(),
});
export type HostedVm = z.infer<typeof hostedVmSchema>;
