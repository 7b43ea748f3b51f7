import { parseLocality, type LocalitySpec } from "@ferry/migration";
import { HYPERVISOR_KINDS, labelsSchema } from "@ferry/protocol";
import { join } from "node:path";
import { SIMULATED_FAULTS, type SimulatedFault } from "../heartbeat/simulated-host-probe";
import { DEFAULT_STALL_TIMEOUT_MS } from "../transfer/stall-guard";
import { z } from "zod";

export const HOST_PROBES = ["simulated", "linux"] as const;
export type HostProbeKind = (typeof HOST_PROBES)[number];

/** The PlanetLab sample shipped with the agent (workloads/planetlab-sample/README.md). */
export const SHIPPED_TRACES = join(__dirname, "..", "..", "workloads", "planetlab-sample", "20110303");

const labelList = z
  .string()
  .default("")
  .transform((s, ctx) => {
    const pairs = s.split(",").map((p) => p.trim()).filter(Boolean);
    const labels: Record<string, string> = {};
    for (const pair of pairs) {
      const [key, value, ...rest] = pair.split("=");
      if (!key || value === undefined || rest.length) {
        ctx.addIssue({ code: "custom", message: `expected key=value pairs separated by commas, got "${pair}"` });
        return z.NEVER;
      }
      labels[key.trim()] = value.trim();
    }
    return labels;
  })
  .pipe(labelsSchema);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(0),
  HOST: z.string().default("0.0.0.0"),
  FERRY_CONTROLLER_URL: z.string().url().default("http://127.0.0.1:3000"),
  // The token the agent registers with; the controller answers with a credential of the agent's own.
  FERRY_AGENT_BOOTSTRAP_TOKEN: z.string().min(16).optional(),
  FERRY_AGENT_TOKEN: z.string().min(16).optional(),
  FERRY_ADMIN_TOKEN: z.string().min(16).optional(),
  REDIS_URL: z.string().url().default("redis://127.0.0.1:6379"),
  FERRY_REDIS_PREFIX: z.string().min(1).default("ferry"),
  FERRY_NODE_NAME: z.string().min(1),
  FERRY_NODE_LABELS: labelList,
  FERRY_NODE_HYPERVISOR: z.enum(HYPERVISOR_KINDS).default("bare-metal"),
  FERRY_NODE_CPU: z.coerce.number().int().positive().default(32),
  FERRY_NODE_MEM_MIB: z.coerce.number().int().positive().default(131_072),
  FERRY_NODE_IDLE_WATTS: z.coerce.number().nonnegative().default(120),
  FERRY_NODE_PEAK_WATTS: z.coerce.number().positive().default(350),
  FERRY_AGENT_MODE: z.enum(["simulated", "tcp"]).default("simulated"),
  // tcp mode: guest images live under the data dir; other agents send migrations to the data port.
  FERRY_AGENT_DATA_DIR: z.string().min(1).optional(),
  FERRY_AGENT_DATA_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  // The host other agents reach this one at (the data port is advertised as host:port).
  FERRY_AGENT_DATA_HOST: z.string().min(1).default("127.0.0.1"),
  FERRY_TRANSFER_COMPRESS: z.enum(["none", "deflate"]).default("none"),
  // A cap per outgoing migration (Mbit/s) when the controller sends no bandwidth share.
  FERRY_TRANSFER_MAX_MBPS: z.coerce.number().positive().optional(),
  // A data connection that makes no progress this long while a side waits on it is dead (a partition sends no RST).
  FERRY_TRANSFER_STALL_TIMEOUT_MS: z.coerce.number().int().min(1000).default(DEFAULT_STALL_TIMEOUT_MS),
  FERRY_GUEST_LOCALITY: z
    .string()
    .default("hotset:0.1")
    .transform((s, ctx) => {
      const spec = parseLocality(s);
      if ("error" in spec) {
        ctx.addIssue({ code: "custom", message: spec.error });
        return z.NEVER;
      }
      return spec;
    }),
  FERRY_SIM_BANDWIDTH_MBPS: z.coerce.number().positive().default(10_000),
  FERRY_SIM_RTT_MS: z.coerce.number().nonnegative().default(0.5),
  // 1 = a simulated migration takes as long as it would for real; 0 = as fast as the model runs.
  FERRY_SIM_TIME_SCALE: z.coerce.number().min(0).max(100).default(1),
  FERRY_SIM_SEED: z.coerce.number().int().default(1),
  // Where trace workloads come from: a folder of CPU-utilisation series, one file each, 5 minutes per line.
  FERRY_TRACE_DIR: z.string().min(1).default(SHIPPED_TRACES),
  // Trace time runs this many times faster than the wall clock: 288 replays a day in 5 minutes.
  FERRY_TRACE_SPEEDUP: z.coerce.number().positive().max(1_000_000).default(1),
  // How long the simulated host takes to boot once the controller powers it on again.
  FERRY_BOOT_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(20_000),
  // A degrading host for tests and demos: corrected memory errors that keep rising, or a host running hot.
  FERRY_SIM_FAULT: z.enum(SIMULATED_FAULTS).default("none"),
  // Where the host's load, power and health come from: the workload model, or this Linux machine's /proc and /sys.
  FERRY_HOST_PROBE: z.enum(HOST_PROBES).default("simulated"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export interface AgentConfig {
  port: number;
  host: string;
  controllerUrl: string;
  /** Opens only registration; every later call carries the credential registration returns. */
  bootstrapToken: string;
  redisUrl: string;
  redisPrefix: string;
  node: {
    name: string;
    labels: Record<string, string>;
    hypervisor: (typeof HYPERVISOR_KINDS)[number];
    capacity: { cpu: number; memMiB: number };
    power: { idleWatts: number; peakWatts: number };
  };
  mode: "simulated" | "tcp";
  /** tcp mode: where guest images live, where the data port listens, how transfers go. */
  transfer: {
    dataDir: string;
    dataPort: number;
    dataHost: string;
    compress: boolean;
    maxMbps: number | null;
    locality: LocalitySpec;
    stallTimeoutMs: number;
  };
  simulation: { bandwidthMbps: number; rttMs: number; timeScale: number; seed: number };
  workload: { traceDir: string; traceSpeedup: number };
  bootDelayMs: number;
  fault: SimulatedFault;
  hostProbe: HostProbeKind;
  logLevel: z.infer<typeof schema>["LOG_LEVEL"];
}

export const AGENT_CONFIG = Symbol("AgentConfig");

/** The agent's one config loader: environment in, typed config out, or an error naming each bad variable. */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid agent configuration: ${problems}`);
  }
  const e = parsed.data;
  const bootstrapToken = e.FERRY_AGENT_BOOTSTRAP_TOKEN ?? e.FERRY_AGENT_TOKEN ?? e.FERRY_ADMIN_TOKEN;
  if (!bootstrapToken) throw new Error("invalid agent configuration: set FERRY_AGENT_BOOTSTRAP_TOKEN (or FERRY_AGENT_TOKEN, FERRY_ADMIN_TOKEN)");
  if (e.FERRY_NODE_PEAK_WATTS < e.FERRY_NODE_IDLE_WATTS) {
    throw new Error("invalid agent configuration: FERRY_NODE_PEAK_WATTS must be at least FERRY_NODE_IDLE_WATTS");
  }
  return {
    port: e.PORT,
    host: e.HOST,
    controllerUrl: e.FERRY_CONTROLLER_URL.replace(/\/$/, ""),
    bootstrapToken,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.FERRY_REDIS_PREFIX,
    node: {
      name: e.FERRY_NODE_NAME,
      labels: e.FERRY_NODE_LABELS,
      hypervisor: e.FERRY_NODE_HYPERVISOR,
      capacity: { cpu: e.FERRY_NODE_CPU, memMiB: e.FERRY_NODE_MEM_MIB },
      power: { idleWatts: e.FERRY_NODE_IDLE_WATTS, peakWatts: e.FERRY_NODE_PEAK_WATTS },
    },
    mode: e.FERRY_AGENT_MODE,
    transfer: {
      dataDir: e.FERRY_AGENT_DATA_DIR ?? join(".ferry", "agents", e.FERRY_NODE_NAME),
      dataPort: e.FERRY_AGENT_DATA_PORT,
      dataHost: e.FERRY_AGENT_DATA_HOST,
      compress: e.FERRY_TRANSFER_COMPRESS === "deflate",
      maxMbps: e.FERRY_TRANSFER_MAX_MBPS ?? null,
      locality: e.FERRY_GUEST_LOCALITY,
      stallTimeoutMs: e.FERRY_TRANSFER_STALL_TIMEOUT_MS,
    },
    simulation: { bandwidthMbps: e.FERRY_SIM_BANDWIDTH_MBPS, rttMs: e.FERRY_SIM_RTT_MS, timeScale: e.FERRY_SIM_TIME_SCALE, seed: e.FERRY_SIM_SEED },
    workload: { traceDir: e.FERRY_TRACE_DIR, traceSpeedup: e.FERRY_TRACE_SPEEDUP },
    bootDelayMs: e.FERRY_BOOT_DELAY_MS,
    fault: e.FERRY_SIM_FAULT,
    hostProbe: e.FERRY_HOST_PROBE,
    logLevel: e.LOG_LEVEL,
  };
}
