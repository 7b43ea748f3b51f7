import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeartbeatBuffer } from "../src/nodes/heartbeat-buffer";
import { RedisService } from "../src/redis/redis.module";
import { TestController, eventually, registerNode, startController } from "./support/harness";
import { TcpProxy } from "./support/tcp-proxy";
import { TEST_REDIS_URL } from "./support/test-env";

const beat = { cpuLoad: 0.2, memLoad: 0.3, watts: 150, netTxMbps: 1, netRxMbps: 1 };
const TIMEOUT_MS = 1_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The controller's Redis goes away for longer than the node timeout, then comes back. */
describe("liveness across a Redis outage", () => {
  let c: TestController;
  let redis: TcpProxy;
  const beating = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    const target = new URL(TEST_REDIS_URL);
    redis = new TcpProxy(target.hostname, Number(target.port || 6379));
    await redis.up();
    c = await startController({
      redisUrl: `redis://${redis.address.host}:${redis.address.port}`,
      heartbeatTimeoutMs: TIMEOUT_MS,
      reconcileIntervalMs: 100,
      sampleFlushMs: 200,
    });
    // Agents keep beating whatever the controller answers, as real ones do.
    timer = setInterval(() => {
      for (const id of beating) void c.agent(id).post(`/api/v1/agents/nodes/${id}/heartbeat`).send(beat).then(() => undefined, () => undefined);
    }, 200);
  });
  afterAll(async () => {
    clearInterval(timer);
    await redis?.up();
    await c?.close();
    await redis?.down();
  });

  const state = async (id: string) => (await c.admin().get(`/api/v1/nodes/${id}`).expect(200)).body.state as string;

  it("fails no node because of the outage, and still fails a node that stays silent afterwards", async () => {
    const a = await registerNode(c, "steady-a");
    const b = await registerNode(c, "steady-b");
    beating.add(a).add(b);
    await sleep(TIMEOUT_MS + 500);
    expect([await state(a), await state(b)]).toEqual(["active", "active"]);

    await redis.down();
    await sleep(TIMEOUT_MS * 2 + 500);
    await redis.up();
    await sleep(TIMEOUT_MS * 2);
    expect([await state(a), await state(b)]).toEqual(["active", "active"]);
    expect(await c.prisma.auditLog.count({ where: { action: "node.failed" } })).toBe(0);

    beating.delete(b);
    await eventually(async () => ((await state(b)) === "failed" ? true : undefined), 10_000, "the silent node to fail");
    expect(await state(a)).toBe("active");
  });

  it("gives a node a whole timeout from when Redis is back, however long before that the last call failed", async () => {
    const late = await registerNode(c, "late");
    const client = c.app.get(RedisService).client;
    beating.add(late);
    await sleep(500);

    await redis.down();
    // Its agent sends nothing more until a while after Redis is back, as one waiting out its retries would.
    beating.delete(late);
    await sleep(TIMEOUT_MS * 2 + 500);
    await redis.up();
    await eventually(async () => (client.status === "ready" ? true : undefined), 15_000, "the controller to reconnect to Redis");
    await sleep(TIMEOUT_MS / 3);
    beating.add(late);

    await sleep(TIMEOUT_MS * 2);
    expect(await state(late)).toBe("active");
    expect(await c.prisma.auditLog.count({ where: { action: "node.failed", targetId: late } })).toBe(0);
  });

  it("a heartbeat whose sample cannot be buffered still counts for liveness", async () => {
    const id = await registerNode(c, "unbuffered");
    const buffer = c.app.get(HeartbeatBuffer);
    const redisClient = c.app.get(RedisService).client;
    const samples = c.app.get(RedisService).key("heartbeat", "samples");
    await buffer.flush();
    // The sample list refuses every push (a key of the wrong type), as a full buffer would.
    await redisClient.set(samples, "not a list");
    try {
      const before = Date.now();
      await c.agent(id).post(`/api/v1/agents/nodes/${id}/heartbeat`).send(beat).expect(200);
      expect((await buffer.lastSeen()).get(id)).toBeGreaterThanOrEqual(before);
      expect((await c.admin().get(`/api/v1/nodes/${id}`).expect(200)).body.load).toEqual({ ...beat, power: "on" });
    } finally {
      await redisClient.del(samples);
    }
  });
});
