import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, counts, registerNode, startController } from "./support/harness";

describe("nodes", () => {
  let c: TestController;
  let a: string;
  let b: string;
  beforeAll(async () => {
    c = await startController();
    a = await registerNode(c, "node-a", { cpu: 8, memMiB: 16384 }, { pod: "p1", rack: "r1" });
    b = await registerNode(c, "node-b", { cpu: 8, memMiB: 16384 }, { pod: "p1", rack: "r2" });
  });
  afterAll(() => c.close());

  it("lists nodes in the documented shape", async () => {
    const res = await c.admin().get("/api/v1/nodes").expect(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items[0]).toMatchObject({
      id: a,
      name: "node-a",
      state: "active",
      labels: { pod: "p1", rack: "r1" },
      capacity: { cpu: 8, memMiB: 16384 },
      hypervisor: "bare-metal",
      allocated: { cpu: 0, memMiB: 0 },
    });
  });

  it("pages with a cursor", async () => {
    const first = await c.admin().get("/api/v1/nodes?limit=1").expect(200);
    expect(first.body.items.map((n: { name: string }) => n.name)).toEqual(["node-a"]);
    const second = await c.admin().get(`/api/v1/nodes?limit=1&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.items.map((n: { name: string }) => n.name)).toEqual(["node-b"]);
    expect(second.body.nextCursor).toBeNull();
  });

  it("registering again by name keeps the node's id", async () => {
    expect(await registerNode(c, "node-a", { cpu: 8, memMiB: 16384 }, { pod: "p1", rack: "r1" })).toBe(a);
  });

  it("cordons, uncordons and audits each change", async () => {
    const cordoned = await c.admin().post(`/api/v1/nodes/${b}/cordon`).set("X-Ferry-Actor", "alice").expect(200);
    expect(cordoned.body.state).toBe("cordoned");
    await c.admin().post(`/api/v1/nodes/${b}/cordon`).expect(200);
    const audit = await c.admin().get(`/api/v1/audit?targetType=node&targetId=${b}`).expect(200);
    const cordons = audit.body.items.filter((e: { action: string }) => e.action === "node.cordon");
    expect(cordons).toHaveLength(1);
    expect(cordons[0]).toMatchObject({ actor: "admin:alice", details: { from: "active", to: "cordoned" } });
    expect((await c.admin().post(`/api/v1/nodes/${b}/uncordon`).expect(200)).body.state).toBe("active");
  });

  it("maintenance on and off", async () => {
    expect((await c.admin().post(`/api/v1/nodes/${b}/maintenance/on`).expect(200)).body.state).toBe("maintenance");
    const refused = await c.admin().post(`/api/v1/nodes/${b}/uncordon`).expect(409);
    expect(refused.body).toMatchObject({ error: "InvalidTransition" });
    expect((await c.admin().post(`/api/v1/nodes/${b}/maintenance/off`).expect(200)).body.state).toBe("active");
  });

  it.each([
    { name: "unknown id", path: "/api/v1/nodes/00000000-0000-4000-8000-000000000000", status: 404, error: "NodeNotFound" },
    { name: "id that is not a UUID", path: "/api/v1/nodes/xyz", status: 400, error: "ValidationFailed" },
    { name: "bad state filter", path: "/api/v1/nodes?state=sleeping", status: 400, error: "ValidationFailed" },
    { name: "bad limit", path: "/api/v1/nodes?limit=0", status: 400, error: "ValidationFailed" },
  ])("GET with $name answers $status", async ({ path, status, error }) => {
    const res = await c.admin().get(path).expect(status);
    expect(res.body).toMatchObject({ statusCode: status, error });
  });

  it("refused node actions write nothing", async () => {
    const before = await counts(c);
    await c.admin().post("/api/v1/nodes/00000000-0000-4000-8000-000000000000/cordon").expect(404);
    await c.admin().post(`/api/v1/nodes/${a}/maintenance/off`).expect(200);
    expect(await counts(c)).toEqual(before);
  });

  it.each([
    { name: "no name", body: { capacity: { cpu: 4, memMiB: 1024 }, power: { idleWatts: 1, peakWatts: 2 } }, field: "name" },
    {
      name: "zero cpu",
      body: { name: "x", capacity: { cpu: 0, memMiB: 1024 }, power: { idleWatts: 1, peakWatts: 2 } },
      field: "capacity.cpu",
    },
    {
      name: "peak below idle",
      body: { name: "x", capacity: { cpu: 1, memMiB: 1024 }, power: { idleWatts: 5, peakWatts: 2 } },
      field: "power.peakWatts",
    },
  ])("registration with $name is a 400 naming $field", async ({ body, field }) => {
    const before = await counts(c);
    const res = await c.agent().post("/api/v1/agents/register").send(body).expect(400);
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await counts(c)).toEqual(before);
  });
});
