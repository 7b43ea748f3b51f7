import type { ClaimedMigration } from "@ferry/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ControllerClient } from "../../node-agent/src/common/controller-client";
import { loadAgentConfig } from "../../node-agent/src/common/config";
import { HostPower } from "../../node-agent/src/heartbeat/host-power";
import { SimulatedHostProbe } from "../../node-agent/src/heartbeat/simulated-host-probe";
import { TraceLibrary } from "../../node-agent/src/heartbeat/workload/trace-library";
import { HeartbeatService } from "../../node-agent/src/heartbeat/heartbeat.service";
import { MigrationAborted, type ExecutionHooks, type ExecutionResult, type MigrationExecutor } from "../../node-agent/src/migration/executor";
import { MigrationRunner } from "../../node-agent/src/migration/migration-runner";
import { RegistrationService } from "../../node-agent/src/registration/registration.service";
import { ControllerProxy } from "./support/controller-proxy";
import { TestController, createVm, eventually, registerNode, startController } from "./support/harness";

const RESULT: ExecutionResult = {
  metrics: { preparationMs: 100, downtimeMs: 20, resumeMs: 0, pagesTransferred: 1_000, totalMs: 120, degradation: 0 },
  bytesTransferred: 4_096_000,
};

interface Script {
  /** Runs once the migration is under way, right before the commit point. */
  atCommitPoint?: (hooks: ExecutionHooks) => Promise<void>;
  /** Runs right after the switchover. */
  afterSwitchover?: () => Promise<void>;
}

/** An executor that plays one migration step by step and lets the test act at the commit point. */
class ScriptedExecutor implements MigrationExecutor {
  switchedOver = false;
  constructor(private readonly script: Script = {}) {}

  async run(_m: ClaimedMigration, hooks: ExecutionHooks): Promise<ExecutionResult> {
    await hooks.progress({ phase: "round", round: 1, progress: 0.5 });
    await this.script.atCommitPoint?.(hooks);
    await hooks.beforeSwitchover({ phase: "switchover", progress: 0.99 });
    if (hooks.signal.aborted) throw new MigrationAborted(String(hooks.signal.reason));
    this.switchedOver = true;
    await this.script.afterSwitchover?.();
    return RESULT;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const later = (ms: number, f: () => Promise<void>) => void sleep(ms).then(f);

/** A source agent's migration runner, as the agent builds it, talking to the controller through `proxy`. */
function sourceRunner(c: TestController, proxy: ControllerProxy, name: string, executor: MigrationExecutor): MigrationRunner {
  const config = loadAgentConfig({
    FERRY_CONTROLLER_URL: proxy.url,
    FERRY_AGENT_BOOTSTRAP_TOKEN: c.config.agentBootstrapToken,
    FERRY_NODE_NAME: name,
    FERRY_NODE_CPU: "16",
    FERRY_NODE_MEM_MIB: "65536",
    LOG_LEVEL: "silent",
  });
  const client = new ControllerClient(config);
  const registration = new RegistrationService(client, config);
  const heartbeat = new HeartbeatService(registration, client, new SimulatedHostProbe(config.node, new TraceLibrary(new Map(), 1)), new HostPower(config.bootDelayMs), config);
  return new MigrationRunner(client, registration, heartbeat, executor);
}

/** Two nodes, a VM on the first, and a migration of it to the second that waits for its source agent. */
async function queuedMigration(c: TestController, name: string) {
  const src = await registerNode(c, `${name}-src`);
  const dst = await registerNode(c, `${name}-dst`);
  const vm = await createVm(c, { name, cpu: 1, memMiB: 512, nodeId: src });
  const { body } = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: dst, technique: "pre-copy" }).expect(202);
  return { src, dst, vmId: vm.id, migrationId: body.id as string, source: `${name}-src` };
}

async function recorded(c: TestController, migrationId: string, vmId: string) {
  const m = (await c.admin().get(`/api/v1/migrations/${migrationId}`).expect(200)).body;
  const vm = (await c.admin().get(`/api/v1/vms/${vmId}`).expect(200)).body;
  return { state: m.state as string, error: m.error as string | null, vmNodeId: vm.nodeId as string, vmState: vm.state as string };
}

