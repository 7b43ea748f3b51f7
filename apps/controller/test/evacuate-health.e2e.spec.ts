import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, createVm, eventually, nodeIdsByName, startAgent, startController } from "./support/harness";

type Agent = Awaited<ReturnType<typeof startAgent>>;

/** A real agent with a simulated fault (FERRY_SIM_FAULT): its health reports make evacuate empty it before it fails. */
describe("evacuating a node that runs hot", () => {
  let c: TestController;
  let agents: Agent[] = [];
  let nodes: Record<string, string>;

  beforeAll(async () => {
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 100 });
    const env = { FERRY_NODE_CPU: "8", FERRY_NODE_MEM_MIB: "16384" };
    agents = await Promise.all([startAgent(c, "hot", { ...env, FERRY_SIM_FAULT: "overheat" }), startAgent(c, "cool", env)]);
    nodes = await nodeIdsByName(c, 2);
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await c.close();
  });

  it("moves the VMs off a node whose every heartbeat over the window reports 85 °C or more, and says so", async () => {
    const vm = await createVm(c, { name: "sweltering", cpu: 1, memMiB: 1024, nodeId: nodes.hot });
    await c.admin().patch("/api/v1/policies/evacuate").send({ params: { windowS: 10 } }).expect(200);
    const run = await eventually(async () => {
      const r = (await c.admin().post("/api/v1/policies/evacuate/run").expect(200)).body;
      return r.outcome === "plan" ? r : undefined;
    }, 30_000, "evacuate to propose a plan");
    const plan = await eventually(async () => {
      const p = (await c.admin().get(`/api/v1/plans/${run.planId}`).expect(200)).body;
      return ["succeeded", "failed", "cancelled"].includes(p.state) ? p : undefined;
    }, 30_000, "the evacuation to finish");
    expect(plan).toMatchObject({ kind: "evacuate", state: "succeeded" });
    expect(plan.reason).toMatchObject({ metric: "temperature", threshold: 85, observed: 95, windowS: 10, summary: expect.stringMatching(/node hot stayed at or above 85 °C/) });
    expect((await c.admin().get(`/api/v1/vms/${vm.id}`).expect(200)).body.nodeId).toBe(nodes.cool);
  });
});
