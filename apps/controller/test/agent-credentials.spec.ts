import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ControllerClient } from "../../node-agent/src/common/controller-client";
import { loadAgentConfig } from "../../node-agent/src/common/config";
import { RegistrationService } from "../../node-agent/src/registration/registration.service";
import { hashSecret } from "../src/auth/secrets";
import { RedisService } from "../src/redis/redis.module";
import { TestController, counts, createVm, registerNode, startController } from "./support/harness";

const beat = { cpuLoad: 0.2, memLoad: 0.3, watts: 150, netTxMbps: 1, netRxMbps: 1 };
const metrics = { preparationMs: 1, downtimeMs: 1, resumeMs: 1, pagesTransferred: 1, totalMs: 3, degradation: 0 };

describe("agent credentials: every agent acts only for its own node", () => {
  let c: TestController;
  let a: string;
  let b: string;
  let migrationId: string;
  beforeAll(async () => {
    c = await startController({ heartbeatTimeoutMs: 3_600_000, migrationProgressTimeoutMs: 3_600_000 });
    a = await registerNode(c, "cred-a");
    b = await registerNode(c, "cred-b");
    const vm = await createVm(c, { name: "cred-vm", cpu: 1, memMiB: 512, nodeId: a });
    migrationId = (await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: b }).expect(202)).body.id;
  });
  afterAll(() => c?.close());

  const migration = (step: string) => `/api/v1/agents/migrations/${migrationId}/${step}`;
  /** Each agent route, as node b's agent acting for node a; and for migration reports, as itself (b is the target, not the source). */
  const routes = [
    { name: "heartbeat for another node", send: () => c.agent(b).post(`/api/v1/agents/nodes/${a}/heartbeat`).send(beat) },
    { name: "hosted VMs of another node", send: () => c.agent(b).get(`/api/v1/agents/nodes/${a}/vms`) },
    ...[
      ["claim", {}],
      ["progress", { phase: "round", progress: 0.5 }],
      ["complete", { metrics, bytesTransferred: 4096 }],
      ["fail", { error: "no", cancelled: false }],
      ["sla-breaches", { kind: "downtime", limitMs: 1, actualMs: 2 }],
    ].flatMap(([step, body]) => [
      { name: `${step} naming the source node`, send: () => c.agent(b).post(migration(step as string)).send({ nodeId: a, ...(body as object) }) },
      { name: `${step} from the target node`, send: () => c.agent(b).post(migration(step as string)).send({ nodeId: b, ...(body as object) }) },
    ]),
  ];

  it.each(routes)("$name is a 403, and writes nothing", async ({ send }) => {
    const before = await counts(c);
    const res = await send().expect(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: "Forbidden" });
    expect(await counts(c)).toEqual(before);
    expect((await c.prisma.migration.findUniqueOrThrow({ where: { id: migrationId } })).state).toBe("queued");
  });

  it("the credential is stored only as a hash", async () => {
    const row = await c.prisma.apiToken.findFirstOrThrow({ where: { nodeId: a } });
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.secretHash).not.toBe(c.credentials.get(a));
    expect(row).toMatchObject({ name: "agent:cred-a", role: "agent" });
  });

  it("both agents of a running migration get the same transfer secret, and no other node does", async () => {
    await c.agent(b).get(migration("transfer")).expect(409);
    const claim = await c.agent(a).post(migration("claim")).send({ nodeId: a }).expect(200);
    const secret = claim.body.migration.transferSecret as string;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const target = await c.agent(b).get(migration("transfer")).expect(200);
    expect(target.body).toEqual({ migrationId, sourceNodeId: a, targetNodeId: b, vmId: claim.body.migration.vm.id, memMiB: 512, transferSecret: secret });
    expect((await c.agent(a).get(migration("transfer")).expect(200)).body.transferSecret).toBe(secret);
    const other = await registerNode(c, "cred-c");
    await c.agent(other).get(migration("transfer")).expect(403);
    await c.admin().post(`/api/v1/migrations/${migrationId}/cancel`).expect(202);
  });

  it("a VM's placement is told to the nodes that run or ran it (source and target of its migrations), and to no other", async () => {
    const vm = await createVm(c, { name: "cred-placed", cpu: 1, memMiB: 512, nodeId: a });
    const placement = (node: string, of = node) => c.agent(node).get(`/api/v1/agents/nodes/${of}/vms/${vm.id}/placement`);
    const m = (await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: b }).expect(202)).body.id as string;
    expect((await placement(b).expect(200)).body).toEqual({ vmId: vm.id, nodeId: a, openMigrationId: m, arrivedBy: null });
    await c.agent(a).post(`/api/v1/agents/migrations/${m}/claim`).send({ nodeId: a }).expect(200);
    await c.agent(a).post(`/api/v1/agents/migrations/${m}/complete`).send({ nodeId: a, metrics, bytesTransferred: 4096 }).expect(200);
    for (const node of [a, b]) expect((await placement(node).expect(200)).body).toEqual({ vmId: vm.id, nodeId: b, openMigrationId: null, arrivedBy: m });
    const other = await registerNode(c, "cred-d");
    await placement(other).expect(403);
    await placement(other, a).expect(403);
    await c.agent(a).get(`/api/v1/agents/nodes/${a}/vms/00000000-0000-4000-8000-00000000dead/placement`).expect(404);
  });

  it("registering again replaces the credential: the old one is refused at once, the new one works", async () => {
    const old = c.credentials.get(a)!;
    await c.as(old).post(`/api/v1/agents/nodes/${a}/heartbeat`).send(beat).expect(200);
    const again = await registerNode(c, "cred-a");
    expect(again).toBe(a);
    expect(c.credentials.get(a)).not.toBe(old);
    const refused = await c.as(old).post(`/api/v1/agents/nodes/${a}/heartbeat`).send(beat).expect(401);
    expect(refused.body).toMatchObject({ error: "Unauthorized" });
    await c.agent(a).post(`/api/v1/agents/nodes/${a}/heartbeat`).send(beat).expect(200);
    expect(await c.prisma.apiToken.count({ where: { nodeId: a } })).toBe(1);
  });

  it("agent credentials are kept in Redis for the heartbeat path, and put back from PostgreSQL when Redis lost them", async () => {
    const redis = c.app.get(RedisService);
    const key = async (node: string) => redis.key("agent-credential", hashSecret(c.credentials.get(node)!));
    expect(await redis.client.exists(await key(b))).toBe(1);
    await redis.client.del(await key(b));
    await c.agent(b).post(`/api/v1/agents/nodes/${b}/heartbeat`).send(beat).expect(200);
    expect(await redis.client.exists(await key(b))).toBe(1);
    const old = await key(b);
    await registerNode(c, "cred-b");
    expect(await redis.client.exists(old)).toBe(0);
    expect(await redis.client.exists(await key(b))).toBe(1);
  });

  it("an agent credential opens no operator route, and the bootstrap token no agent route but registration", async () => {
    await c.agent(a).get("/api/v1/nodes").expect(403);
    await c.agent().post(`/api/v1/agents/nodes/${a}/heartbeat`).send(beat).expect(401);
  });

  it("an agent whose credential was replaced elsewhere registers again and carries on", async () => {
    const config = loadAgentConfig({
      FERRY_CONTROLLER_URL: c.url,
      FERRY_AGENT_BOOTSTRAP_TOKEN: c.config.agentBootstrapToken,
      FERRY_NODE_NAME: "cred-restarted",
      LOG_LEVEL: "silent",
    });
    const client = new ControllerClient(config);
    const registration = new RegistrationService(client, config);
    try {
      const { nodeId } = await registration.register();
      const vms = `/api/v1/agents/nodes/${nodeId}/vms`;
      const answer = z.object({ items: z.array(z.unknown()) });
      await expect(client.call("GET", vms, undefined, answer)).resolves.toEqual({ items: [] });
      await registerNode(c, "cred-restarted");
      await expect(client.call("GET", vms, undefined, answer, { retries: 1 })).resolves.toEqual({ items: [] });
      expect(registration.registration?.credential).not.toBe(c.credentials.get(nodeId));
    } finally {
      registration.onApplicationShutdown();
    }
  });
});