/**
 * A controller (this progress timeout, nothing else timed out) behind a ControllerProxy for the agent side, started
 * before the describe block's tests and stopped after them; `use` receives both.
 */
function proxiedController(migrationProgressTimeoutMs: number, use: (c: TestController, proxy: ControllerProxy) => void): void {
  let c: TestController | undefined;
  let proxy: ControllerProxy | undefined;
  beforeAll(async () => {
    c = await startController({ reconcileIntervalMs: 100, heartbeatTimeoutMs: 3_600_000, migrationProgressTimeoutMs });
    proxy = new ControllerProxy(c.url);
    await proxy.up();
    use(c, proxy);
  });
  afterAll(async () => {
    await proxy?.down();
    await c?.close();
  });
}

describe("the commit point fails closed", () => {
  let c: TestController;
  let proxy: ControllerProxy;
  proxiedController(3_600_000, (started, its) => ((c = started), (proxy = its)));
  afterEach(async () => {
    proxy.forward();
    await proxy.up();
    proxy.calls.length = 0;
  });

  it("switches over on the controller's go-ahead", async () => {
    const t = await queuedMigration(c, "go-ahead");
    const executor = new ScriptedExecutor();
    expect(await sourceRunner(c, proxy, t.source, executor).run(t.migrationId)).toBe("completed");
    expect(executor.switchedOver).toBe(true);
    expect(await recorded(c, t.migrationId, t.vmId)).toMatchObject({ state: "completed", vmNodeId: t.dst, vmState: "running" });
  });

  it("does not switch over when the controller is down at the commit point; the VM stays on its source", async () => {
    const t = await queuedMigration(c, "down-at-commit");
    const executor = new ScriptedExecutor({
      atCommitPoint: async () => {
        await proxy.down();
        // Back after the go-ahead has been given up, in time for the failure report.
        later(4_000, () => proxy.up());
      },
    });
    expect(await sourceRunner(c, proxy, t.source, executor).run(t.migrationId)).toBe("failed");
    expect(executor.switchedOver).toBe(false);
    expect(proxy.callsTo(/\/complete$/)).toEqual([]);
    const after = await recorded(c, t.migrationId, t.vmId);
    expect(after).toMatchObject({ state: "failed", vmNodeId: t.src, vmState: "running" });
    expect(after.error).toMatch(/no go-ahead from the controller/);
  });

  it("does not switch over when the controller answers the commit point with 409", async () => {
    const t = await queuedMigration(c, "conflict-at-commit");
    const executor = new ScriptedExecutor({ atCommitPoint: async () => proxy.answer("POST", /\/progress$/, 409) });
    expect(await sourceRunner(c, proxy, t.source, executor).run(t.migrationId)).toBe("failed");
    expect(executor.switchedOver).toBe(false);
    expect(await recorded(c, t.migrationId, t.vmId)).toMatchObject({ state: "failed", vmNodeId: t.src, vmState: "running" });
  });

  it("a cancel sent while the controller is down is heard at the commit point when the controller returns in time", async () => {
    const t = await queuedMigration(c, "cancel-heard");
    const executor = new ScriptedExecutor({
      atCommitPoint: async (hooks) => {
        await proxy.down();
        await c.admin().post(`/api/v1/migrations/${t.migrationId}/cancel`).expect(202);
        await hooks.progress({ phase: "round", round: 2, progress: 0.9 }); // lost: the agent does not learn of the cancel
        later(1_000, () => proxy.up());
      },
    });
    expect(await sourceRunner(c, proxy, t.source, executor).run(t.migrationId)).toBe("failed");
    expect(executor.switchedOver).toBe(false);
    expect(await recorded(c, t.migrationId, t.vmId)).toMatchObject({ state: "cancelled", vmNodeId: t.src, vmState: "running" });
  });

  it("a cancel the agent never hears, with the controller down past the commit point, still stops the switchover", async () => {
    const t = await queuedMigration(c, "cancel-missed");
    const executor = new ScriptedExecutor({
      atCommitPoint: async (hooks) => {
        await proxy.down();
        await c.admin().post(`/api/v1/migrations/${t.migrationId}/cancel`).expect(202);
        await hooks.progress({ phase: "round", round: 2, progress: 0.9 });
        later(4_000, () => proxy.up());
      },
    });
    expect(await sourceRunner(c, proxy, t.source, executor).run(t.migrationId)).toBe("failed");
    expect(executor.switchedOver).toBe(false);
    const after = await recorded(c, t.migrationId, t.vmId);
    expect(after.state).not.toBe("completed");
    expect(after).toMatchObject({ vmNodeId: t.src, vmState: "running" });
  });

  it("after the switchover, retries the completion through errors and an outage until it is recorded, and never reports a failure", async () => {
    const t = await queuedMigration(c, "complete-retried");
    const executor = new ScriptedExecutor({
      afterSwitchover: async () => {
        proxy.answer("POST", /\/complete$/, 503, { statusCode: 503, error: "Unavailable", message: "injected" });
        later(1_000, async () => {
          proxy.forward();
          await proxy.down();
          later(3_000, () => proxy.up());
        });
      },
    });
    expect(await sourceRunner(c, proxy, t.source, executor).run(t.migrationId)).toBe("completed");
    expect(proxy.callsTo(/\/fail$/)).toEqual([]);
    const completes = proxy.callsTo(/\/complete$/);
    expect(completes.filter((x) => x.status === 503).length).toBeGreaterThanOrEqual(2);
    expect(completes.at(-1)?.status).toBe(200);
    expect(await recorded(c, t.migrationId, t.vmId)).toMatchObject({ state: "completed", vmNodeId: t.dst, vmState: "running" });
  });
});

