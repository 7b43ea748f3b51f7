import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { agentPart, controllerPart, controllerUrl, type ClusterSettings } from "../../../scripts/cluster/parts";
import { Supervisor, type PartExit } from "../../../scripts/cluster/supervisor";
import { dropDatabase, ensureDatabase, repoRoot } from "../src/database/provision";
import { deleteKeys, eventually } from "./support/harness";
import { TEST_REDIS_URL, TEST_SERVER_URL } from "./support/test-env";

const AGENTS = ["agent-1", "agent-2"];

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer()
      .once("error", () => resolve(false))
      .listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** A controller port whose agent ports (port + 101, + 102) are free too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const ports = [port, ...AGENTS.map((_, i) => port + 101 + i)];
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return port;
  }
}

interface NodeView {
  id: string;
  name: string;
  state: string;
  lastHeartbeatAt: string | null;
}

/**
 * `npm start`'s controller and agents, from its own recipes (scripts/cluster/parts.ts), under the supervisor:
 * a killed agent comes back as the same node (its node goes failed while it is silent, then active), and a
 * killed controller comes back on the same port with the same token and database, the agents beating into it.
 * Heartbeats every 0.5 s, judged silent after 1.5 s, so a restart is seen as a failure.
 */
describe("the local cluster under the supervisor", () => {
  const id = randomUUID().slice(0, 8);
  const dbUrl = new URL(TEST_SERVER_URL);
  dbUrl.pathname = `/ferry_test_${id}`;
  const prefix = `ferry-test-${id}`;
  const dir = mkdtempSync(join(tmpdir(), "ferry-local-cluster-"));
  const exits: PartExit[] = [];
  let settings: ClusterSettings;
  let supervisor: Supervisor;

  const nodes = async (): Promise<NodeView[]> => {
    const res = await fetch(`${controllerUrl(settings)}/api/v1/nodes`, { headers: { authorization: `Bearer ${settings.adminToken}` } });
    if (!res.ok) throw new Error(`GET /api/v1/nodes: ${res.status}`);
    return ((await res.json()) as { items: NodeView[] }).items;
  };
  /** The named node once it is active and has beaten after `since`. */
  const beatingSince = (name: string, since: number) => async () => {
    const node = (await nodes().catch(() => [])).find((n) => n.name === name);
    return node?.state === "active" && node.lastHeartbeatAt && Date.parse(node.lastHeartbeatAt) > since ? node : undefined;
  };

  beforeAll(async () => {
    await ensureDatabase(dbUrl.toString(), inject("databaseTemplate"));
    settings = {
      root: repoRoot(),
      port: await clusterPort(),
      adminToken: randomBytes(16).toString("hex"),
      bootstrapToken: randomBytes(16).toString("hex"),
      databaseUrl: dbUrl.toString(),
      redisUrl: TEST_REDIS_URL,
      logDir: join(dir, "logs"),
      dataDir: join(dir, "agents"),
      env: {
        FERRY_REDIS_PREFIX: prefix,
        LOG_LEVEL: "warn",
        FERRY_HEARTBEAT_INTERVAL_MS: "500",
        FERRY_HEARTBEAT_TIMEOUT_MS: "1500",
        FERRY_RECONCILE_INTERVAL_MS: "200",
        // No policy moves VMs off the failed node behind the test's back.
        FERRY_POLICY_TICK_MS: "3600000",
        // The restarted controller takes the lease its killed predecessor held within 2 s.
        FERRY_LEADER_LEASE_MS: "2000",
        FERRY_LEADER_RENEW_MS: "500",
      },
    };
    mkdirSync(settings.logDir);
    const agentEnv = { FERRY_NODE_CPU: "16", FERRY_NODE_MEM_MIB: "65536", FERRY_AGENT_MODE: "simulated" };
    // The first restart waits 2 s: the killed agent stays silent past the timeout whatever its start-up time.
    supervisor = new Supervisor([controllerPart(settings), ...AGENTS.map((name, i) => agentPart(settings, { name, labels: "", env: agentEnv }, i))], {
      backoff: { initialMs: 2_000 },
      log: () => undefined,
    });
    supervisor.on("exit", (e) => exits.push(e));
    await supervisor.start(["controller"]);
    await supervisor.whenUp("controller");
    await supervisor.start();
    await Promise.all(AGENTS.map((name) => supervisor.whenUp(name)));
    await Promise.all(AGENTS.map((name) => eventually(beatingSince(name, 0), 20_000, `${name} to beat`)));
  }, 90_000);

  afterAll(async () => {
    await supervisor?.stop();
    await dropDatabase(dbUrl.toString());
    await deleteKeys(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it("restarts a killed agent as the same node: failed while it is down, active and beating once it is back", async () => {
    const before = (await nodes()).find((n) => n.name === "agent-2")!;
    const pid = supervisor.pid("agent-2")!;
    expect(supervisor.kill("agent-2", "SIGKILL")).toBe(true);
    const killedAt = Date.now();
    await eventually(async () => ((await nodes()).find((n) => n.name === "agent-2")!.state === "failed" ? true : undefined), 10_000, "agent-2's node to fail");
    const up = await supervisor.whenUp("agent-2", 1);
    expect(up.pid).not.toBe(pid);
    expect(exits).toMatchObject([{ name: "agent-2", pid, signal: "SIGKILL", restart: 1, restartInMs: 2_000 }]);
    const after = await eventually(beatingSince("agent-2", killedAt), 20_000, "agent-2's node to beat again");
    expect(after.id).toBe(before.id);
    expect(supervisor.restartCount("agent-2")).toBe(1);
    expect(supervisor.restartCount("agent-1")).toBe(0);
  }, 60_000);

  it("restarts a killed controller on the same port, token and database; the agents beat into it", async () => {
    const ids = (await nodes()).map((n) => n.id).sort();
    expect(supervisor.kill("controller", "SIGKILL")).toBe(true);
    const killedAt = Date.now();
    await supervisor.whenUp("controller", 1);
    expect((await nodes()).map((n) => n.id).sort()).toEqual(ids);
    for (const name of AGENTS) await eventually(beatingSince(name, killedAt), 20_000, `${name} to beat into the new controller`);
    expect(exits.at(-1)).toMatchObject({ name: "controller", signal: "SIGKILL", restart: 1 });
    expect(AGENTS.map((name) => supervisor.restartCount(name))).toEqual([0, 1]);
  }, 60_000);
});
