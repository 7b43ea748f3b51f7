/**
 * A chaos run of a tcp-mode cluster: a controller and node agents under the supervisor, small VMs with real
 * guest images, migrations (every technique) issued through the API without pause, and SIGKILLs of a
 * migration's source agent, its target agent or the controller at random points, each restarted by the
 * supervisor. At the end every migration must be terminal, and, once the agents have stopped, every VM's image
 * must be on the node the controller records it on, nowhere else, and hash to its deterministic digest
 * (image-audit.ts). Deterministic in its choices for a seed; the timing is the machine's.
 */
import { createFerryClient, ok } from "@ferry/api-client";
import { createRng } from "@ferry/random";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { loadAgentConfig } from "../../apps/node-agent/src/common/config";
import { applyMigrations, dropDatabase, ensureDatabase, repoRoot } from "../../apps/controller/src/database/provision";
import { deleteRedisKeys, freePort, localPostgres, localRedis, type Service } from "../local-services";
import { auditImages, noteWrites, placementSettled, type ImageAudit } from "./image-audit";
import { agentPart, controllerPart, controllerUrl, type ClusterSettings } from "./parts";
import { Supervisor } from "./supervisor";

export interface ChaosOptions {
  migrations: number;
  seed: number;
  agents: number;
  vms: number;
  /** Migrations in flight at once. */
  concurrency: number;
  /** Mean time between two kills (exponential); a kill waits until the last killed part is up again. */
  killEveryMs: number;
  /** How long, after the last migration was issued, every migration has to become terminal. */
  settleMs: number;
  /** Run files (logs, agents' data) go here; removed after a clean run unless `keep`. */
  workDir: string;
  keep: boolean;
  /** Progress lines (kills, restarts); quiet by default. */
  log: (line: string) => void;
  /** The techniques migrations are asked with, one at random each time (default: all of TECHNIQUES). */
  techniques?: readonly Technique[];
}

export type KillKind = "source" | "target" | "controller";

export interface ChaosResult {
  ok: boolean;
  seed: number;
  migrations: { issued: number; completed: number; failed: number; cancelled: number; stuck: number };
  /** The migrations of each technique, by the state they ended in. */
  byTechnique: Record<string, Record<string, number>>;
  /** Why migrations failed (ids left out), with how many failed so. */
  failures: Record<string, number>;
  kills: Record<KillKind, number>;
  audit: ImageAudit;
  /** Broken invariants (stuck migrations, images); empty when ok. */
  violations: string[];
  durationS: number;
  /** Seconds spent starting the cluster, issuing the migrations, waiting for them to end and the images to settle, auditing. */
  phasesS: { start: number; issue: number; settle: number; audit: number };
  workDir: string;
}

