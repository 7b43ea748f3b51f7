import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, counts, createVm, registerNode, startController } from "./support/harness";

describe("VMs", () => {
  let c: TestController;
  let small: string;
  let big: string;
  beforeAll(async () => {
    c = await startController();
    small = await registerNode(c, "small", { cpu: 4, memMiB: 8192 });
    big = await registerNode(c, "big", { cpu: 32, memMiB: 131072 });
  });
  afterAll(() => c.close());

  it("creates a VM where placement puts it and answers the documented shape", async () => {
    const res = await c.admin().post("/api/v1/vms").send({ name: "web-1", cpu: 2, memMiB: 4096 }).expect(201);
    expect(res.body).toMatchObject({ id: expect.any(String), name: "web-1", state: "running", nodeId: big, cpu: 2, memMiB: 4096 });
    const got = await c.admin().get(`/api/v1/vms/${res.body.id}`).expect(200);
    expect(got.body).toEqual(res.body);
    const audit = await c.admin().get(`/api/v1/audit?targetType=vm&targetId=${res.body.id}`).expect(200);
    expect(audit.body.items[0]).toMatchObject({ action: "vm.created", details: { placedBy: "placement", nodeId: big } });
  });

  it("creates a VM on the node asked for", async () => {
    const vm = await createVm(c, { name: "pinned", cpu: 1, memMiB: 1024, nodeId: small, sla: { maxDowntimeMs: 300 } });
    expect(vm.nodeId).toBe(small);
  });

  it.each([
    { name: "missing memMiB", body: { name: "x", cpu: 1 }, field: "memMiB" },
    { name: "negative cpu", body: { name: "x", cpu: -1, memMiB: 1 }, field: "cpu" },
    { name: "fractional cpu", body: { name: "x", cpu: 1.5, memMiB: 1 }, field: "cpu" },
    { name: "name with spaces", body: { name: "my vm", cpu: 1, memMiB: 1 }, field: "name" },
    { name: "unknown field", body: { name: "x", cpu: 1, memMiB: 1, color: "red" }, field: "(body)" },
    { name: "nodeId not a UUID", body: { name: "x", cpu: 1, memMiB: 1, nodeId: "n1" }, field: "nodeId" },
    { name: "string memMiB", body: { name: "x", cpu: 1, memMiB: "1024" }, field: "memMiB" },
  ])("a body with $name is a 400 naming $field, and nothing is written", async ({ body, field }) => {
    const before = await counts(c);
    const res = await c.admin().post("/api/v1/vms").send(body).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: "ValidationFailed" });
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(res.body.message).toContain(field);
    expect(await counts(c)).toEqual(before);
  });

  it("malformed JSON is a 400", async () => {
    const res = await c.admin().post("/api/v1/vms").set("Content-Type", "application/json").send("{not json").expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: "ValidationFailed" });
  });

  it.each([
    {
      name: "an unknown node",
      body: () => ({ name: "x1", cpu: 1, memMiB: 1, nodeId: "00000000-0000-4000-8000-000000000000" }),
      status: 404,
      error: "NodeNotFound",
    },
    { name: "a full node", body: () => ({ name: "x2", cpu: 8, memMiB: 1024, nodeId: small }), status: 409, error: "CapacityExceeded" },
    { name: "a taken name", body: () => ({ name: "web-1", cpu: 1, memMiB: 1 }), status: 409, error: "NameTaken" },
    { name: "a VM nothing can hold", body: () => ({ name: "x3", cpu: 64, memMiB: 1 }), status: 409, error: "NoFeasibleNode" },
  ])("creating on $name is refused with $status and writes nothing", async ({ body, status, error }) => {
    const before = await counts(c);
    const res = await c.admin().post("/api/v1/vms").send(body()).expect(status);
    expect(res.body.error).toBe(error);
    expect(await counts(c)).toEqual(before);
  });

  it("says why each node was passed over", async () => {
    const res = await c.admin().post("/api/v1/vms").send({ name: "huge", cpu: 64, memMiB: 1 }).expect(409);
    expect(res.body.details.rejected).toEqual([
      { node: "big", reasons: ["insufficient cpu needs 64, 30 free of 32"] },
      { node: "small", reasons: ["insufficient cpu needs 64, 3 free of 4"] },
    ]);
  });

  it("puts a new VM next to the peers it will talk to, and stores that traffic", async () => {
    const rackA = await registerNode(c, "rack-a-1", { cpu: 16, memMiB: 32768 }, { pod: "p1", rack: "a" });
    await registerNode(c, "rack-b-1", { cpu: 64, memMiB: 262144 }, { pod: "p2", rack: "b" });
    const db = await createVm(c, { name: "peer-db", cpu: 2, memMiB: 2048, nodeId: rackA });
    const app = await c.admin().post("/api/v1/vms").send({ name: "peer-app", cpu: 2, memMiB: 2048, peers: [{ vmId: db.id, rateMbps: 800 }] }).expect(201);
    expect(app.body.nodeId).toBe(rackA);
    const traffic = await c.admin().get(`/api/v1/traffic?vmId=${db.id}`).expect(200);
    expect(traffic.body.items).toEqual([expect.objectContaining({ rateMbps: 800 })]);
    const preview = await c.admin().post("/api/v1/placement/preview").send({ cpu: 1, memMiB: 512, peers: [{ vmId: db.id, rateMbps: 10 }] }).expect(200);
    expect(preview.body).toMatchObject({ nodeId: rackA, node: "rack-a-1" });
    expect(preview.body.verdicts.length).toBeGreaterThanOrEqual(4);
  });

  it("a peer that does not exist is a 404 and nothing is written", async () => {
    const before = await counts(c);
    await c.admin().post("/api/v1/vms").send({ name: "lonely", cpu: 1, memMiB: 1, peers: [{ vmId: "00000000-0000-4000-8000-000000000000", rateMbps: 1 }] }).expect(404);
    expect(await counts(c)).toEqual(before);
  });

  it("a cordoned node takes no new VMs", async () => {
    await c.admin().post(`/api/v1/nodes/${small}/cordon`).expect(200);
    const res = await c.admin().post("/api/v1/vms").send({ name: "late", cpu: 1, memMiB: 1, nodeId: small }).expect(409);
    expect(res.body.error).toBe("NodeNotSchedulable");
    await c.admin().post(`/api/v1/nodes/${small}/uncordon`).expect(200);
  });

  it("concurrent creations never overfill a node", async () => {
    const node = await registerNode(c, "tiny", { cpu: 2, memMiB: 2048 });
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => c.admin().post("/api/v1/vms").send({ name: `race-${i}`, cpu: 1, memMiB: 512, nodeId: node })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.status === 409)).toHaveLength(4);
  });

  it("lists with filters and cursor paging", async () => {
    const all = (await c.admin().get("/api/v1/vms").expect(200)).body.items.map((v: { name: string }) => v.name);
    expect(all.length).toBeGreaterThan(2);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { name: string }[]; nextCursor: string | null } } = await c.admin().get(`/api/v1/vms?limit=2${cursor ? `&cursor=${cursor}` : ""}`).expect(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      walked.push(...page.body.items.map((v: { name: string }) => v.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all);
    const onBig = await c.admin().get(`/api/v1/vms?nodeId=${big}`).expect(200);
    expect(onBig.body.items.map((v: { name: string }) => v.name)).toEqual(["web-1"]);
    await c.admin().get("/api/v1/vms?cursor=abc").expect(400);
  });
});
