import type { INestApplication } from "@nestjs/common";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createController } from "../src/app.factory";
import { TestController, counts, registerNode, startController } from "./support/harness";

const NONE = "00000000-0000-4000-8000-000000000000";
type Role = "viewer" | "operator" | "admin";
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/**
 * Every operator route and the least role it takes. Bodies and ids are ones the route refuses (400, 404, 409)
 * once through the guard, so that the table writes nothing whoever calls it.
 */
const ROUTES: { method: "get" | "post" | "patch" | "delete"; path: string; needs: Role }[] = [
  { method: "get", path: "/api/v1/nodes", needs: "viewer" },
  { method: "get", path: `/api/v1/nodes/${NONE}`, needs: "viewer" },
  { method: "get", path: `/api/v1/nodes/${NONE}/samples`, needs: "viewer" },
  { method: "post", path: `/api/v1/nodes/${NONE}/cordon`, needs: "operator" },
  { method: "post", path: `/api/v1/nodes/${NONE}/uncordon`, needs: "operator" },
  { method: "post", path: `/api/v1/nodes/${NONE}/maintenance/on`, needs: "operator" },
  { method: "post", path: `/api/v1/nodes/${NONE}/maintenance/off`, needs: "operator" },
  { method: "post", path: `/api/v1/nodes/${NONE}/drain`, needs: "operator" },
  { method: "post", path: `/api/v1/nodes/${NONE}/power`, needs: "operator" },
  { method: "get", path: "/api/v1/vms", needs: "viewer" },
  { method: "get", path: `/api/v1/vms/${NONE}`, needs: "viewer" },
  { method: "get", path: `/api/v1/vms/${NONE}/samples`, needs: "viewer" },
  { method: "post", path: "/api/v1/vms", needs: "operator" },
  { method: "get", path: "/api/v1/traffic", needs: "viewer" },
  { method: "post", path: "/api/v1/traffic", needs: "operator" },
  { method: "get", path: "/api/v1/migrations", needs: "viewer" },
  { method: "get", path: `/api/v1/migrations/${NONE}`, needs: "viewer" },
  { method: "get", path: `/api/v1/migrations/${NONE}/events`, needs: "viewer" },
  { method: "get", path: `/api/v1/migrations/${NONE}/sla-breaches`, needs: "viewer" },
  { method: "post", path: "/api/v1/migrations", needs: "operator" },
  { method: "patch", path: `/api/v1/migrations/${NONE}`, needs: "operator" },
  { method: "post", path: `/api/v1/migrations/${NONE}/cancel`, needs: "operator" },
  { method: "get", path: "/api/v1/plans", needs: "viewer" },
  { method: "get", path: `/api/v1/plans/${NONE}`, needs: "viewer" },
  { method: "post", path: "/api/v1/plans", needs: "operator" },
  { method: "post", path: `/api/v1/plans/${NONE}/apply`, needs: "operator" },
  { method: "post", path: `/api/v1/plans/${NONE}/cancel`, needs: "operator" },
  { method: "post", path: "/api/v1/placement/preview", needs: "viewer" },
  { method: "get", path: "/api/v1/placement/plans", needs: "viewer" },
  { method: "get", path: `/api/v1/placement/plans/${NONE}`, needs: "viewer" },
  { method: "post", path: "/api/v1/placement/plans", needs: "operator" },
  { method: "post", path: `/api/v1/placement/plans/${NONE}/apply`, needs: "operator" },
  { method: "post", path: `/api/v1/placement/plans/${NONE}/cancel`, needs: "operator" },
  { method: "get", path: "/api/v1/policies", needs: "viewer" },
  { method: "get", path: "/api/v1/policies/no-such-policy", needs: "viewer" },
  { method: "patch", path: "/api/v1/policies/no-such-policy", needs: "admin" },
  { method: "post", path: "/api/v1/policies/no-such-policy/run", needs: "admin" },
  { method: "get", path: "/api/v1/scheduler", needs: "viewer" },
  { method: "patch", path: "/api/v1/scheduler", needs: "admin" },
  { method: "get", path: "/api/v1/audit", needs: "viewer" },
  // A kind the stream refuses: the answer is a 400, not a stream that never ends.
  { method: "get", path: "/api/v1/events?kinds=no-such-kind", needs: "viewer" },
  { method: "get", path: "/api/v1/tokens", needs: "admin" },
  { method: "post", path: "/api/v1/tokens", needs: "admin" },
  { method: "delete", path: `/api/v1/tokens/${NONE}`, needs: "admin" },
  { method: "get", path: "/api/v1/whoami", needs: "viewer" },
];

