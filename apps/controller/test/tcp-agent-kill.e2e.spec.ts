import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../node-agent/src/common/config";
import { expectedImageDigest } from "../../node-agent/src/guest/expected-image";
import { GuestImage } from "../../node-agent/src/guest/guest-image";
import { GuestJournal } from "../../node-agent/src/guest/guest-journal";
import { startAgentProcess, type AgentProcess } from "./support/agent-process";
import { TestController, createVm, eventually, nodeIdsByName, startController } from "./support/harness";

/** A tcp agent as its own process, so that it can be SIGKILLed mid-write. */
describe("a tcp agent SIGKILLed and restarted keeps its guests' images (redo journal)", () => {
  let c: TestController;
  let dir: string;
  let agent: AgentProcess | undefined;
  /** Every start of the agent, for what they printed. */
  const runs: AgentProcess[] = [];

  const env = () => ({
    PORT: "0",
    HOST: "127.0.0.1",
    FERRY_CONTROLLER_URL: c.url,
    FERRY_AGENT_BOOTSTRAP_TOKEN: c.config.agentBootstrapToken,
    REDIS_URL: c.config.redisUrl,
    FERRY_REDIS_PREFIX: c.config.redisPrefix,
    FERRY_NODE_NAME: "kill-1",
    FERRY_NODE_CPU: "16",
    FERRY_NODE_MEM_MIB: "65536",
    FERRY_AGENT_MODE: "tcp",
    FERRY_AGENT_DATA_DIR: dir,
    FERRY_AGENT_DATA_PORT: "0",
    LOG_LEVEL: "warn",
  });
  function startAgent(): AgentProcess {
    runs.push(startAgentProcess(null, env()));
    return runs.at(-1)!;
  }
  const imagePath = (vmId: string) => join(dir, "vms", `${vmId}.img`);
  const journalled = (vmId: string) => GuestJournal.read(imagePath(vmId));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ferry-kill-"));
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 200 });
  });
  afterAll(async () => {
    await agent?.kill();
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("after a SIGKILL mid-run the guests continue from their journal, and each image is the deterministic one for its (seed, writes)", async () => {
    agent = startAgent();
    const { "kill-1": node } = await nodeIdsByName(c, 1, { beating: true, timeoutMs: 60_000 });
    const vms = [
      await createVm(c, { name: "kill-vm-1", cpu: 1, memMiB: 16, dirtyRateMiBps: 4, nodeId: node }),
      await createVm(c, { name: "kill-vm-2", cpu: 1, memMiB: 16, dirtyRateMiBps: 1, nodeId: node }),
    ];
    const before = await eventually(
      async () => {
        const records = vms.map((vm) => journalled(vm.id));
        return records.every((r) => r && r.writes > 200) ? records.map((r) => r!) : undefined;
      },
      60_000,
      "both guests to write",
    );
    await agent.kill();
    const atKill = vms.map((vm) => journalled(vm.id)!);
    expect(atKill.map((r) => r.writes).every((w, i) => w >= before[i].writes)).toBe(true);

    agent = startAgent();
    await eventually(
      async () => (vms.every((vm, i) => (journalled(vm.id)?.writes ?? 0) > atKill[i].writes + 100) ? true : undefined),
      60_000,
      "the guests to run again after the restart",
    );
    await agent.stop();
    agent = undefined;

    const locality = loadAgentConfig(env()).transfer.locality;
    for (const [i, vm] of vms.entries()) {
      const record = journalled(vm.id)!;
      expect(record.seed, "the seed survives the restart").toBe(atKill[i].seed);
      const image = GuestImage.open(imagePath(vm.id), 16);
      const digest = await image.digest();
      image.close();
      expect(digest, runs.flatMap((r) => r.output).join("")).toBe(await expectedImageDigest({ memMiB: 16, seed: record.seed, writes: record.writes, locality }));
    }
  }, 180_000);
});