interface Tracked {
  id: string;
  vmId: string;
  sourceNodeId: string;
  targetNodeId: string;
  state: string;
  technique: string;
  error?: string;
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);
export const TECHNIQUES = ["non-live", "pre-copy", "post-copy", "hybrid"] as const;
export type Technique = (typeof TECHNIQUES)[number];
const POST_COPY_CAP_MBPS = 24;

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const rng = createRng(o.seed);
  const techniques = o.techniques ?? TECHNIQUES;
  const services: Service[] = [];
  const root = repoRoot(__dirname);
  const runId = randomBytes(4).toString("hex");
  const pg = await localPostgres({ explicitUrl: process.env.DATABASE_URL, dataDir: join(root, ".ferry", "postgres") });
  services.push(pg);
  const redis = await localRedis({ explicitUrl: process.env.REDIS_URL });
  services.push(redis);
  const db = new URL(pg.url);
  db.pathname = `/ferry_chaos_${runId}`;
  const databaseUrl = db.toString();
  await ensureDatabase(databaseUrl);
  await applyMigrations(databaseUrl);
  const redisPrefix = `ferry-chaos-${runId}`;
  mkdirSync(join(o.workDir, "logs"), { recursive: true });

  const settings: ClusterSettings = {
    root,
    port: await freePort(),
    adminToken: randomBytes(24).toString("hex"),
    bootstrapToken: randomBytes(24).toString("hex"),
    databaseUrl,
    redisUrl: redis.url,
    logDir: join(o.workDir, "logs"),
    dataDir: join(o.workDir, "agents"),
    env: {
      FERRY_REDIS_PREFIX: redisPrefix,
      LOG_LEVEL: "info",
      FERRY_HEARTBEAT_INTERVAL_MS: "500",
      // A restart takes seconds: long enough that no killed node is failed (and its VMs cold-restarted elsewhere).
      FERRY_HEARTBEAT_TIMEOUT_MS: "60000",
      FERRY_RECONCILE_INTERVAL_MS: "500",
      // A migration whose source was killed ends soon (it stays on its source).
      FERRY_MIGRATION_PROGRESS_TIMEOUT_MS: "8000",
      // Only the migrations this run asks for.
      FERRY_POLICY_TICK_MS: "3600000",
    },
  };
  const agentEnv = { FERRY_AGENT_MODE: "tcp", FERRY_AGENT_DATA_PORT: "0", FERRY_NODE_CPU: "64", FERRY_NODE_MEM_MIB: "65536" };
  const agents = Array.from({ length: o.agents }, (_, i) => agentPart(settings, { name: `chaos-${i + 1}`, labels: "", env: agentEnv }, i));
  const locality = loadAgentConfig(agents[0].env as Record<string, string>).transfer.locality;
  const supervisor = new Supervisor([controllerPart(settings), ...agents], {
    backoff: { initialMs: 200, maxMs: 2_000, resetAfterMs: 10_000 },
    log: o.log,
  });
  const api = createFerryClient({ baseUrl: controllerUrl(settings), token: settings.adminToken, actor: "chaos" });
  const kills: Record<KillKind, number> = { source: 0, target: 0, controller: 0 };
  const tracked = new Map<string, Tracked>();
  const violations: string[] = [];
  let audit: ImageAudit = { vms: 0, onOneNode: 0, digestsMatch: 0, violations: [], strays: [] };
  let clean = false;
  const seen = new Map<string, number>();
  const marks: number[] = [];
  let watching: NodeJS.Timeout | undefined;
  try {
    await supervisor.start();
    await Promise.all(supervisor.names().map((name) => supervisor.whenUp(name)));
    const nodes = await until("the agents to register and beat", 60_000, async () => {
      const items = ok(await api.GET("/api/v1/nodes", { params: { query: { limit: 500 } } })).items;
      return items.length === o.agents && items.every((n) => n.state === "active" && n.lastHeartbeatAt) ? items : undefined;
    });
    marks.push(Date.now());
    const nodeName = new Map(nodes.map((n) => [n.id, n.name]));
    const names = nodes.map((n) => n.name);
    const dataDirOf = (node: string) => join(settings.dataDir, node);
    watching = setInterval(() => noteWrites(seen, names, dataDirOf), 1_000);
    const vmIds: string[] = [];
    for (let i = 0; i < o.vms; i++) {
      const vm = ok(
        await api.POST("/api/v1/vms", {
          body: { name: `chaos-vm-${i + 1}`, cpu: 1, memMiB: [16, 24, 32][rng.int(3)], dirtyRateMiBps: [0.25, 0.5, 1][rng.int(3)], nodeId: nodes[i % nodes.length].id },
        }),
      );
      vmIds.push(vm.id);
    }

    const refresh = async () => {
      for (const m of tracked.values()) {
        if (TERMINAL.has(m.state)) continue;
        const answer = await api.GET("/api/v1/migrations/{id}", { params: { path: { id: m.id } } }).catch(() => undefined);
        if (answer?.data) {
          m.state = answer.data.state;
          m.error = answer.data.error ?? undefined;
        }
      }
    };
    const open = () => [...tracked.values()].filter((m) => !TERMINAL.has(m.state));

    // The killer: at random times, the source or target agent of a running migration, or the controller.
    let issuing = true;
    const killer = (async () => {
      const krng = rng.fork("kills");
      // A run without a kill is no chaos run: the killer goes on past the last migration until it has killed once.
      const none = () => kills.source + kills.target + kills.controller === 0;
      while (issuing || none()) {
        await sleep(issuing ? krng.exp(1 / o.killEveryMs) : 0);
        if (!issuing && !none()) break;
        const kind = (["source", "target", "controller"] as const)[krng.int(3)];
        const running = open().filter((m) => m.state === "running");
        let part = "controller";
        if (kind !== "controller") {
          const m = running.length ? running[krng.int(running.length)] : undefined;
          const node = m ? (kind === "source" ? m.sourceNodeId : m.targetNodeId) : nodes[krng.int(nodes.length)].id;
          part = nodeName.get(node)!;
        }
        const restarts = supervisor.restartCount(part);
        if (!supervisor.kill(part, "SIGKILL")) continue;
        kills[kind]++;
        o.log(`chaos: SIGKILL ${part} (${kind}${kind !== "controller" && running.length ? " of a running migration" : ""})`);
        await supervisor.whenUp(part, restarts + 1);
      }
    })();

    let issued = 0;
    while (issued < o.migrations) {
      await refresh();
      if (open().length >= o.concurrency) {
        await sleep(200);
        continue;
      }
      const busy = new Set(open().map((m) => m.vmId));
      const free = vmIds.filter((id) => !busy.has(id));
      const vmId = free[rng.int(free.length)];
      const vm = await api.GET("/api/v1/vms/{id}", { params: { path: { id: vmId } } }).catch(() => undefined);
      if (!vm?.data?.nodeId) {
        await sleep(200);
        continue;
      }
      const targets = nodes.filter((n) => n.id !== vm.data!.nodeId);
      const target = targets[rng.int(targets.length)];
      const technique = techniques[rng.int(techniques.length)];
      // Post-copy moves the small VMs in well under a second at full speed: capped, a kill can land after the switchover.
      const capped = technique === "post-copy" || technique === "hybrid" ? { bandwidthMbps: POST_COPY_CAP_MBPS } : {};
      const asked = await api.POST("/api/v1/migrations", { body: { vmId, targetNodeId: target.id, technique, ...capped } }).catch(() => undefined);
      if (!asked?.data) {
        // Refused (the VM moved meanwhile, a node is not active) or the controller is down: choose again.
        await sleep(200);
        continue;
      }
      issued++;
      tracked.set(asked.data.id, { id: asked.data.id, vmId, sourceNodeId: vm.data.nodeId, targetNodeId: target.id, state: asked.data.state, technique });
    }
    issuing = false;
    await killer;
    marks.push(Date.now());

    const deadline = Date.now() + o.settleMs;
    while (open().length && Date.now() < deadline) {
      await sleep(500);
      await refresh();
    }
    for (const m of open()) violations.push(`migration ${m.id} stuck in ${m.state}`);

    // The agents settle left-over images on their hosted-list refresh: give them a few rounds, then stop them.
    const recorded = async () =>
      ok(await api.GET("/api/v1/vms", { params: { query: { limit: 500 } } })).items.map((vm) => ({
        id: vm.id,
        name: vm.name,
        memMiB: vm.memMiB,
        nodeName: vm.nodeId ? (nodeName.get(vm.nodeId) ?? null) : null,
      }));
    const settleBy = Date.now() + 20_000;
    let vms = await recorded();
    while (Date.now() < settleBy) {
      if (placementSettled(vms, names, dataDirOf)) break;
      await sleep(1_000);
      vms = await recorded();
    }
    vms = await recorded();
    clearInterval(watching);
    marks.push(Date.now());
    await supervisor.stop();
    audit = await auditImages(vms, names, dataDirOf, locality, seen);
    violations.push(...audit.violations, ...audit.strays.map((f) => `stray file ${f}`));
    clean = violations.length === 0;
  } finally {
    clearInterval(watching);
    await supervisor.stop();
    await dropDatabase(databaseUrl).catch(() => undefined);
    await deleteRedisKeys(redis.url, redisPrefix).catch(() => undefined);
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    if (clean && !o.keep) rmSync(o.workDir, { recursive: true, force: true });
  }
  const states = [...tracked.values()].map((m) => m.state);
  const count = (s: string) => states.filter((x) => x === s).length;
  return {
    ok: clean,
    seed: o.seed,
    migrations: { issued: tracked.size, completed: count("completed"), failed: count("failed"), cancelled: count("cancelled"), stuck: states.filter((s) => !TERMINAL.has(s)).length },
    byTechnique: Object.fromEntries(techniques.map((t) => [t, tally([...tracked.values()].filter((m) => m.technique === t).map((m) => m.state))])),
    failures: tally([...tracked.values()].flatMap((m) => (m.state === "failed" ? [(m.error ?? "no error recorded").replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>")] : []))),
    kills,
    audit,
    violations,
    durationS: Math.round((Date.now() - started) / 1000),
    phasesS: phases(started, marks, Date.now()),
    workDir: o.workDir,
  };
}

/** The one line a chaos run prints. */
export function summaryLine(r: ChaosResult): string {
  const m = r.migrations;
  const k = r.kills;
  return (
    `chaos: ${m.issued} migrations (${m.completed} completed, ${m.failed} failed, ${m.cancelled} cancelled, ${m.stuck} stuck), ` +
    `${k.source + k.target + k.controller} kills (${k.source} source, ${k.target} target, ${k.controller} controller), ` +
    `${r.audit.onOneNode}/${r.audit.vms} VMs on exactly one node, ${r.audit.digestsMatch}/${r.audit.vms} digests match, ` +
    `${r.violations.length} violations, ${r.durationS} s, seed ${r.seed}`
  );
}

function phases(started: number, marks: number[], ended: number): ChaosResult["phasesS"] {
  const [start, issue, settle] = [...marks, ended, ended, ended];
  const s = (from: number, to: number) => Math.round((to - from) / 1000);
  return { start: s(started, start), issue: s(start, issue), settle: s(issue, settle), audit: s(settle, ended) };
}

function tally(reasons: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of reasons) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
