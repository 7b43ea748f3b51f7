/**
 * `npm start`: a local Ferry cluster. Checks PostgreSQL and Redis, creates the database and applies the
 * migrations when needed, starts the controller and four node agents as separate processes (simulated, or with
 * FERRY_AGENT_MODE=tcp real guest images and real transfers between them over loopback TCP),
 * seeds a small topology with VMs and traffic on first start, and prints where to reach it. A process that dies
 * is restarted with backoff (scripts/cluster/supervisor.ts), its pid kept in .ferry/pids.json. Ctrl-C stops
 * every process and waits for them (agents abort running migrations before their switchover, so every
 * VM stays on exactly one node).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadControllerConfig } from "../apps/controller/src/common/config";
import { applyMigrations, databaseName, ensureDatabase, repoRoot } from "../apps/controller/src/database/provision";
import { SHIPPED_TRACES } from "../apps/node-agent/src/common/config";
import { agentPart, controllerPart, type ClusterSettings } from "./cluster/parts";
import { Supervisor } from "./cluster/supervisor";
import { localPostgres, localRedis, type Service } from "./local-services";

const root = repoRoot(__dirname);
const env = process.env;
const port = Number(env.PORT ?? 3000);
const adminToken = env.FERRY_ADMIN_TOKEN ?? randomBytes(24).toString("hex");
const bootstrapToken = env.FERRY_AGENT_BOOTSTRAP_TOKEN ?? env.FERRY_AGENT_TOKEN ?? randomBytes(24).toString("hex");
const agentCount = Number(env.FERRY_AGENTS ?? 4);
// The seeded VMs replay PlanetLab traces; at 96x a day of them passes in 15 minutes.
const traceSpeedup = env.FERRY_TRACE_SPEEDUP ?? "96";
const agentMode = env.FERRY_AGENT_MODE ?? "simulated";
const api = `http://127.0.0.1:${port}`;
const logDir = join(root, ".ferry", "logs");
const pidFile = join(root, ".ferry", "pids.json");
// Set by preflight: the services that answered, or the private ones it started.
let databaseUrl = "";
let redisUrl = "";
const services: Service[] = [];

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
/**
 * tcp mode holds every guest in a real image and writes its pages for real: the seeded VMs shrink 16 times in
 * memory (128-512 MiB) and 20 times in dirty rate, so that six agents' workloads fit on a laptop.
 */
function seedVms() {
  if (agentMode !== "tcp") return SEED_VMS;
  return SEED_VMS.map((vm) => ({ ...vm, memMiB: vm.memMiB / 16, dirtyRateMiBps: vm.dirtyRateMiBps / 20 }));
}

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

let supervisor: Supervisor | undefined;
let stopping = false;

function fail(message: string): never {
  console.error(`ferry: ${message}`);
  process.exit(1);
}

/** PostgreSQL and Redis: the ones that answer, else private ones (scripts/local-services.ts). */
async function preflight(): Promise<string[]> {
  const log = env.FERRY_SERVICES_LOG ? (line: string) => process.stderr.write(line) : undefined;
  try {
    const pg = await localPostgres({ explicitUrl: env.DATABASE_URL, dataDir: join(root, ".ferry", "postgres"), log });
    services.push(pg);
    const redis = await localRedis({ explicitUrl: env.REDIS_URL, log });
    services.push(redis);
    databaseUrl = pg.url;
    redisUrl = redis.url;
    return [pg.note, redis.note];
  } catch (e) {
    await stopServices();
    fail((e as Error).message);
  }
}

async function stopServices(): Promise<void> {
  for (const service of services.splice(0).reverse()) await service.stop().catch(() => undefined);
}

async function prepareDatabase(): Promise<void> {
  if (await ensureDatabase(databaseUrl)) console.log(`ferry: created database ${databaseName(databaseUrl)}`);
  await applyMigrations(databaseUrl).catch((e: { stderr?: string; message: string }) =>
    fail(`applying migrations failed: ${(e.stderr || e.message).trim().split("\n").slice(-3).join(" ")}`),
  );
}