/** A body each route refuses after the guard (the wrong type for every field there is). */
const REFUSED_BODY = { name: 42, vmId: 42, nodeId: 42, role: 42, mode: 42, pairs: 42, limits: 42 };

describe("operator tokens and roles", () => {
  let c: TestController;
  const tokens = {} as Record<Role, string>;
  beforeAll(async () => {
    c = await startController();
    for (const role of ["viewer", "operator", "admin"] as const) {
      tokens[role] = (await c.admin().post("/api/v1/tokens").send({ name: `${role}-token`, role }).expect(201)).body.token;
    }
  });
  afterAll(() => c?.close());

  const call = (token: string, r: (typeof ROUTES)[number]) => {
    const req = c.as(token)[r.method](r.path);
    return r.method === "get" || r.method === "delete" ? req : req.send(REFUSED_BODY);
  };

  it("the table names every route the API documents, but agents' and public ones", async () => {
    const doc = (await c.http().get("/docs-json").expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/api/v1/") && !path.startsWith("/api/v1/agents/"))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .sort();
    const tabled = ROUTES.map((r) => `${r.method} ${r.path.replace(NONE, "{id}").replace("no-such-policy", "{name}").replace(/\?.*$/, "")}`).sort();
    expect(tabled).toEqual(documented);
  });

  const table = ROUTES.flatMap((route) =>
    (["viewer", "operator", "admin"] as const).map((role) => ({ ...route, role, allowed: RANK[role] >= RANK[route.needs] })),
  );

  it.each(table)("$method $path as $role: allowed $allowed", async (row) => {
    const before = await counts(c);
    const res = await call(tokens[row.role], row);
    if (row.allowed) {
      expect([401, 403, 429], JSON.stringify(res.body)).not.toContain(res.status);
    } else {
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body).toMatchObject({ error: "Forbidden", details: { role: row.role, needs: row.needs } });
    }
    expect(await counts(c)).toEqual(before);
  });

  it.each(["viewer", "operator", "admin"] as const)("a %s token opens no agent route", async (role) => {
    const node = await registerNode(c, `agent-of-${role}`);
    await c.as(tokens[role]).post(`/api/v1/agents/nodes/${node}/heartbeat`).send({ cpuLoad: 0, memLoad: 0, watts: 1, netTxMbps: 0, netRxMbps: 0 }).expect(403);
    await c.as(tokens[role]).post("/api/v1/agents/register").send({}).expect(403);
  });

  it("a token's secret is shown once, stored hashed, and never listed", async () => {
    const created = await c.admin().post("/api/v1/tokens").send({ name: "shown-once", role: "viewer" }).expect(201);
    expect(created.body).toMatchObject({ id: expect.any(String), name: "shown-once", role: "viewer", createdBy: "admin", revokedAt: null });
    expect(created.body.token).toMatch(/^ferry_op_/);
    const row = await c.prisma.apiToken.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    const list = await c.admin().get("/api/v1/tokens").expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect(JSON.stringify(list.body)).not.toContain(row.secretHash);
    expect(list.body.items.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(["shown-once", "viewer-token"]));
    expect(list.body.items.every((t: Record<string, unknown>) => !("token" in t))).toBe(true);
    expect(list.body.items.some((t: { name: string }) => t.name.startsWith("agent:"))).toBe(false);
  });

  it.each([
    { name: "no name", body: { role: "viewer" }, field: "name" },
    { name: "a name with spaces", body: { name: "a b", role: "viewer" }, field: "name" },
    { name: "an unknown role", body: { name: "x", role: "root" }, field: "role" },
    { name: "the agent role", body: { name: "x", role: "agent" }, field: "role" },
    { name: "an unknown field", body: { name: "x", role: "viewer", secret: "mine" }, field: "(body)" },
  ])("creating a token with $name is a 400 naming the field, and writes nothing", async ({ body, field }) => {
    const before = await c.prisma.apiToken.count();
    const res = await c.admin().post("/api/v1/tokens").send(body).expect(400);
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await c.prisma.apiToken.count()).toBe(before);
  });

  it("an unrevoked token's name is taken (409); once revoked, the name may be given again", async () => {
    const first = await c.admin().post("/api/v1/tokens").send({ name: "reused", role: "viewer" }).expect(201);
    const taken = await c.admin().post("/api/v1/tokens").send({ name: "reused", role: "admin" }).expect(409);
    expect(taken.body).toMatchObject({ error: "NameTaken", details: [{ field: "name" }] });
    await c.admin().delete(`/api/v1/tokens/${first.body.id}`).expect(200);
    await c.admin().post("/api/v1/tokens").send({ name: "reused", role: "viewer" }).expect(201);
  });

  it("a revoked token is refused at once, by every replica", async () => {
    const replica: INestApplication = await createController(c.config);
    await replica.init();
    try {
      const { body } = await c.admin().post("/api/v1/tokens").send({ name: "short-lived", role: "operator" }).expect(201);
      await c.as(body.token).get("/api/v1/nodes").expect(200);
      await request(replica.getHttpServer()).get("/api/v1/nodes").set("Authorization", `Bearer ${body.token}`).expect(200);
      const revoked = await c.as(tokens.admin).delete(`/api/v1/tokens/${body.id}`).expect(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      const refused = await c.as(body.token).get("/api/v1/nodes").expect(401);
      expect(refused.body).toMatchObject({ error: "Unauthorized" });
      await request(replica.getHttpServer()).get("/api/v1/nodes").set("Authorization", `Bearer ${body.token}`).expect(401);
      await c.admin().delete(`/api/v1/tokens/${body.id}`).expect(200);
    } finally {
      await replica.close();
    }
  });

  it("revoking a token that does not exist is a 404", async () => {
    await c.admin().delete(`/api/v1/tokens/${NONE}`).expect(404);
  });

  it("every change is audited under the acting token's name", async () => {
    const node = await registerNode(c, "audited");
    await c.as(tokens.operator).post(`/api/v1/nodes/${node}/cordon`).expect(200);
    const created = await c.as(tokens.admin).post("/api/v1/tokens").send({ name: "made-by-admin-token", role: "viewer" }).expect(201);
    await c.as(tokens.admin).delete(`/api/v1/tokens/${created.body.id}`).expect(200);
    const cordon = await c.admin().get(`/api/v1/audit?targetType=node&targetId=${node}`).expect(200);
    expect(cordon.body.items[0]).toMatchObject({ actor: "operator-token", action: "node.cordon" });
    const token = await c.admin().get(`/api/v1/audit?targetType=token&targetId=${created.body.id}`).expect(200);
    expect(token.body.items.map((e: { action: string; actor: string }) => `${e.action} by ${e.actor}`)).toEqual([
      "token.revoked by admin-token",
      "token.created by admin-token",
    ]);
  });

  it("whoami answers the token's name and role, as the audit log records them", async () => {
    for (const role of ["viewer", "operator", "admin"] as const) {
      expect((await c.as(tokens[role]).get("/api/v1/whoami").expect(200)).body).toEqual({ name: `${role}-token`, role });
    }
    expect((await c.admin().get("/api/v1/whoami").set("X-Ferry-Actor", "dashboard").expect(200)).body).toEqual({ name: "admin:dashboard", role: "admin" });
    await c.as("not-a-token").get("/api/v1/whoami").expect(401);
  });

  it("a token cannot pass itself off as another actor", async () => {
    const node = await registerNode(c, "self-named");
    await c.as(tokens.operator).post(`/api/v1/nodes/${node}/cordon`).set("X-Ferry-Actor", "someone-else").expect(200);
    const audit = await c.admin().get(`/api/v1/audit?targetType=node&targetId=${node}`).expect(200);
    expect(audit.body.items[0]).toMatchObject({ actor: "operator-token" });
  });
});