describe("after the go-ahead", () => {
  let c: TestController;
  let proxy: ControllerProxy;
  proxiedController(3_600_000, (started, its) => ((c = started), (proxy = its)));

  it("a progress report answered once the completion is recorded (\"cancel\": no longer running) does not abort the transfer's settling", async () => {
    const t = await queuedMigration(c, "late-progress");
    let abortedAtSettle: boolean | undefined;
    const executor: MigrationExecutor = {
      run: async (_m, hooks) => {
        await hooks.beforeSwitchover({ phase: "switchover", progress: 0.99 });
        return {
          ...RESULT,
          settle: async () => {
            await hooks.progress({ phase: "switchover", progress: 1 });
            abortedAtSettle = hooks.signal.aborted;
          },
        };
      },
    };
    expect(await sourceRunner(c, proxy, t.source, executor).run(t.migrationId)).toBe("completed");
    expect(proxy.callsTo(/\/progress$/).length).toBeGreaterThanOrEqual(2);
    expect(abortedAtSettle).toBe(false);
  });
});

describe("a completion the controller refuses with 409", () => {
  let c: TestController;
  let proxy: ControllerProxy;
  proxiedController(1_000, (started, its) => ((c = started), (proxy = its)));

  it("is reported as disputed, never as a failure, when the controller ended the migration during an outage", async () => {
    const t = await queuedMigration(c, "ended-meanwhile");
    const executor = new ScriptedExecutor({
      afterSwitchover: async () => {
        await proxy.down();
        // The controller, cut off from the agent, times the migration out.
        await eventually(async () => ((await recorded(c, t.migrationId, t.vmId)).state === "failed" ? true : undefined), 10_000, "the timeout");
        await proxy.up();
      },
    });
    expect(await sourceRunner(c, proxy, t.source, executor).run(t.migrationId)).toBe("disputed");
    expect(proxy.callsTo(/\/complete$/).map((x) => x.status)).toEqual([409]);
    expect(proxy.callsTo(/\/fail$/)).toEqual([]);
  });
});