/** Each part's current pid, rewritten whenever one (re)starts: `kill -9 $(jq .\"agent-2\" .ferry/pids.json)`. */
function writePids(s: Supervisor): void {
  const pids = Object.fromEntries(s.names().flatMap((name) => (s.pid(name) === undefined ? [] : [[name, s.pid(name)]])));
  writeFileSync(pidFile, `${JSON.stringify(pids, null, 2)}\n`);
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log("\nferry: stopping...");
  await supervisor?.stop();
  rmSync(pidFile, { force: true });
  await stopServices();
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
    // stop() ends the process once every part has exited.
    if (stopping) await new Promise(() => undefined);
    if (Date.now() > deadline) {
      console.error(`ferry: timed out waiting for ${what}; see the logs in ${logDir}`);
      await stop(1);
    }
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
  for (const [i, vm] of seedVms().entries()) {
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
  if (agentMode !== "simulated" && agentMode !== "tcp") fail(`FERRY_AGENT_MODE must be simulated or tcp, got "${agentMode}"`);
  if (!(Number(traceSpeedup) > 0)) fail(`FERRY_TRACE_SPEEDUP must be a number above 0, got "${traceSpeedup}"`);
  const using = await preflight();
  mkdirSync(logDir, { recursive: true });
  await prepareDatabase();

  const settings: ClusterSettings = {
    root,
    port,
    adminToken,
    bootstrapToken,
    databaseUrl,
    redisUrl,
    logDir,
    dataDir: join(root, ".ferry", "agents"),
  };
  const agentEnv = {
    FERRY_NODE_CPU: "32",
    FERRY_NODE_MEM_MIB: "65536",
    FERRY_NODE_IDLE_WATTS: "120",
    FERRY_NODE_PEAK_WATTS: "350",
    FERRY_TRACE_SPEEDUP: traceSpeedup,
    FERRY_AGENT_MODE: agentMode,
  };
  const s = new Supervisor([controllerPart(settings), ...AGENTS.map((a, i) => agentPart(settings, { ...a, env: agentEnv }, i))], {
    log: (line) => console.error(line),
  });
  supervisor = s;
  s.on("spawn", () => writePids(s));
  s.on("exit", () => writePids(s));
  await s.start(["controller"]);
  await waitFor("the controller to answer /health", async () => ((await fetch(`${api}/health`)).ok ? true : undefined));
  await s.start();
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
  const victim = AGENTS[Math.min(1, AGENTS.length - 1)]!.name;
  // The controller reads its settings from this same environment.
  const silenceS = loadControllerConfig({ ...env, FERRY_ADMIN_TOKEN: adminToken }).heartbeatTimeoutMs / 1000;

  console.log(`
Ferry is running: a controller and ${AGENTS.length} ${agentMode === "tcp" ? "node agents moving real bytes (guest images in .ferry/agents)" : "simulated node agents"} (${seeded}).

  Dashboard  ${api}/ui/      (log in with the token below)
  Queues     ${api}/queues   (bull-board; any user name, the token as password)
  API        ${api}/api/v1
  Docs       ${api}/docs
  Token      ${adminToken}
  Logs       ${logDir}
  Pids       ${pidFile}
  Services   ${using.join("; ")}

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

Or with ferryctl (npx ferryctl --help):
  export FERRY_URL=${api} FERRY_TOKEN=${adminToken}
  npx ferryctl get nodes
  npx ferryctl top nodes
  npx ferryctl migrate ${vm.name} --to ${target.name} --wait
  npx ferryctl get plans --watch

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
Consolidate switches the nodes it empties off (they draw 0 W) and they are woken when capacity is needed;
watch the power each node draws, or switch an empty node off and on by hand:
  curl -s ${api}/metrics | grep ferry_node_power_watts
  curl -s -X POST -H "Authorization: Bearer $FERRY_ADMIN_TOKEN" -H 'Content-Type: application/json' \
       -d '{"state":"off"}' ${api}/api/v1/nodes/<empty node id>/power

Kill a part and watch the cluster recover: it is restarted 1 s later (2 s, 4 s ... up to 30 s while it keeps dying),
and a "ferry:" line here says when it exited and when it is back. The current pids are in ${pidFile}:
  kill -9 ${s.pid(victim)}   # ${victim}: it comes back with its name, data and node; the node goes failed only if it stays
                 # silent for ${silenceS} s (FERRY_HEARTBEAT_TIMEOUT_MS), then active when it beats again
  kill -9 ${s.pid("controller")}   # the controller: back on the same port, with the same tokens and database
  npx ferryctl get nodes --watch
${
    agentMode === "tcp"
      ? `Kill the target agent of a running migration: start one (npx ferryctl migrate ${vm.name} --to ${target.name}) and, while
npx ferryctl get migrations shows it running, kill -9 ${s.pid(target.name)} (${target.name}). The migration fails as its data connection
breaks, the VM stays on its source, and ${target.name} comes back.
`
      : ""
  }
Press Ctrl-C to stop.`);
}

main().catch((e: unknown) => {
  console.error(`ferry: ${e instanceof Error ? e.message : String(e)}`);
  void stop(1);
});