describe("rate limits per token", () => {
  let c: TestController;
  beforeAll(async () => (c = await startController({ rateLimit: { perSecond: 0.5, burst: 3 } })));
  afterAll(() => c?.close());

  it("a token over its rate gets 429 with Retry-After; other tokens and agents are not held back", async () => {
    const viewer = (await c.admin().post("/api/v1/tokens").send({ name: "busy", role: "viewer" }).expect(201)).body.token as string;
    for (let i = 0; i < 3; i++) await c.as(viewer).get("/api/v1/nodes").expect(200);
    const limited = await c.as(viewer).get("/api/v1/nodes").expect(429);
    expect(limited.body).toMatchObject({ statusCode: 429, error: "RateLimited" });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers["retry-after"])).toBeLessThanOrEqual(2);

    const other = (await c.admin().post("/api/v1/tokens").send({ name: "quiet", role: "viewer" }).expect(201)).body.token as string;
    await c.as(other).get("/api/v1/nodes").expect(200);
    const node = await registerNode(c, "exempt");
    for (let i = 0; i < 10; i++) {
      await c.agent(node).post(`/api/v1/agents/nodes/${node}/heartbeat`).send({ cpuLoad: 0, memLoad: 0, watts: 1, netTxMbps: 0, netRxMbps: 0 }).expect(200);
    }
  });
});
