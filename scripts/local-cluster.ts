/**
 * `npm start`: a local Ferry cluster. Checks PostgreSQL and Redis, creates the database and applies the
 * migrations when needed, starts the controller and four simulated node agents as separate processes,
 * seeds a small topology with VMs and traffic on first start, and prints where to reach it. Ctrl-C stops
 * every process and waits for them (agents abort running migrations before their switchover, so every
 * VM stays on exactly one node).
 */
import { ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { applyMigrations, databaseName, ensureDatabase, repoRoot, withServer } from "../apps/controller/src/database/provision";
import { SHIPPED_TRACES } from "../apps/node-agent/src/common/config";

const root = repoRoot(__dirname);
const env = process.env;
const port = Number(env.PORT ?? 3000);
const databaseUrl = env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/ferry";
const redisUrl = env.REDIS_URL ?? "redis://127.0.0.1:6379";
const adminToken = env.FERRY_ADMIN_TOKEN ?? randomBytes(24).toString("hex");
// Agents get only this token, which opens registration; the controller answers each with a credential of its own.
const bootstrapToken = env.FERRY_AGENT_BOOTSTRAP_TOKEN ?? env.FERRY_AGENT_TOKEN ?? randomBytes(24).toString("hex");
const agentCount = Number(env.FERRY_AGENTS ?? 4);
// The seeded VMs replay PlanetLab traces; at 96x a day of them passes in 15 minutes.
const traceSpeedup = env.FERRY_TRACE_SPEEDUP ?? "96";
const api = `http://127.0.0.1:${port}`;
const logDir = join(root, ".ferry", "logs");

const AGENTS = [
  { name: "agent-1", labels: "pod=a,rack=r1" },
  { name: "agent-2", labels: "pod=a,rack=r2" },
  { name: "agent-3", labels: "pod=b,rack=r3" },
  { name: "agent-4", labels: "pod=b,rack=r4" },
  { name: "agent-5", labels: "pod=c,rack=r5" },
  { name: "agent-6", labels: "pod=c,rack=r6" },
].slice(0, agentCount);

const SEED_VMS = [
  { name: "web-1", cpu: 2, memMiB: 2048, dirtyRateMiBps: 20 },
  { name: "web-2", cpu: 2, memMiB: 2048, dirtyRateMiBps: 20 },
  { name: "web-3", cpu: 2, memMiB: 2048, dirtyRateMiBps: 20 },
  { name: "app-1", cpu: 4, memMiB: 4096, dirtyRateMiBps: 80 },
  { name: "app-2", cpu: 4, memMiB: 4096, dirtyRateMiBps: 80 },
  { name: "app-3", cpu: 4, memMiB: 4096, dirtyRateMiBps: 80 },
  { name: "db-1", cpu: 8, memMiB: 8192, dirtyRateMiBps: 200, sla: { maxDowntimeMs: 300 } },
  { name: "db-2", cpu: 8, memMiB: 8192, dirtyRateMiBps: 200, sla: { maxDowntimeMs: 300 } },
  { name: "cache-1", cpu: 2, memMiB: 4096, dirtyRateMiBps: 400 },
  { name: "cache-2", cpu: 2, memMiB: 4096, dirtyRateMiBps: 400 },
  { name: "batch-1", cpu: 4, memMiB: 2048, dirtyRateMiBps: 10 },
  { name: "batch-2", cpu: 4, memMiB: 2048, dirtyRateMiBps: 10 },
];
const SEED_TRAFFIC: [string, string, number][] = [
  ["web-1", "app-1", 400],
  ["web-2", "app-2", 400],
  ["web-3", "app-3", 400],
  ["app-1", "db-1", 900],
  ["app-2", "db-1", 700],
  ["app-3", "db-2", 900],
  ["app-1", "cache-1", 1200],
  ["app-2", "cache-1", 1100],
  ["app-3", "cache-2", 1200],
  ["db-1", "db-2", 300],
  ["batch-1", "batch-2", 50],
];

const children: { name: string; proc: ChildProcess }[] = [];
let stopping = false;

function fail(message: string): never {
  console.error(`ferry: ${message}`);
  process.exit(1);
}

async function preflight(): Promise<void> {
  const pg = new URL(databaseUrl);
  try {
    await withServer(databaseUrl, (c) => c.query("SELECT 1"));
  } catch (e) {
    fail(
      `PostgreSQL is not reachable at ${pg.hostname}:${pg.port || 5432} (${(e as Error).message}); ` +
        "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    );
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3_000 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    fail(
      `Redis is not reachable at ${redisUrl} (${(e as Error).message}); ` +
        'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    );
  } finally {
    redis.disconnect();
  }
}

async function prepareDatabase(): Promise<void> {
  if (await ensureDatabase(databaseUrl)) console.log(`ferry: created database ${databaseName(databaseUrl)}`);
  await applyMigrations(databaseUrl).catch((e: { stderr?: string; message: string }) =>
    fail(`applying migrations failed: ${(e.stderr || e.message).trim().split("\n").slice(-3).join(" ")}`),
  );
}

/** Starts a process of the cluster. Only the controller is handed the admin token, never inherited from this shell. */
function start(name: string, entry: string, childEnv: Record<string, string>): ChildProcess {
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: "a" });
  const { FERRY_ADMIN_TOKEN: _, ...inherited } = process.env;
  const proc = spawn(process.execPath, ["-r", "@swc-node/register", entry], {
    cwd: root,
    env: { ...inherited, ...childEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.pipe(log);
  proc.stderr!.pipe(log);
  proc.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`ferry: ${name} exited unexpectedly (${signal ?? `code ${code}`}); see ${join(logDir, `${name}.log`)}`);
      void stop(1);
    }
  });
  children.push({ name, proc });
  return proc;
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log("\nferry: stopping...");
  const exits = children.map(
    ({ proc }) =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const kill = setTimeout(() => proc.kill("SIGKILL"), 15_000);
        proc.once("exit", () => (clearTimeout(kill), resolve()));
        proc.kill("SIGTERM");
      }),
  );
  // Agents first, so that none is left running against a stopped controller.
  await Promise.all(exits);
  console.log("ferry: stopped");
  process.exit(code);
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json", "x-ferry-actor": "local-cluster" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (stopping) process.exit(1);
    if (Date.now() > deadline) fail(`timed out waiting for ${what}; see the logs in ${logDir}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

type Page<T> = { items: T[] };

async function seed(nodes: { id: string; name: string }[]): Promise<string> {
  const existing = await call<Page<{ name: string }>>("GET", "/api/v1/vms?limit=1");
  if (existing.items.length) return "existing VMs kept (seeding only happens on an empty database)";
  const ids = new Map<string, string>();
  // Each VM replays its own series of the shipped sample, spread over it in name order.
  const series = readdirSync(SHIPPED_TRACES).sort();
  for (const [i, vm] of SEED_VMS.entries()) {
    const workload = { kind: "trace", series: series[Math.floor((i * series.length) / SEED_VMS.length)] };
    ids.set(vm.name, (await call<{ id: string }>("POST", "/api/v1/vms", { ...vm, workload })).id);
  }
  await call("POST", "/api/v1/traffic", {
    pairs: SEED_TRAFFIC.map(([a, b, rateMbps]) => ({ vmA: ids.get(a), vmB: ids.get(b), rateMbps })),
  });
  return `seeded ${SEED_VMS.length} VMs and ${SEED_TRAFFIC.length} traffic pairs on ${nodes.length} nodes`;
}

async function main(): Promise<void> {
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  if (!(Number(traceSpeedup) > 0)) fail(`FERRY_TRACE_SPEEDUP must be a number above 0, got "${traceSpeedup}"`);
  await preflight();
  mkdirSync(logDir, { recursive: true });
  await prepareDatabase();

  const shared = { REDIS_URL: redisUrl, FERRY_AGENT_BOOTSTRAP_TOKEN: bootstrapToken, LOG_LEVEL: env.LOG_LEVEL ?? "info" };
  start("controller", "apps/controller/src/main.ts", {
    ...shared,
    FERRY_ADMIN_TOKEN: adminToken,
    PORT: String(port),
    HOST: env.HOST ?? "127.0.0.1",
    DATABASE_URL: databaseUrl,
  });
  await waitFor("the controller to answer /health", async () => ((await fetch(`${api}/health`)).ok ? true : undefined));

  AGENTS.forEach((a, i) =>
    start(a.name, "apps/node-agent/src/main.ts", {
      ...shared,
      PORT: String(port + 101 + i),
      HOST: "127.0.0.1",
      FERRY_CONTROLLER_URL: api,
      FERRY_NODE_NAME: a.name,
      FERRY_NODE_LABELS: a.labels,
      FERRY_NODE_CPU: "32",
      FERRY_NODE_MEM_MIB: "65536",
      FERRY_NODE_IDLE_WATTS: "120",
      FERRY_NODE_PEAK_WATTS: "350",
      FERRY_TRACE_SPEEDUP: traceSpeedup,
    }),
  );
  const nodes = await waitFor("the agents to register and send heartbeats", async () => {
    const page = await call<Page<{ id: string; name: string; state: string; lastHeartbeatAt: string | null }>>("GET", "/api/v1/nodes?limit=500");
    const ours = page.items.filter((n) => AGENTS.some((a) => a.name === n.name) && n.state === "active" && n.lastHeartbeatAt);
    return ours.length === AGENTS.length ? ours : undefined;
  });
  const seeded = await seed(nodes);
  const dayMinutes = (24 * 60) / Number(traceSpeedup);
  const vms = await call<Page<{ id: string; name: string; nodeId: string }>>("GET", "/api/v1/vms?limit=1");
  const vm = vms.items[0]!;
  const target = nodes.find((n) => n.id !== vm.nodeId)!;

  console.log(`
Ferry is running: a controller and ${AGENTS.length} simulated node agents (${seeded}).

  API     ${api}/api/v1
  Docs    ${api}/docs
  Token   ${adminToken}
  Logs    ${logDir}

The VMs replay PlanetLab CPU traces (apps/node-agent/workloads/planetlab-sample) ${traceSpeedup}x faster than
real time: a day every ${dayMinutes >= 10 ? Math.round(dayMinutes) : dayMinutes.toFixed(1)} minutes (set FERRY_TRACE_SPEEDUP to change it; 1 is real time).

Try it:
  export FERRY_ADMIN_TOKEN=${adminToken}
  curl -s -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" ${api}/api/v1/nodes
  curl -s -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" "${api}/api/v1/nodes/${vm.nodeId}/samples?step=30s"
  curl -s -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" "${api}/api/v1/vms/${vm.id}/samples?step=1m"
  curl -s -X POST -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" -H 'Content-Type: application/json' \\
       -d '{"vmId":"${vm.id}","targetNodeId":"${target.id}"}' ${api}/api/v1/migrations
  curl -s -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" ${api}/api/v1/migrations
  curl -s -X POST -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" -H 'Content-Type: application/json' \\
       -d '{"name":"alice","role":"viewer"}' ${api}/api/v1/tokens

Ferry runs the cluster by itself: evacuate, sla-network, starvation, balance and consolidate run in auto mode (their
plans are applied at once), traffic in approve mode (its plans wait for you). Watch and steer them:
  curl -s -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" ${api}/api/v1/policies
  curl -s -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" "${api}/api/v1/plans?state=proposed"
  curl -s -X POST -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" -H 'Content-Type: application/json' -d '{}' ${api}/api/v1/plans/<plan id>/apply
  curl -s -X PATCH -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" -H 'Content-Type: application/json' \
       -d '{"mode":"dry-run"}' ${api}/api/v1/policies/balance
  curl -s -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" ${api}/api/v1/scheduler
Drain a node for maintenance (its VMs leave within the scheduler's limits; it ends in maintenance):
  curl -s -X POST -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" ${api}/api/v1/nodes/${target.id}/drain

Press Ctrl-C to stop.`);
}

main().catch((e: unknown) => {
  console.error(`ferry: ${e instanceof Error ? e.message : String(e)}`);
  void stop(1);
});
