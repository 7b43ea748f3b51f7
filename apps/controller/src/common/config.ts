import { createHmac } from "node:crypto";
import { z } from "zod";

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().url().default("postgresql://postgres@127.0.0.1:5432/ferry"),
  REDIS_URL: z.string().url().default("redis://127.0.0.1:6379"),
  FERRY_REDIS_PREFIX: z.string().min(1).default("ferry"),
  FERRY_ADMIN_TOKEN: z.string().min(16, "FERRY_ADMIN_TOKEN must be at least 16 characters"),
  // Agents register with this token and get a credential of their own back. FERRY_AGENT_TOKEN is its older name.
  FERRY_AGENT_BOOTSTRAP_TOKEN: z.string().min(16).optional(),
  FERRY_AGENT_TOKEN: z.string().min(16).optional(),
  // Key from which the per-migration secrets of agent-to-agent connections are derived (default: from the admin token).
  FERRY_TRANSFER_KEY: z.string().min(16).optional(),
  // Requests per second each operator token may make on average, and how many at once (a token bucket).
  FERRY_RATE_LIMIT_PER_S: z.coerce.number().positive().default(200),
  FERRY_RATE_LIMIT_BURST: z.coerce.number().int().positive().default(1_000),
  FERRY_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().positive().default(2_000),
  FERRY_HEARTBEAT_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  FERRY_SAMPLE_FLUSH_MS: z.coerce.number().int().positive().default(2_000),
  // Buffered samples a writer read but never acknowledged (it crashed) are taken over after this long.
  FERRY_SAMPLE_CLAIM_IDLE_MS: z.coerce.number().int().positive().default(30_000),
  FERRY_RECONCILE_INTERVAL_MS: z.coerce.number().int().positive().default(2_000),
  // KubeVirt's progressTimeout default: a running migration without progress for this long is failed.
  FERRY_MIGRATION_PROGRESS_TIMEOUT_MS: z.coerce.number().int().positive().default(150_000),
  // The link the migration predictor assumes between two nodes, until measured per pair.
  FERRY_MIGRATION_BANDWIDTH_MBPS: z.coerce.number().positive().default(10_000),
  FERRY_MIGRATION_RTT_MS: z.coerce.number().nonnegative().default(0.5),
  // How often the policy runner looks for a policy whose interval has passed.
  FERRY_POLICY_TICK_MS: z.coerce.number().int().positive().default(5_000),
  // Watcher's action plans expire after 24 h unless applied.
  FERRY_PLAN_TTL_S: z.coerce.number().int().positive().default(86_400),
  // One replica leads (runs the loops) while it holds the lease; a follower takes over once it has expired.
  FERRY_LEADER_LEASE_MS: z.coerce.number().int().positive().default(15_000),
  FERRY_LEADER_RENEW_MS: z.coerce.number().int().positive().default(5_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
}).refine((e) => e.FERRY_LEADER_RENEW_MS < e.FERRY_LEADER_LEASE_MS, {
  path: ["FERRY_LEADER_RENEW_MS"],
  message: "must be shorter than FERRY_LEADER_LEASE_MS, or the leader loses its lease between renewals",
});

export interface ControllerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  adminToken: string;
  /** Opens only agent registration; the root admin token registers too. */
  agentBootstrapToken: string;
  transferKey: string;
  rateLimit: { perSecond: number; burst: number };
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  sampleFlushMs: number;
  sampleClaimIdleMs: number;
  reconcileIntervalMs: number;
  migrationProgressTimeoutMs: number;
  migrationLink: { bandwidthMbps: number; rttMs: number };
  planTtlMs: number;
  policyTickMs: number;
  leaderLease: { durationMs: number; renewMs: number };
  logLevel: z.infer<typeof schema>["LOG_LEVEL"];
}

export const CONTROLLER_CONFIG = Symbol("ControllerConfig");

/** The one config loader: environment in, typed config out, or an error naming each bad variable. */
export function loadControllerConfig(env: NodeJS.ProcessEnv = process.env): ControllerConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid controller configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.FERRY_REDIS_PREFIX,
    adminToken: e.FERRY_ADMIN_TOKEN,
    agentBootstrapToken: e.FERRY_AGENT_BOOTSTRAP_TOKEN ?? e.FERRY_AGENT_TOKEN ?? e.FERRY_ADMIN_TOKEN,
    transferKey: e.FERRY_TRANSFER_KEY ?? createHmac("sha256", e.FERRY_ADMIN_TOKEN).update("ferry transfer key").digest("hex"),
    rateLimit: { perSecond: e.FERRY_RATE_LIMIT_PER_S, burst: e.FERRY_RATE_LIMIT_BURST },
    heartbeatIntervalMs: e.FERRY_HEARTBEAT_INTERVAL_MS,
    heartbeatTimeoutMs: e.FERRY_HEARTBEAT_TIMEOUT_MS,
    sampleFlushMs: e.FERRY_SAMPLE_FLUSH_MS,
    sampleClaimIdleMs: e.FERRY_SAMPLE_CLAIM_IDLE_MS,
    reconcileIntervalMs: e.FERRY_RECONCILE_INTERVAL_MS,
    migrationProgressTimeoutMs: e.FERRY_MIGRATION_PROGRESS_TIMEOUT_MS,
    migrationLink: { bandwidthMbps: e.FERRY_MIGRATION_BANDWIDTH_MBPS, rttMs: e.FERRY_MIGRATION_RTT_MS },
    planTtlMs: e.FERRY_PLAN_TTL_S * 1000,
    policyTickMs: e.FERRY_POLICY_TICK_MS,
    leaderLease: { durationMs: e.FERRY_LEADER_LEASE_MS, renewMs: e.FERRY_LEADER_RENEW_MS },
    logLevel: e.LOG_LEVEL,
  };
}
