import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { TestController, createVm, eventually, registerNode, startAgent, startController } from "../../controller/test/support/harness";
import { run } from "../src/ferryctl";

type Agent = Awaited<ReturnType<typeof startAgent>>;

describe("ferryctl against a real controller and agents", () => {
  let c: TestController;
  let agents: Agent[];
  let configDir: string;
  let env: NodeJS.ProcessEnv;

  /** ferryctl in-process: its output, errors and exit code. */
  async function ferryctl(args: string, extraEnv: NodeJS.ProcessEnv = {}) {
    let out = "";
    let err = "";
    const code = await run(args.split(" ").filter(Boolean), { out: (t) => (out += t), err: (t) => (err += t), env: { ...env, ...extraEnv }, tty: false });
    return { code, out, err };
  }

  beforeAll(async () => {
    c = await startController();
    agents = [await startAgent(c, "node-a"), await startAgent(c, "node-b")];
    await eventually(async () => ((await c.prisma.node.count({ where: { state: "active" } })) === 2 ? true : undefined), 20_000, "two active nodes");
    const a = await c.prisma.node.findFirstOrThrow({ where: { name: "node-a" } });
    await createVm(c, { name: "web-1", cpu: 2, memMiB: 1024, nodeId: a.id });
    configDir = mkdtempSync(join(tmpdir(), "ferryctl-"));
    env = { FERRY_URL: c.url, FERRY_TOKEN: c.config.adminToken, FERRY_CONFIG: join(configDir, "config.yaml") };
  }, 60_000);

  afterAll(async () => {
    for (const a of agents) await a.close();
    await c.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  it("get nodes as a table, wide, json and yaml", async () => {
    const table = await ferryctl("get nodes");
    expect(table.code).toBe(0);
    expect(table.out.split("\n")[0]).toMatch(/^NAME\s+STATE\s+CPU\s+MEMORY\(MiB\)\s+LOAD$/);
    expect(table.out).toMatch(/node-a\s+active/);
    expect((await ferryctl("get nodes -o wide")).out.split("\n")[0]).toContain("ID");
    const json = JSON.parse((await ferryctl("get nodes -o json")).out) as { name: string }[];
    expect(json.map((n) => n.name).sort()).toEqual(["node-a", "node-b"]);
    const yaml = YAML.parse((await ferryctl("get vms -o yaml")).out) as { name: string }[];
    expect(yaml.map((v) => v.name)).toEqual(["web-1"]);
    expect((await ferryctl("get policies")).out).toMatch(/^NAME\s+MODE/);
  });

  it("describe by name and by id", async () => {
    const byName = YAML.parse((await ferryctl("describe vm web-1")).out) as { id: string; name: string };
    expect(byName.name).toBe("web-1");
    expect(YAML.parse((await ferryctl(`describe vms ${byName.id}`)).out)).toMatchObject({ name: "web-1" });
  });

  it("cordon and uncordon a node by name", async () => {
    expect(await ferryctl("cordon node-b")).toMatchObject({ code: 0, out: "node/node-b cordoned\n" });
    expect((await c.prisma.node.findFirstOrThrow({ where: { name: "node-b" } })).state).toBe("cordoned");
    expect(await ferryctl("uncordon node-b")).toMatchObject({ code: 0, out: "node/node-b active\n" });
  });

  it("token create, list, use with FERRY_TOKEN, revoke by name", async () => {
    const created = await ferryctl("token create ci-viewer --role viewer");
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/^token\/ci-viewer created \(viewer, id [0-9a-f-]{36}\)\nferry_op_\S+\nThis secret will not be shown again/);
    const secret = created.out.split("\n")[1]!;
    const list = await ferryctl("token list");
    expect(list.out.split("\n")[0]).toMatch(/^NAME\s+ROLE\s+STATE\s+AGE$/);
    expect(list.out).toMatch(/ci-viewer\s+viewer\s+active/);
    const json = JSON.parse((await ferryctl("token list -o json")).out) as Record<string, unknown>[];
    expect(json.find((t) => t.name === "ci-viewer")).toMatchObject({ role: "viewer", revokedAt: null });
    for (const format of ["table", "wide", "json", "yaml"]) expect((await ferryctl(`token list -o ${format}`)).out).not.toContain(secret);

    const viewer = { FERRY_TOKEN: secret };
    const nodes = await ferryctl("get nodes", viewer);
    expect(nodes.code).toBe(0);
    expect(nodes.out).toMatch(/node-a\s+active/);
    const cordon = await ferryctl("cordon node-b", viewer);
    expect(cordon.code).toBe(1);
    expect(cordon.err).toMatch(/Forbidden \(403\): this route needs the operator role; the token has viewer/);
    expect((await c.prisma.node.findFirstOrThrow({ where: { name: "node-b" } })).state).toBe("active");

    expect(await ferryctl("token revoke ci-viewer")).toMatchObject({ code: 0, out: "token/ci-viewer revoked\n" });
    const refused = await ferryctl("get nodes", viewer);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/Unauthorized \(401\)/);
    expect((await ferryctl("token list")).out).toMatch(/ci-viewer\s+viewer\s+revoked/);
    expect(await ferryctl("token revoke ci-viewer")).toMatchObject({ code: 1, err: "error: TokenNotFound (404): token ci-viewer does not exist\n" });
  });

  it("migrate --wait follows the migration and ends with the six metrics beside their prediction", async () => {
    const r = await ferryctl("migrate web-1 --to node-b --technique pre-copy --wait");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^migration [0-9a-f-]{36}: vm\/web-1 -> node\/node-b \(pre-copy, /);
    expect(r.out).toMatch(/\[#+\]\s+100%/);
    expect(r.out).toMatch(/migration [0-9a-f-]{36} completed/);
    for (const metric of ["preparationMs", "downtimeMs", "resumeMs", "pagesTransferred", "totalMs", "degradation"]) {
      expect(r.out).toMatch(new RegExp(`${metric}\\s+\\S+\\s+\\S+`));
    }
    expect(r.out).toMatch(/METRIC\s+MEASURED\s+PREDICTED/);
    expect((await ferryctl("get migrations")).out).toMatch(/web-1\s+node-a\s+node-b\s+pre-copy\s+completed\s+100%/);
  }, 60_000);

  it("plan create, show, cancel", async () => {
    const created = JSON.parse((await ferryctl("plan create -o json")).out) as { id: string; state: string };
    expect(created.state).toBe("proposed");
    const shown = await ferryctl(`plan show ${created.id}`);
    expect(shown.out).toMatch(new RegExp(`^plan ${created.id}\\s+traffic\\s+proposed`));
    expect(await ferryctl(`plan cancel ${created.id}`)).toMatchObject({ code: 0, out: `plan ${created.id} cancelled\n` });
    expect((await ferryctl(`plan apply ${created.id}`)).code).toBe(1);
  });

  it("migration set-bandwidth and cancel", async () => {
    // A node without an agent: the migration waits for its source to claim it, so it has not ended yet.
    const quiet = await registerNode(c, "node-quiet");
    const vm = await createVm(c, { name: "idle-1", cpu: 1, memMiB: 1024, nodeId: quiet });
    const b = await c.prisma.node.findFirstOrThrow({ where: { name: "node-b" } });
    const { body: m } = await c.admin().post("/api/v1/migrations").send({ vmId: vm.id, targetNodeId: b.id, technique: "pre-copy" }).expect(202);
    expect(await ferryctl(`migration set-bandwidth ${m.id} 250`)).toMatchObject({ code: 0, out: `migration ${m.id} queued: bandwidth cap 250 Mbit/s\n` });
    expect(await ferryctl(`migration set-bandwidth ${m.id} none`)).toMatchObject({ code: 0, out: `migration ${m.id} queued: bandwidth cap none\n` });
    const bad = await ferryctl(`migration set-bandwidth ${m.id} fast`);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/<mbps> must be a positive number/);
    expect(await ferryctl(`migration cancel ${m.id}`)).toMatchObject({ code: 0, out: `migration ${m.id} cancelled\n` });
    const ended = await ferryctl(`migration set-bandwidth ${m.id} 100`);
    expect(ended.code).toBe(1);
    expect(ended.err).toMatch(/InvalidTransition \(409\): migration \S+ is already cancelled/);
  });

  it("policy set --mode", async () => {
    const name = (JSON.parse((await ferryctl("get policies -o json")).out) as { name: string }[])[0]!.name;
    expect(await ferryctl(`policy set ${name} --mode dry-run`)).toMatchObject({ code: 0, out: `policy/${name} dry-run\n` });
    expect((await ferryctl(`policy set ${name} --mode sometimes`)).code).toBe(2);
  });

  it("get --watch prints the list again when something changes, and events prints each change", async () => {
    const abort = new AbortController();
    let out = "";
    const watching = run(["get", "nodes", "--watch"], { out: (t) => (out += t), err: () => undefined, env, tty: false, signal: abort.signal });
    await eventually(async () => (out.includes("node-b") ? true : undefined), 10_000, "the first listing");
    const events = new AbortController();
    let lines = "";
    const streaming = run(["events", "--kinds", "node"], { out: (t) => (lines += t), err: () => undefined, env, tty: false, signal: events.signal });
    // Open once it has passed on a change: the agents' heartbeats reach it within 10 s.
    await eventually(async () => (lines.includes('"type":"heartbeat"') ? true : undefined), 30_000, "the events stream to open");
    await c.admin().post(`/api/v1/nodes/${(await c.prisma.node.findFirstOrThrow({ where: { name: "node-b" } })).id}/cordon`).expect(200);
    await eventually(async () => (/node-b\s+cordoned/.test(out) ? true : undefined), 20_000, "the list after the cordon");
    await eventually(async () => (lines.includes('"type":"cordon"') ? true : undefined), 20_000, "the cordon event");
    abort.abort();
    events.abort();
    expect(await watching).toBe(0);
    expect(await streaming).toBe(0);
    await c.admin().post(`/api/v1/nodes/${(await c.prisma.node.findFirstOrThrow({ where: { name: "node-b" } })).id}/uncordon`).expect(200);
  }, 60_000);

  it("top nodes", async () => {
    expect((await ferryctl("top nodes")).out.split("\n")[0]).toMatch(/^NAME\s+CPU\s+MEMORY\s+WATTS\s+TX\(Mbps\)\s+RX\(Mbps\)$/);
  });

  it.each([
    ["an unknown node: the API's message, exit 1", "cordon node-z", 1, /error: NodeNotFound \(404\): node node-z does not exist/],
    ["a bad token: exit 1", "get nodes", 1, /Unauthorized \(401\)/, { FERRY_TOKEN: "wrong-token-wrong-token" }],
    ["an unknown kind: exit 2", "get pods", 2, /unknown kind 'pods'/],
    ["an unknown verb: exit 2", "frobnicate", 2, /unknown command/],
    ["a missing option: exit 2", "migrate web-1", 2, /--to <node>/],
    ["token create without --role: exit 2", "token create ci-x", 2, /--role <role>/],
    ["token create with an unknown role: exit 2", "token create ci-x --role root", 2, /Allowed choices are viewer, operator, admin/],
    ["a bad output format: exit 2", "get nodes -o xml", 2, /-o must be one of/],
    ["no controller configured: exit 2", "get nodes", 2, /set FERRY_URL/, { FERRY_URL: undefined, FERRY_TOKEN: undefined }],
  ] as [string, string, number, RegExp, NodeJS.ProcessEnv?][])("%s", async (_, args, code, message, extraEnv) => {
    const r = await ferryctl(args, extraEnv);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
  });

  it("contexts from the config file (0600), FERRY_URL unset", async () => {
    const noEnv = { FERRY_URL: undefined, FERRY_TOKEN: undefined };
    expect((await ferryctl(`config set-context local --url ${c.url} --token ${c.config.adminToken}`, noEnv)).code).toBe(0);
    expect((await ferryctl("config set-context elsewhere --url http://127.0.0.1:9", noEnv)).code).toBe(0);
    expect(statSync(env.FERRY_CONFIG!).mode & 0o777).toBe(0o600);
    expect((await ferryctl("get nodes", noEnv)).code).toBe(0);
    expect((await ferryctl("config use-context elsewhere", noEnv)).code).toBe(0);
    expect((await ferryctl("get nodes", noEnv)).code).toBe(1);
    expect((await ferryctl("get nodes --context local", noEnv)).code).toBe(0);
    expect((await ferryctl("config use-context nowhere", noEnv)).code).toBe(2);
  });

  it("runs as a bin, with --help on every verb and a completion script", async () => {
    const bin = join(__dirname, "..", "bin", "ferryctl.js");
    const exec = promisify(execFile);
    const help = await exec(process.execPath, [bin, "plan", "apply", "--help"], { env: { ...process.env, ...env } });
    expect(help.stdout).toContain("Usage: ferryctl plan apply [options] <id>");
    const completion = await exec(process.execPath, [bin, "completion", "bash"], { env: { ...process.env, ...env } });
    expect(completion.stdout).toContain("complete -F _ferryctl ferryctl");
    expect(completion.stdout).toMatch(/"get"\) words="nodes vms migrations plans policies/);
    expect(completion.stdout).toContain('"token") words="create list revoke"');
    expect(completion.stdout).toContain('"token create") words="--role"');
    await expect(exec(process.execPath, [bin, "get", "pods"], { env: { ...process.env, ...env } })).rejects.toMatchObject({ code: 2 });
  }, 60_000);
});
