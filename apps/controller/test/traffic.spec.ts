import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, counts, createVm, registerNode, startController } from "./support/harness";

describe("traffic ingest", () => {
  let c: TestController;
  let v1: string;
  let v2: string;
  let v3: string;
  beforeAll(async () => {
    c = await startController();
    await registerNode(c, "n1");
    v1 = (await createVm(c, { name: "a", cpu: 1, memMiB: 512 })).id;
    v2 = (await createVm(c, { name: "b", cpu: 1, memMiB: 512 })).id;
    v3 = (await createVm(c, { name: "c", cpu: 1, memMiB: 512 })).id;
  });
  afterAll(() => c.close());

  it("stores each pair once, whichever way it is reported; 0 removes it", async () => {
    await c
      .admin()
      .post("/api/v1/traffic")
      .send({ pairs: [{ vmA: v1, vmB: v2, rateMbps: 100 }, { vmA: v3, vmB: v1, rateMbps: 5 }] })
      .expect(200, { upserted: 2, removed: 0 });
    await c.admin().post("/api/v1/traffic").send({ pairs: [{ vmA: v2, vmB: v1, rateMbps: 250 }] }).expect(200);
    const list = await c.admin().get(`/api/v1/traffic?vmId=${v2}`).expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ rateMbps: 250 })]);
    await c.admin().post("/api/v1/traffic").send({ pairs: [{ vmA: v1, vmB: v3, rateMbps: 0 }] }).expect(200, { upserted: 0, removed: 1 });
    expect((await c.admin().get("/api/v1/traffic").expect(200)).body.items).toHaveLength(1);
  });

  it.each([
    { name: "empty batch", body: { pairs: [] }, status: 400, field: "pairs" },
    { name: "self pair", body: () => ({ pairs: [{ vmA: v1, vmB: v1, rateMbps: 1 }] }), status: 400, field: "pairs.0.vmB" },
    { name: "negative rate", body: () => ({ pairs: [{ vmA: v1, vmB: v2, rateMbps: -1 }] }), status: 400, field: "pairs.0.rateMbps" },
    {
      name: "unknown VM",
      body: () => ({
        pairs: [
          { vmA: v1, vmB: v2, rateMbps: 9 },
          { vmA: v1, vmB: "00000000-0000-4000-8000-000000000000", rateMbps: 1 },
        ],
      }),
      status: 404,
      field: undefined,
    },
  ])("a batch with $name is refused as a whole", async ({ body, status, field }) => {
    const before = await counts(c);
    const rates = (await c.admin().get("/api/v1/traffic").expect(200)).body.items;
    const res = await c
      .admin()
      .post("/api/v1/traffic")
      .send(typeof body === "function" ? body() : body)
      .expect(status);
    if (field) expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await counts(c)).toEqual(before);
    expect((await c.admin().get("/api/v1/traffic").expect(200)).body.items).toEqual(rates);
  });
});
