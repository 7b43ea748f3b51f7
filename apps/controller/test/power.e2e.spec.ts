import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, createVm, eventually, nodeIdsByName, startAgent, startController } from "./support/harness";

type Agent = Awaited<ReturnType<typeof startAgent>>;

const BOOT_DELAY_MS = 1500;

/** Consolidation with real agents: the emptied node is switched off through its agent (0 W), then woken again. */
describe("switching nodes off and waking them", () => {
  let c: TestController;
  let agents: Agent[] = [];
  let nodes: Record<string, string>;

  beforeAll(async () => {
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 100 });
    const env = { FERRY_NODE_CPU: "8", FERRY_NODE_MEM_MIB: "16384", FERRY_BOOT_DELAY_MS: String(BOOT_DELAY_MS) };
    agents = await Promise.all([startAgent(c, "p1", env), startAgent(c, "p2", env)]);
    nodes = await nodeIdsByName(c, 2);
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await c.close();
  });

  const node = (id: string) => c.admin().get(`/api/v1/nodes/${id}`).expect(200).then((r) => r.body);
  const audit = (id: string) => c.admin().get(`/api/v1/audit?targetType=node&targetId=${id}`).expect(200).then((r) => r.body.items as { action: string; actor: string }[]);

  it("consolidates an under-loaded node, switches it off through its agent, and wakes it after its boot delay", async () => {
    const workload = { kind: "constant", cpuFraction: 0.1 };
    await createVm(c, { name: "quiet-1", cpu: 1, memMiB: 1024, nodeId: nodes.p1, workload });
    await createVm(c, { name: "quiet-2", cpu: 1, memMiB: 1024, nodeId: nodes.p2, workload });

    // An operator cannot switch off a node that hosts a VM; nor ask for a power state that does not exist.
    const refused = await c.admin().post(`/api/v1/nodes/${nodes.p1}/power`).send({ state: "off" }).expect(409);
    expect(refused.body.message).toMatch(/still hosts 1 VM/);
    await c.admin().post(`/api/v1/nodes/${nodes.p1}/power`).send({ state: "sideways" }).expect(400);
    expect((await node(nodes.p1)).state).toBe("active");

    await c.admin().patch("/api/v1/policies/consolidate").send({ mode: "auto", params: { sampleS: 1, historyPoints: 2 } }).expect(200);
    const run = await eventually(async () => {
      const r = (await c.admin().post("/api/v1/policies/consolidate/run").expect(200)).body;
      return r.outcome === "plan" ? r : undefined;
    }, 20_000, "consolidate to propose a plan");
    const plan = await eventually(async () => {
      const p = (await c.admin().get(`/api/v1/plans/${run.planId}`).expect(200)).body;
      return ["succeeded", "failed", "cancelled"].includes(p.state) ? p : undefined;
    }, 30_000, "the consolidation plan to finish");
    expect(plan.state).toBe("succeeded");
    const [emptied] = plan.explanation.switchOff as string[];
    expect(emptied).toBeDefined();

    // Off in the controller at once, and the agent, told so in its next heartbeat's answer, reports 0 W.
    expect(await node(emptied!)).toMatchObject({ state: "off", stateReason: expect.stringMatching(/emptied by consolidation plan/) });
    const off = await eventually(async () => {
      const n = await node(emptied!);
      return n.load?.power === "off" ? n : undefined;
    }, 10_000, "the agent to report switched off");
    expect(off.load).toMatchObject({ watts: 0, cpuLoad: 0 });
    const metrics = (await c.admin().get("/metrics").expect(200)).text;
    const name = off.name as string;
    expect(metrics).toMatch(new RegExp(`ferry_node_power_watts\\{node="${name}"\\} 0\\n`));
    // The stored samples show the energy saved: the node draws nothing while it is off.
    await eventually(async () => ((await c.prisma.nodeSample.count({ where: { nodeId: emptied!, watts: 0 } })) > 0 ? true : undefined), 10_000, "a 0 W sample");

    const woken = await c.admin().post(`/api/v1/nodes/${emptied}/power`).send({ state: "on" }).expect(200);
    const wokenAt = Date.now();
    expect(woken.body.state).toBe("waking");
    await eventually(async () => ((await node(emptied!)).state === "active" ? true : undefined), 15_000, "the node to be active again");
    expect(Date.now() - wokenAt).toBeGreaterThanOrEqual(BOOT_DELAY_MS);
    const back = await eventually(async () => {
      const n = await node(emptied!);
      return n.load?.power === "on" ? n : undefined;
    }, 10_000, "a powered-on heartbeat");
    expect(back.load.watts).toBeGreaterThan(0);

    const actions = (await audit(emptied!)).map((a) => `${a.action} by ${a.actor}`);
    expect(actions).toEqual(expect.arrayContaining(["node.power-off by policy:consolidate", "node.power-on by admin", "node.woke by system:power"]));
  });

  it("a drain with nowhere to put its VMs wakes a switched-off node, and drains onto it once it is active", async () => {
    const [empty, full] = await Promise.all([node(nodes.p1!), node(nodes.p2!)]).then((ns) => (ns[0].allocated.cpu === 0 ? ns : [ns[1], ns[0]]));
    await c.admin().post(`/api/v1/nodes/${empty.id}/power`).send({ state: "off" }).expect(200);
    expect((await node(empty.id)).state).toBe("off");
    // Woken before its agent heard it was off, the node never went down and is active at once: wait until it is off.
    await eventually(async () => ((await node(empty.id)).load?.power === "off" ? true : undefined), 10_000, "the agent to report switched off");

    const first = (await c.admin().post(`/api/v1/nodes/${full.id}/drain`).expect(202)).body;
    expect(first.steps).toEqual([]);
    expect(first.reason.woke).toMatchObject({ nodeId: empty.id, reason: expect.stringMatching(/no running node takes it; drain again once/) });
    expect((await node(empty.id)).state).toBe("waking");
    await eventually(async () => ((await node(empty.id)).state === "active" ? true : undefined), 15_000, "the woken node to be active");

    const second = (await c.admin().post(`/api/v1/nodes/${full.id}/drain`).expect(202)).body;
    expect(second.steps.map((s: { to: { id: string } }) => s.to.id)).toEqual([empty.id, empty.id]);
    const done = await eventually(async () => {
      const p = (await c.admin().get(`/api/v1/plans/${second.id}`).expect(200)).body;
      return ["succeeded", "failed", "cancelled"].includes(p.state) ? p : undefined;
    }, 30_000, "the second drain to finish");
    expect(done.state).toBe("succeeded");
    expect((await node(full.id)).state).toBe("maintenance");
  });
});
