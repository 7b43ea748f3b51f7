/// <reference lib="dom" />
// The page functions below run in the browser.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/database/provision";
import { launchBrowser, screenshot } from "./support/browser";
import { TestController, createVm, nodeIdsByName, startAgent, startController } from "./support/harness";

type Agent = Awaited<ReturnType<typeof startAgent>>;

const TOPOLOGY = [
  { name: "n1", labels: "pod=a,rack=r1" },
  { name: "n2", labels: "pod=a,rack=r2" },
  { name: "n3", labels: "pod=b,rack=r3" },
  { name: "n4", labels: "pod=b,rack=r4" },
];

/** The dashboard at /ui in a real headless Chromium, against a real controller and four simulated agents. */
describe("the dashboard", () => {
  let c: TestController;
  let agents: Agent[] = [];
  let browser: Browser;
  let page: Page;
  let nodes: Record<string, string>;
  const vms: Record<string, string> = {};
  const answered: string[] = [];

  const text = (selector: string) => page.$eval(selector, (el) => el.textContent ?? "");
  const waitForText = (selector: string, pattern: RegExp, timeout = 30_000) =>
    page.waitForFunction(
      (s: string, source: string) => Array.from(document.querySelectorAll(s)).some((el) => new RegExp(source).test(el.textContent ?? "")),
      { timeout, polling: 200 },
      selector,
      pattern.source,
    );

  beforeAll(async () => {
    c = await startController({ heartbeatIntervalMs: 200, reconcileIntervalMs: 100 });
    agents = await Promise.all(TOPOLOGY.map((n) => startAgent(c, n.name, { FERRY_NODE_LABELS: n.labels })));
    nodes = await nodeIdsByName(c, 4, { beating: true, timeoutMs: 20_000 });
    for (const [name, node] of [["web-1", "n1"], ["app-1", "n2"], ["db-1", "n3"], ["cache-1", "n4"]] as const) {
      vms[name] = (await createVm(c, { name, cpu: 2, memMiB: 2048, nodeId: nodes[node] })).id;
    }
    await c.admin().post("/api/v1/traffic").send({
      pairs: [
        { vmA: vms["web-1"], vmB: vms["app-1"], rateMbps: 400 },
        { vmA: vms["app-1"], vmB: vms["db-1"], rateMbps: 900 },
        { vmA: vms["app-1"], vmB: vms["cache-1"], rateMbps: 1200 },
      ],
    }).expect(200);
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on("response", (r) => answered.push(`${r.status()} ${new URL(r.url()).pathname}`));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const a of agents) await a.close();
    await c?.close();
  });

  const logIn = async (token: string) => {
    await page.goto(`${c.url}/ui/`, { waitUntil: "networkidle0" });
    await page.waitForSelector("input[name=token]");
    await page.type("input[name=token]", token);
    await page.click("button[type=submit]");
  };

  it("refuses a bad token and keeps nothing", async () => {
    await logIn("not-the-admin-token");
    await waitForText("[role=alert]", /token was refused: unknown or revoked token/);
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([0, 0]);
    await screenshot(page, "login-refused");
  });

  it("logs in with the admin token, kept in this tab's sessionStorage only, and shows the four nodes by pod and rack", async () => {
    await logIn(c.config.adminToken);
    await page.waitForFunction(() => document.querySelectorAll(".node-card").length === 4, { timeout: 15_000 });
    expect(await page.evaluate(() => [sessionStorage.getItem("ferry.token"), localStorage.length])).toEqual([c.config.adminToken, 0]);
    expect(await text("header .caller")).toBe("admin:dashboard · admin");
    expect(await page.$("header nav a[href='../queues']")).not.toBeNull();
    expect(await page.$$eval(".pod h3", (hs) => hs.map((h) => h.textContent))).toEqual(["pod a", "pod b"]);
    expect(await text(".node-card[data-node=n1]")).toMatch(/n1.*active.*CPU \d+%.*\d+ W.*web-1/s);
    await page.waitForSelector(".chart svg", { timeout: 15_000 });
    // Live updates come from the change stream.
    expect(answered).toContain("200 /api/v1/events");
    await screenshot(page, "fabric");
  });

  it("starts a migration from the UI and shows it reach completed, with the six metrics", async () => {
    await page.goto(`${c.url}/ui/#/migrations`);
    await page.waitForSelector("form[aria-label='start a migration'] select[name=vm] option");
    await page.select("select[name=vm]", vms["db-1"]!);
    await page.select("select[name=target]", nodes.n4!);
    await page.click("form[aria-label='start a migration'] button[type=submit]");
    await waitForText("tr[data-vm=db-1] .state", /^completed$/);
    const row = await text("tr[data-vm=db-1]");
    expect(row).toMatch(/n3 → n4/);
    expect(row).toMatch(/100%/);
    await waitForText(".metrics", /downtime.*total time/s);
    expect((await c.admin().get(`/api/v1/vms/${vms["db-1"]}`).expect(200)).body.nodeId).toBe(nodes.n4);
    await screenshot(page, "migrations");
  });

  it("approves a plan, which then moves its VM", async () => {
    const { body: plan } = await c
      .admin()
      .post("/api/v1/plans")
      .send({ kind: "operator", moves: [{ vmId: vms["web-1"], toNodeId: nodes.n2 }], reason: "web next to its app" })
      .expect(201);
    expect(plan.state).toBe("proposed");
    await page.goto(`${c.url}/ui/#/plans`);
    const card = `article[data-plan='${plan.id}']`;
    await waitForText(card, /web next to its app/);
    expect(await text(card)).toMatch(/web-1.*n1 → n2/s);
    await screenshot(page, "plans");
    await page.click(`${card} button.primary`);
    await waitForText(`${card} .plan-head .state`, /^succeeded$/);
    expect((await c.admin().get(`/api/v1/plans/${plan.id}`).expect(200)).body).toMatchObject({ state: "succeeded", approvedBy: "admin:dashboard" });
    expect((await c.admin().get(`/api/v1/vms/${vms["web-1"]}`).expect(200)).body.nodeId).toBe(nodes.n2);
  });

  it("switches a policy's mode and lists the changes in the audit log", async () => {
    await page.goto(`${c.url}/ui/#/policies`);
    await page.waitForSelector("tr[data-policy=balance] .switch");
    const [dryRun] = await page.$$("tr[data-policy=balance] .switch button:nth-child(2)");
    await dryRun!.click();
    await waitForText("tr[data-policy=balance] .switch button.on", /^dry-run$/);
    expect((await c.admin().get("/api/v1/policies/balance").expect(200)).body.mode).toBe("dry-run");
    await page.goto(`${c.url}/ui/#/audit`);
    await waitForText("main td", /^admin:dashboard$/);
    await screenshot(page, "audit");
  });

  const logOut = async () => {
    await page.click("header button.link");
    await page.waitForSelector("input[name=token]");
  };
  const tokenFor = async (name: string, role: "viewer" | "operator") =>
    (await c.admin().post("/api/v1/tokens").send({ name, role }).expect(201)).body.token as string;

  it("shows a viewer the nodes, migrations, plans and policies with no button that would change them", async () => {
    const viewer = await tokenFor("dash-viewer", "viewer");
    const { body: plan } = await c
      .admin()
      .post("/api/v1/plans")
      .send({ kind: "operator", moves: [{ vmId: vms["cache-1"], toNodeId: nodes.n3 }], reason: "cache next to its db" })
      .expect(201);
    await logOut();
    await logIn(viewer);
    await waitForText("header .caller", /^dash-viewer · viewer$/);
    expect(await page.$("header nav a[href='../queues']")).toBeNull();
    // A reloaded tab asks again whose its token is.
    await page.reload();
    await waitForText("header .caller", /^dash-viewer · viewer$/);

    await page.goto(`${c.url}/ui/#/nodes`);
    await page.waitForFunction(() => document.querySelectorAll("tr[data-node]").length === 4, { timeout: 15_000 });
    expect(await text("tr[data-node=n1]")).toMatch(/n1.*active/s);
    expect(await page.$$eval("main button", (bs) => bs.map((b) => b.textContent))).toEqual([]);
    await screenshot(page, "viewer-nodes");

    await page.goto(`${c.url}/ui/#/migrations`);
    await waitForText("tr[data-vm=db-1] .state", /^completed$/);
    expect(await page.$("form[aria-label='start a migration']")).toBeNull();
    expect(await page.$$eval("main button", (bs) => bs.map((b) => b.textContent))).toEqual([]);

    await page.goto(`${c.url}/ui/#/plans`);
    const card = `article[data-plan='${plan.id}']`;
    await waitForText(card, /cache next to its db/);
    expect(await text(`${card} .plan-head .state`)).toBe("proposed");
    expect(await page.$$eval("main button", (bs) => bs.map((b) => b.textContent))).toEqual([]);

    await page.goto(`${c.url}/ui/#/policies`);
    await waitForText("tr[data-policy=balance] .state", /^dry-run$/);
    expect(await page.$(".switch")).toBeNull();
    expect(await page.$$eval("main button", (bs) => bs.map((b) => b.textContent))).toEqual([]);
  });

  it("shows an operator migrate, drain and plan approve and cancel, but no policy switch", async () => {
    const operator = await tokenFor("dash-operator", "operator");
    await logOut();
    await logIn(operator);
    await waitForText("header .caller", /^dash-operator · operator$/);

    await page.goto(`${c.url}/ui/#/nodes`);
    await waitForText("tr[data-node=n1] button", /^Drain$/);

    await page.goto(`${c.url}/ui/#/migrations`);
    await page.waitForSelector("form[aria-label='start a migration'] button[type=submit]");

    await page.goto(`${c.url}/ui/#/plans`);
    await page.waitForSelector("article[data-plan] .plan-head .state");
    const proposed = await page.$$eval("article[data-plan]", (cards) =>
      cards.filter((a) => a.querySelector(".plan-head .state")?.textContent === "proposed").map((a) => Array.from(a.querySelectorAll(".plan-head button")).map((b) => b.textContent)),
    );
    expect(proposed).toEqual([["Approve", "Cancel"]]);

    await page.goto(`${c.url}/ui/#/policies`);
    await waitForText("tr[data-policy=balance] .state", /^dry-run$/);
    expect(await page.$(".switch")).toBeNull();
    expect(await page.$$eval("main button", (bs) => bs.map((b) => b.textContent))).toEqual([]);
    await logOut();
  });

  it("names only routes the API document has (the dashboard is plain JavaScript: no compiler checks its paths)", async () => {
    const doc = (await c.http().get("/docs-json").expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const dir = join(repoRoot(), "apps", "controller", "ui");
    const sources = ["", "views"].flatMap((sub) =>
      readdirSync(join(dir, sub)).filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(dir, sub, f), "utf8")),
    );
    const named = sources.flatMap((src) => [...src.matchAll(/"(\/api\/v1[^"]*)"/g)].map((m) => m[1]!));
    const called = sources.flatMap((src) => [...src.matchAll(/call\("(GET|POST|PATCH)", "(\/api\/v1[^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    expect(named.length).toBeGreaterThan(15);
    expect(named.filter((path) => !doc.paths[path])).toEqual([]);
    expect(called.filter(([method, path]) => !doc.paths[path!]?.[method!])).toEqual([]);
  });

  it("keeps bull-board at /queues behind the admin token", async () => {
    await c.http().get("/queues").expect(401).expect("www-authenticate", /Basic/);
    await c.http().get("/queues").set("Authorization", "Bearer wrong-token").expect(401);
    await c.http().get("/queues/api/queues").set("Authorization", `Bearer ${c.config.adminToken}`).expect(200);
    const basic = Buffer.from(`ops:${c.config.adminToken}`).toString("base64");
    const res = await c.http().get("/queues/api/queues").set("Authorization", `Basic ${basic}`).expect(200);
    expect(res.body.queues.map((q: { displayName: string }) => q.displayName).sort()).toEqual(TOPOLOGY.map((n) => `migrations of ${n.name}`));
  });
});
