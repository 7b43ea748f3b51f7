import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, eventually, nodeIdsByName, startAgent, startController } from "./support/harness";

type Agent = Awaited<ReturnType<typeof startAgent>>;

/** This machine's memory in use, as a fraction: (MemTotal - MemAvailable) / MemTotal. */
function memLoadNow(): number {
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(readFileSync("/proc/meminfo", "utf8"))?.[1]);
  return (kib("MemTotal") - kib("MemAvailable")) / kib("MemTotal");
}

/** A real agent with FERRY_HOST_PROBE=linux: its node's load is this machine's, not the workload model's. */
describe.runIf(process.platform === "linux")("an agent probing the Linux host it runs on", () => {
  let c: TestController;
  let agent: Agent;
  let nodeId: string;

  beforeAll(async () => {
    c = await startController({ heartbeatIntervalMs: 200 });
    agent = await startAgent(c, "real", { FERRY_HOST_PROBE: "linux" });
    nodeId = (await nodeIdsByName(c, 1, { beating: true })).real!;
  });
  afterAll(async () => {
    await agent?.close();
    await c?.close();
  });

  it("registers and reports this machine's memory in use and a CPU load in range (a simulated empty host reports 0 and 0)", async () => {
    const load = await eventually(async () => (await c.admin().get(`/api/v1/nodes/${nodeId}`).expect(200)).body.load, 10_000, "a heartbeat's load");
    expect(load.memLoad).toBeGreaterThan(0);
    expect(Math.abs(load.memLoad - memLoadNow())).toBeLessThan(0.1);
    expect(load.cpuLoad).toBeGreaterThanOrEqual(0);
    expect(load.cpuLoad).toBeLessThanOrEqual(1);
    expect(load.watts).toBeGreaterThan(0);
  });
});
