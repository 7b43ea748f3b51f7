import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { qaplibDir, repoRoot } from "../fixtures/qaplib";
import { parseQaplib, qapCost } from "../model/qap";
import { runPlace } from "./place";

const problems = join(__dirname, "..", "fixtures", "problems");
const twoRacks = JSON.parse(readFileSync(join(problems, "two-racks.json"), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "place-cli-"));

function write(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const code = runPlace(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

interface File {
  hosts: { id: string }[];
  hostDistance: number[][];
  traffic: [string, string, number][];
}

/** Traffic cost of a placement, from the file's own matrix. */
function costOf(p: File, placement: Record<string, string>): number {
  const ix = new Map(p.hosts.map((h, i) => [h.id, i]));
  return p.traffic.reduce((s, [x, y, r]) => s + r * p.hostDistance[ix.get(placement[x])!][ix.get(placement[y])!], 0);
}

describe("place solve", () => {
  it("prints exactly placement, cost, migrations, elapsedMs", () => {
    const r = run("solve", join(problems, "two-racks.json"), "--time-limit-ms", "2000", "--seed", "3");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out.endsWith("\n")).toBe(true);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual(["placement", "cost", "migrations", "elapsedMs"]);
    expect(Object.keys(out.placement).sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(out.cost).toBe(costOf(twoRacks, out.placement));
    // Two VMs fill a host. Optimum: a b on one host, c on its rack mate, d e on the other rack:
    // b-c 5 x 1 + c-d 1 x 3 + a-e 2 x 3 = 14 (the current placement costs 65).
    expect(out.cost).toBe(14);
    const current = twoRacks.current as Record<string, string>;
    expect(out.migrations).toBe(Object.keys(current).filter((v) => current[v] !== out.placement[v]).length);
  });

  it("respects maxMigrations with a feasible plan", () => {
    const file = write("budget.json", { ...twoRacks, maxMigrations: 1 });
    const out = JSON.parse(run("solve", file).out);
    expect(out.migrations).toBeLessThanOrEqual(1);
    expect(out.cost).toBe(costOf(twoRacks, out.placement));
    expect(out.cost).toBeLessThan(65);
  });

  it("takes a topology instead of a matrix", () => {
    const hosts = Array.from({ length: 16 }, (_, i) => ({ id: `h${i}`, cpu: 8, memMiB: 32768 }));
    const file = write("fat.json", { hosts, topology: { kind: "fat-tree", k: 4 }, vms: [{ id: "x", cpu: 8, memMiB: 1024 }, { id: "y", cpu: 8, memMiB: 1024 }], traffic: [["x", "y", 2]] });
    const out = JSON.parse(run("solve", file, "--time-limit-ms", "1000").out);
    // Each VM fills a host: best is two hosts under one edge switch, cost 2 x 1.
    expect(out.cost).toBe(2);
    expect(out.migrations).toBe(0);
  });

  it.each([
    { name: "not JSON", content: "{hosts:", want: /place: invalid input: problem file is not valid JSON/ },
    { name: "missing hosts", content: { vms: [] }, want: /invalid problem file:[\s\S]*at hosts/ },
    { name: "negative cpu", content: { ...twoRacks, vms: [{ id: "a", cpu: -1, memMiB: 1 }] }, want: /Too small[\s\S]*at vms\[0\]\.cpu/ },
    { name: "traffic row of two", content: { ...twoRacks, traffic: [["a", "b"]] }, want: /at traffic\[0\]/ },
    { name: "traffic naming an unknown vm", content: { ...twoRacks, traffic: [["a", "zz", 1]] }, want: /traffic\[0\] names unknown vm "zz"/ },
    { name: "matrix with a missing row", content: { ...twoRacks, hostDistance: twoRacks.hostDistance.slice(1) }, want: /hostDistance has 3 rows for 4 hosts/ },
    { name: "matrix row too short", content: { ...twoRacks, hostDistance: [[0, 1, 3], ...twoRacks.hostDistance.slice(1)] }, want: /hostDistance\[0\] has 3 entries, want 4/ },
    { name: "non-zero diagonal", content: { ...twoRacks, hostDistance: [[2, 1, 3, 3], ...twoRacks.hostDistance.slice(1)] }, want: /hostDistance\[0\]\[0\] must be 0, got 2/ },
    { name: "matrix and topology both", content: { ...twoRacks, topology: { kind: "fat-tree", k: 4 } }, want: /either hostDistance or topology/ },
    { name: "unknown topology kind", content: { ...twoRacks, hostDistance: undefined, topology: { kind: "torus" } }, want: /at topology\.kind/ },
    { name: "current on an unknown host", content: { ...twoRacks, current: { a: "h9" } }, want: /puts vm "a" on unknown host "h9"/ },
    { name: "more demand than capacity", content: { ...twoRacks, vms: [...twoRacks.vms, { id: "f", cpu: 20, memMiB: 1 }] }, want: /place: infeasible: VMs need 40 cpu in all but the active hosts have 32/ },
    { name: "a VM larger than any host", content: { ...twoRacks, vms: [{ id: "f", cpu: 9, memMiB: 1 }], traffic: [], current: {} }, want: /infeasible: vm "f" \(cpu 9, memMiB 1\) is larger than every active host/ },
  ])("a bad problem file ($name) exits 1 with a message naming it", ({ name, content, want }) => {
    const r = run("solve", write(`${name}.json`, content));
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toMatch(want);
  });

  it("a missing file exits 1", () => {
    const r = run("solve", join(dir, "nope.json"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read .*nope\.json/);
  });

  it.each([
    { argv: ["solve"], want: /expected a command and one file/ },
    { argv: ["fly", "x.json"], want: /unknown command "fly"/ },
    { argv: ["solve", "x.json", "--time-limit-ms", "soon"], want: /--time-limit-ms must be a number >= 0, got "soon"/ },
    { argv: ["solve", "x.json", "--seed", "1.5"], want: /--seed must be an integer/ },
    { argv: ["solve", "x.json", "--color"], want: /Unknown option '--color'/ },
    { argv: ["solve", join(problems, "two-racks.json"), "--solver", "magic"], want: /--solver must be one of/ },
  ])("usage error $argv exits 2", ({ argv, want }) => {
    const r = run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(want);
  });
});

describe("place qap", () => {
  it("prints n, cost and a 0-based permutation whose cost is the cost printed", () => {
    const file = join(qaplibDir(), "instances", "chr12a.dat");
    const r = run("qap", file, "--max-iterations", "20000", "--seed", "2");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual(["n", "cost", "permutation"]);
    expect(out.n).toBe(12);
    expect(out.cost).toBe(9552);
    expect(qapCost(parseQaplib(readFileSync(file, "utf8")), out.permutation)).toBe(out.cost);
  });

  it("rejects a malformed instance", () => {
    const r = run("qap", write("bad.dat", "3 1 2 3"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/QAPLIB file with n = 3 must hold 19 numbers/);
  });
});

describe("the npm script", () => {
  it("prints one JSON object on stdout and nothing else", () => {
    const root = repoRoot();
    const r = spawnSync(process.execPath, ["-r", "@swc-node/register", join(root, "libs/placement/src/cli/place.ts"), "solve", join(problems, "two-racks.json"), "--time-limit-ms", "300"], { cwd: root, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(r.stdout).placement).toBeDefined();
    const bad = spawnSync(process.execPath, ["-r", "@swc-node/register", join(root, "libs/placement/src/cli/place.ts"), "solve", write("bad.json", "[]")], { cwd: root, encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/invalid problem file/);
  });
});
