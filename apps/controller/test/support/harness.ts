import type { INestApplication } from "@nestjs/common";
import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { DestinationStream } from "pino";
import request from "supertest";
import { inject } from "vitest";
import { createAgent } from "../../../node-agent/src/app.factory";
import { loadAgentConfig } from "../../../node-agent/src/common/config";
import { createController } from "../../src/app.factory";
import type { Clock } from "../../src/common/clock";
import { ControllerConfig, loadControllerConfig } from "../../src/common/config";
import { dropDatabase, ensureDatabase } from "../../src/database/provision";
import { PrismaService } from "../../src/database/prisma.service";
import { deleteRedisKeys } from "../../../../scripts/local-services";
import { TEST_REDIS_URL, TEST_SERVER_URL } from "./test-env";

export interface TestController {
  app: INestApplication;
  url: string;
  config: ControllerConfig;
  prisma: PrismaService;
  /** supertest bound to the app, with the admin token already set. */
  admin: () => ReturnType<typeof authed>;
  /**
   * supertest bound to the app as an agent: with a node's own credential (from `registerNode`), or without
   * a node, with the agent bootstrap token (which opens registration only).
   */
  agent: (nodeId?: string) => ReturnType<typeof authed>;
  /** supertest bound to the app with any bearer token. */
  as: (token: string) => ReturnType<typeof authed>;
  /** Each registered node's agent credential, by node id. */
  credentials: Map<string, string>;
  http: () => request.Agent;
  close: () => Promise<void>;
}

function authed(server: unknown, token: string, actor?: string) {
  const wrap = <T extends request.Test>(t: T) => {
    t.set("Authorization", `Bearer ${token}`);
    if (actor) t.set("X-Ferry-Actor", actor);
    return t;
  };
  const r = request(server as Parameters<typeof request>[0]);
  return {
    get: (path: string) => wrap(r.get(path)),
    post: (path: string) => wrap(r.post(path)),
    patch: (path: string) => wrap(r.patch(path)),
    delete: (path: string) => wrap(r.delete(path)),
  };
}

/** Remove every key under a test prefix from the test Redis. */
export function deleteKeys(prefix: string): Promise<void> {
  return deleteRedisKeys(TEST_REDIS_URL, prefix);
}

/**
 * A controller on its own copy of the migrated test database and its own Redis key prefix, listening on a
 * random port. `close` stops it and removes both.
 */
export async function startController(
  overrides: Partial<ControllerConfig> = {},
  clock?: Clock,
  logDestination?: DestinationStream,
): Promise<TestController> {
  const id = randomUUID().slice(0, 8);
  const dbUrl = new URL(TEST_SERVER_URL);
  dbUrl.pathname = `/ferry_test_${id}`;
  await ensureDatabase(dbUrl.toString(), inject("databaseTemplate"));
  const config: ControllerConfig = {
    ...loadControllerConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: TEST_REDIS_URL,
      FERRY_REDIS_PREFIX: `ferry-test-${id}`,
      FERRY_ADMIN_TOKEN: randomBytes(16).toString("hex"),
      FERRY_AGENT_BOOTSTRAP_TOKEN: randomBytes(16).toString("hex"),
      LOG_LEVEL: "silent",
      // Policies act on their own only in the tests that ask for it (policyTickMs), never behind another test's back.
      FERRY_POLICY_TICK_MS: "3600000",
    }),
    ...overrides,
  };
  const app = await createController(config, clock, logDestination);
  await app.listen(0, "127.0.0.1");
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const server = app.getHttpServer();
  const credentials = new Map<string, string>();
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    prisma: app.get(PrismaService),
    admin: () => authed(server, config.adminToken),
    agent: (nodeId?: string) => {
      if (nodeId === undefined) return authed(server, config.agentBootstrapToken);
      const credential = credentials.get(nodeId);
      if (!credential) throw new Error(`no agent credential for node ${nodeId}: register it with registerNode first`);
      return authed(server, credential);
    },
    as: (token: string) => authed(server, token),
    credentials,
    http: () => request.agent(server),
    close: async () => {
      await app.close();
      await dropDatabase(config.databaseUrl);
      await deleteKeys(config.redisPrefix);
    },
  };
}

/** Register a node the way an agent does (keeping its credential for `c.agent(id)`); returns its id. */
export async function registerNode(
  c: TestController,
  name: string,
  capacity = { cpu: 16, memMiB: 65_536 },
  labels: Record<string, string> = {},
): Promise<string> {
  const res = await c
    .agent()
    .post("/api/v1/agents/register")
    .send({ name, labels, capacity, power: { idleWatts: 100, peakWatts: 300 } })
    .expect(200);
  c.credentials.set(res.body.nodeId, res.body.credential);
  return res.body.nodeId as string;
}

export async function createVm(c: TestController, body: Record<string, unknown>): Promise<{ id: string; nodeId: string }> {
  const res = await c.admin().post("/api/v1/vms").send(body);
  if (res.status !== 201) throw new Error(`creating VM ${String(body.name)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; nodeId: string };
}

/** Row counts of every table, to show that a refused request wrote nothing. */
export async function counts(c: TestController) {
  const p = c.prisma;
  const [nodes, vms, migrations, traffic, audit, events, breaches] = await Promise.all([
    p.node.count(),
    p.vm.count(),
    p.migration.count(),
    p.traffic.count(),
    p.auditLog.count(),
    p.migrationEvent.count(),
    p.slaBreach.count(),
  ]);
  return { nodes, vms, migrations, traffic, audit, events, breaches };
}

/** Poll until `check` returns a value (not undefined), or fail after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits until `count` nodes have registered (and, with `beating`, each has sent a heartbeat); their ids by name.
 */
export function nodeIdsByName(c: TestController, count: number, options: { beating?: boolean; timeoutMs?: number } = {}): Promise<Record<string, string>> {
  return eventually(
    async () => {
      const items = (await c.admin().get("/api/v1/nodes").expect(200)).body.items as { id: string; name: string; lastHeartbeatAt: string | null }[];
      const ready = items.length === count && (!options.beating || items.every((n) => n.lastHeartbeatAt));
      return ready ? Object.fromEntries(items.map((n) => [n.name, n.id])) : undefined;
    },
    options.timeoutMs ?? 15_000,
    `${count} agents to register${options.beating ? " and beat" : ""}`,
  );
}

/** A node agent (simulated mode) talking to the test controller over HTTP and to its queue in Redis. */
export async function startAgent(
  c: TestController,
  name: string,
  env: Record<string, string> = {},
): Promise<{ app: INestApplication; close: () => Promise<void> }> {
  const config = loadAgentConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    FERRY_CONTROLLER_URL: c.url,
    FERRY_AGENT_BOOTSTRAP_TOKEN: c.config.agentBootstrapToken,
    REDIS_URL: c.config.redisUrl,
    FERRY_REDIS_PREFIX: c.config.redisPrefix,
    FERRY_NODE_NAME: name,
    FERRY_NODE_CPU: "16",
    FERRY_NODE_MEM_MIB: "65536",
    FERRY_SIM_TIME_SCALE: "0",
    LOG_LEVEL: "silent",
    ...env,
  });
  const app = await createAgent(config);
  await app.listen(0, "127.0.0.1");
  return { app, close: () => app.close() };
}
