import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestController, startController } from "./support/harness";

describe("authentication", () => {
  let c: TestController;
  beforeAll(async () => (c = await startController()));
  afterAll(() => c.close());

  it.each([
    { name: "no header", header: undefined },
    { name: "not a bearer token", header: "Basic abc" },
    { name: "a wrong token", header: "Bearer not-the-token-at-all" },
  ])("admin routes answer 401 to $name", async ({ header }) => {
    const req = c.http().get("/api/v1/nodes");
    if (header) req.set("Authorization", header);
    const res = await req.expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: "Unauthorized" });
  });

  it("the bootstrap token opens agent registration only, and registration answers with the agent's own credential", async () => {
    await c.agent().get("/api/v1/nodes").expect(401);
    const res = await c
      .agent()
      .post("/api/v1/agents/register")
      .send({ name: "n1", capacity: { cpu: 4, memMiB: 4096 }, power: { idleWatts: 50, peakWatts: 100 } })
      .expect(200);
    expect(res.body.credential).toMatch(/^ferry_agent_/);
    await c.agent().post(`/api/v1/agents/nodes/${res.body.nodeId}/heartbeat`).send({ cpuLoad: 0, memLoad: 0, watts: 1, netTxMbps: 0, netRxMbps: 0 }).expect(401);
  });

  it("the admin token opens admin routes and registration, but not the routes agents act on for their node", async () => {
    await c.admin().get("/api/v1/nodes").expect(200);
    await c.admin().get("/api/v1/agents/nodes/00000000-0000-4000-8000-000000000000/vms").expect(403);
  });

  it.each(["/health", "/metrics", "/docs-json"])("%s needs no token", async (path) => {
    await c.http().get(path).expect(200);
  });

  it("an unknown route is a 404 in the usual error shape", async () => {
    const res = await c.admin().get("/api/v1/nope").expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: "RouteNotFound" });
  });
});
