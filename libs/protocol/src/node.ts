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
  /** Where the agent takes migration transfers from other agents (host:port); absent for a simulated agent. */
  dataAddress: z
    .string()
    .max(300)
    .regex(/^[^\s]+:\d{1,5}$/, "host:port")
    .optional(),
});
export type RegisterNode = z.infer<typeof registerNodeSchema>;

export const registerNodeResponseSchema = z.object({
  nodeId: z.string().uuid(),
  queue: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
  /** The agent's own credential, naming its node: it sends this on every later call. Shown once. */
  credential: z.string().min(1),
});
export type RegisterNodeResponse = z.infer<typeof registerNodeResponseSchema>;

/**
 * How a simulated VM uses its vCPUs over time: a constant level, or a CPU-utilisation series replayed from
 * the agent's trace folder (one file per series, one percentage per line every 5 minutes, as CloudSim's
 * PlanetLab traces). The Linux host probe measures the host's totals but still takes each VM's figures
 * from it.
 */
export const workloadSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("constant"),
      cpuFraction: z.number().min(0).max(1),
      memFraction: z.number().min(0).max(1).default(0.75),
    })
    .strict(),
  z
    .object({
      kind: z.literal("trace"),
      series: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, "a trace file name: letters, digits, '.', '_' and '-', not starting with '.'"),
      memFraction: z.number().min(0).max(1).default(0.75),
    })
    .strict(),
]);
export type Workload = z.infer<typeof workloadSchema>;

/** What a VM created without a workload runs. */
export const DEFAULT_WORKLOAD = { kind: "constant", cpuFraction: 0.3, memFraction: 0.75 } as const satisfies Workload;

const vmId = z.string().uuid("must be a UUID");

/** One VM's usage at the time of a heartbeat. */
export const vmUsageSchema = z.object({
  vmId,
  /** CPU used as a fraction of the VM's own vCPUs (1 = all of them busy). */
  cpuFraction: z.number().min(0).max(1),
  memUsedMiB: z.number().nonnegative().max(64 * 1024 * 1024),
  dirtyRateMiBps: z.number().nonnegative().max(1_000_000),
  /** What the VM sends to each peer VM (by id), in Mbit/s. */
  peerTxMbps: z.record(vmId, z.number().nonnegative().max(10_000_000)).default({}),
});
export type VmUsage = z.infer<typeof vmUsageSchema>;

/** A node's load right now. Loads are fractions of capacity in [0, 1]. */
export const nodeLoadSchema = z.object({
  cpuLoad: z.number().min(0).max(1),
  memLoad: z.number().min(0).max(1),
  watts: z.number().nonnegative().max(100_000),
  netTxMbps: z.number().nonnegative(),
  netRxMbps: z.number().nonnegative(),
});
export type NodeLoad = z.infer<typeof nodeLoadSchema>;

/**
 * Whether the host is powered on. A powered-off host's agent keeps reporting the way a server's management
 * controller does (0 W, no VMs), so the controller can tell it to power on again.
 */
export const POWER_STATES = ["on", "off"] as const;
export type PowerState = (typeof POWER_STATES)[number];

/** Hardware health as the host reports it: what the evacuate policy predicts failures from. */
export const nodeHealthSchema = z.object({
  /** Corrected (ECC) memory errors counted since the host booted: a count that keeps rising warns of a failing DIMM. */
  correctedMemoryErrors: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** The hottest sensor the host reads, in degrees Celsius. */
  temperatureC: z.number().min(-50).max(200),
});
export type NodeHealth = z.infer<typeof nodeHealthSchema>;

/** One heartbeat: the node's load and the usage of each VM it hosts. */
export const heartbeatSchema = nodeLoadSchema.extend({
  power: z.enum(POWER_STATES).default("on"),
  health: nodeHealthSchema.optional(),
  vms: z
    .array(vmUsageSchema)
    .max(4096)
    .default([])
    .refine((vms) => new Set(vms.map((v) => v.vmId)).size === vms.length, "each VM at most once"),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

/** The controller's answer to a heartbeat: when it was recorded, and the power state the controller wants the host in. */
export const heartbeatAnswerSchema = z.object({ at: z.string(), power: z.enum(POWER_STATES) });
export type HeartbeatAnswer = z.infer<typeof heartbeatAnswerSchema>;

/** A VM as its host's agent needs it to model load and carry out migrations. */
export const hostedVmSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  cpu: z.number().int().positive(),
  memMiB: z.number().int().positive(),
  dirtyRateMiBps: z.number().nonnegative(),
  workload: workloadSchema.default(DEFAULT_WORKLOAD),
  /** The VM's traffic peers: the pair's configured rate (both directions together) and the peer's workload. */
  peers: z
    .array(z.object({ vmId: z.string().uuid(), rateMbps: z.number().nonnegative(), workload: workloadSchema.default(DEFAULT_WORKLOAD) }))
    .default([]),
});
export type HostedVm = z.infer<typeof hostedVmSchema>;
