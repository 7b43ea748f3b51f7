import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, startController } from "./support/harness";

/** Every line the controller logs, parsed. */
class LogLines {
  readonly lines: Record<string, unknown>[] = [];
  raw = "";
  write(chunk: string): void {
    this.raw += chunk;
    for (const line of chunk.split("\n")) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }
}

describe("the controller's log", () => {
  let c: TestController;
  const log = new LogLines();
  const stranger = "Bearer a-token-nobody-issued-0123456789";
  beforeAll(async () => {
    c = await startController({ logLevel: "debug" }, undefined, log);
  });
  afterAll(() => c?.close());

  it("shows requests at debug, with no credential in any line", async () => {
    await c.admin().get("/api/v1/nodes").expect(200);
    const node = await c.agent().post("/api/v1/agents/register").send({ name: "logged", capacity: { cpu: 2, memMiB: 2048 }, power: { idleWatts: 1, peakWatts: 2 } }).expect(200);
    await c.as(node.body.credential).post(`/api/v1/agents/nodes/${node.body.nodeId}/heartbeat`).send({ cpuLoad: 0.1, memLoad: 0.1, watts: 5, netTxMbps: 0, netRxMbps: 0 }).expect(200);
    await c.http().get("/api/v1/vms").set("Authorization", stranger).expect(401);
    await c.admin().get("/api/v1/migrations/00000000-0000-4000-8000-000000000000").expect(404);

    const requests = log.lines.filter((l) => l.req && l.res);
    expect(requests.length).toBeGreaterThanOrEqual(4);
    for (const line of requests) expect(line.level).toBe(20);
    const seen = requests.map((l) => (l.req as { headers: Record<string, string> }).headers.authorization);
    expect(seen).toContain("[redacted]");
    for (const secret of [c.config.adminToken, c.config.agentBootstrapToken, node.body.credential, stranger.slice("Bearer ".length)]) {
      expect(log.raw).not.toContain(secret);
    }
  });

  it("at info, a request writes nothing", async () => {
    const quiet = new LogLines();
    const d = await startController({ logLevel: "info" }, undefined, quiet);
    try {
      const before = quiet.lines.length;
      await d.admin().get("/api/v1/nodes").expect(200);
      expect(quiet.lines.slice(before).filter((l) => l.req)).toEqual([]);
    } finally {
      await d.close();
    }
  });
});
