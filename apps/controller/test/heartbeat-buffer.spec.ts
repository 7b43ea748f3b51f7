import type { INestApplication } from "@nestjs/common";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createController } from "../src/app.factory";
import { HeartbeatBuffer } from "../src/nodes/heartbeat-buffer";
import { TestController, createVm, eventually, registerNode, startController } from "./support/harness";
import { TEST_REDIS_URL } from "./support/test-env";

const GROUP = "sample-writers";
const FROZEN = Date.parse("2026-12-01T12:00:00Z");
const load = { cpuLoad: 0.4, memLoad: 0.5, watts: 180, netTxMbps: 10, netRxMbps: 20 };

/**
 * The window between reading buffered heartbeats and writing them: a writer that crashes there loses
 * nothing, and one that crashes after its INSERT but before acknowledging it duplicates nothing.
 */
describe("heartbeat buffer: crashes between reading, writing and acknowledging", () => {
  let c: TestController;
  let redis: Redis;
  let stream: string;
  let node: string;
  let vm: string;
  let others: INestApplication[] = [];

  const buffer = () => c.app.get(HeartbeatBuffer);
  const beats = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await c.agent(node)
        .post(`/api/v1/agents/nodes/${node}/heartbeat`)
        .send({ ...load, vms: [{ vmId: vm, cpuFraction: 0.5, memUsedMiB: 512, dirtyRateMiBps: 5, peerTxMbps: {} }] })
        .expect(200);
    }
  };
  const samples = async () => ({ node: await c.prisma.nodeSample.count({ where: { nodeId: node } }), vm: await c.prisma.vmSample.count({ where: { vmId: vm } }) });
  /** A writer that reads entries through the group and then dies: they stay pending under its name. */
  const crashAfterReading = async (consumer: string) => {
    const reply = (await redis.xreadgroup("GROUP", GROUP, consumer, "COUNT", 1000, "STREAMS", stream, ">")) as [string, [string, string[]][]][] | null;
    return reply?.[0]?.[1] ?? [];
  };

  beforeAll(async () => {
    // The clock stands still: a node's heartbeats still get distinct times, so none is mistaken for a replay.
    c = await startController({ sampleFlushMs: 3_600_000, sampleClaimIdleMs: 300, heartbeatTimeoutMs: 3_600_000 }, { now: () => new Date(FROZEN) });
    redis = new Redis(TEST_REDIS_URL);
    stream = `${c.config.redisPrefix}:heartbeat:stream`;
    node = await registerNode(c, "buffered");
    vm = (await createVm(c, { name: "buffered-vm", cpu: 1, memMiB: 1024, nodeId: node })).id;
    await buffer().flush();
  });
  afterEach(async () => {
    for (const app of others) await app.close();
    others = [];
    await buffer().flush();
  });
  afterAll(async () => {
    redis.disconnect();
    await c.close();
  });

  it("a frozen clock still gives each heartbeat of a node its own time", async () => {
    const before = await samples();
    await beats(5);
    expect(await buffer().flush()).toBe(5);
    expect(await samples()).toEqual({ node: before.node + 5, vm: before.vm + 5 });
    const times = await c.prisma.nodeSample.findMany({ where: { nodeId: node }, select: { at: true }, orderBy: { at: "desc" }, take: 5 });
    expect(new Set(times.map((t) => t.at.getTime())).size).toBe(5);
  });

  it("read, then crashed before the INSERT: a controller started afterwards writes the batch, once", async () => {
    const before = await samples();
    await beats(4);
    expect(await crashAfterReading("crashed-writer")).toHaveLength(4);
    // Still pending under the dead writer, and not idle long enough to be taken over: nothing written yet.
    expect(await buffer().flush()).toBe(0);
    expect(await samples()).toEqual(before);
    expect(await redis.xpending(stream, GROUP)).toEqual([4, expect.any(String), expect.any(String), [["crashed-writer", "4"]]]);

    // The controller comes back (a new process: a new writer) and its flush timer takes the batch over.
    const restarted = await createController({ ...c.config, sampleFlushMs: 100 });
    others.push(restarted);
    await restarted.init();
    await eventually(async () => ((await samples()).node === before.node + 4 ? true : undefined), 10_000, "the abandoned batch to be written");
    expect(await samples()).toEqual({ node: before.node + 4, vm: before.vm + 4 });
    expect(await redis.xlen(stream)).toBe(0);
    expect((await redis.xpending(stream, GROUP))[0]).toBe(0);
    // The dead writer is forgotten once it has nothing pending.
    const consumers = (await redis.xinfo("CONSUMERS", stream, GROUP)) as unknown[][];
    expect(consumers.map((info) => info[1])).not.toContain("crashed-writer");
  });

  it("written, then crashed before the acknowledgement: writing the batch again adds nothing", async () => {
    const before = await samples();
    await beats(3);
    const entries = await redis.xrange(stream, "-", "+");
    expect(entries).toHaveLength(3);
    expect(await buffer().flush()).toBe(3);
    // Redelivered as a takeover would deliver them: the same heartbeats, read again and written again.
    for (const [, fields] of entries) await redis.xadd(stream, "*", ...fields);
    expect(await buffer().flush()).toBe(0);
    expect(await samples()).toEqual({ node: before.node + 3, vm: before.vm + 3 });
    expect(await redis.xlen(stream)).toBe(0);
  });

  it("an INSERT that fails keeps the batch pending, and the next flush writes it", async () => {
    const before = await samples();
    await beats(2);
    await c.prisma.$executeRawUnsafe(`ALTER TABLE "NodeSample" RENAME TO "NodeSampleAway"`);
    try {
      await expect(buffer().flush()).rejects.toThrow();
    } finally {
      await c.prisma.$executeRawUnsafe(`ALTER TABLE "NodeSampleAway" RENAME TO "NodeSample"`);
    }
    expect((await redis.xpending(stream, GROUP))[0]).toBe(2);
    expect(await buffer().flush()).toBe(2);
    expect(await samples()).toEqual({ node: before.node + 2, vm: before.vm + 2 });
  });
});