describe("claims are idempotent per agent attempt", () => {
  let c: TestController;
  let proxy: ControllerProxy;
  proxiedController(3_600_000, (started, its) => ((c = started), (proxy = its)));

  it("the same attempt claiming again gets the same go-ahead, once audited", async () => {
    const t = await queuedMigration(c, "same-attempt");
    const attemptId = "9b2f3c1e-5d6a-4e8f-9a0b-1c2d3e4f5a6b";
    const first = await c.agent(t.src).post(`/api/v1/agents/migrations/${t.migrationId}/claim`).send({ nodeId: t.src, attemptId }).expect(200);
    const again = await c.agent(t.src).post(`/api/v1/agents/migrations/${t.migrationId}/claim`).send({ nodeId: t.src, attemptId }).expect(200);
    expect(first.body.proceed).toBe(true);
    expect(again.body).toEqual(first.body);
    expect((await recorded(c, t.migrationId, t.vmId)).state).toBe("running");
    const audit = await c.admin().get(`/api/v1/audit?targetType=migration&targetId=${t.migrationId}`).expect(200);
    expect(audit.body.items.filter((a: { action: string }) => a.action === "migration.started")).toHaveLength(1);
  });

  it.each([
    { name: "another attempt", second: { attemptId: "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5" } },
    { name: "a claim without an attempt id", second: {} },
  ])("$name claiming a running migration is a redelivery: it fails and the VM stays on its source", async ({ name, second }) => {
    const t = await queuedMigration(c, `redelivered-${name.split(" ").at(-1)}`);
    await c.agent(t.src).post(`/api/v1/agents/migrations/${t.migrationId}/claim`).send({ nodeId: t.src, attemptId: "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9" }).expect(200);
    const res = await c.agent(t.src).post(`/api/v1/agents/migrations/${t.migrationId}/claim`).send({ nodeId: t.src, ...second }).expect(200);
    expect(res.body).toMatchObject({ proceed: false });
    expect(await recorded(c, t.migrationId, t.vmId)).toMatchObject({ state: "failed", vmNodeId: t.src, vmState: "running" });
  });

  it("a claim id that is not a UUID is a 400", async () => {
    const t = await queuedMigration(c, "bad-attempt");
    const res = await c.agent(t.src).post(`/api/v1/agents/migrations/${t.migrationId}/claim`).send({ nodeId: t.src, attemptId: "x" }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: "attemptId" })]);
    expect((await recorded(c, t.migrationId, t.vmId)).state).toBe("queued");
  });

  it("an agent whose claim answer is lost claims again and carries the migration out", async () => {
    const t = await queuedMigration(c, "lost-claim");
    proxy.loseAnswers("POST", /\/claim$/, 1);
    const executor = new ScriptedExecutor();
    expect(await sourceRunner(c, proxy, t.source, executor).run(t.migrationId)).toBe("completed");
    expect(proxy.callsTo(/\/claim$/).map((x) => x.status)).toEqual([0, 200]);
    expect(await recorded(c, t.migrationId, t.vmId)).toMatchObject({ state: "completed", vmNodeId: t.dst });
  });
});

describe("a controller back from an outage longer than the progress timeout", () => {
  let c: TestController;
  let proxy: ControllerProxy;
  proxiedController(30_000, (started, its) => ((c = started), (proxy = its)));

  it("records the completion an agent retried through the outage, instead of timing the migration out", async () => {
    const t = await queuedMigration(c, "back-from-outage");
    const executor = new ScriptedExecutor({
      afterSwitchover: async () => {
        await proxy.down();
        // As if the controller had been down for a minute and had just started again.
        await c.prisma.migration.update({ where: { id: t.migrationId }, data: { lastProgressAt: new Date(Date.now() - 60_000) } });
        later(1_500, () => proxy.up());
      },
    });
    expect(await sourceRunner(c, proxy, t.source, executor).run(t.migrationId)).toBe("completed");
    expect(await recorded(c, t.migrationId, t.vmId)).toMatchObject({ state: "completed", vmNodeId: t.dst });
  });
});
