import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { restartDelayMs, Supervisor, type PartExit, type PartSpec } from "./supervisor";

/** A part running `node -e script`. */
const node = (name: string, script: string, extra: Partial<PartSpec> = {}): PartSpec => ({ name, command: process.execPath, args: ["-e", script], ...extra });
const FOREVER = "setInterval(() => {}, 1000)";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(check: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("restartDelayMs", () => {
  const backoff = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [5, 16_000],
    [6, 30_000],
    [40, 30_000],
  ])("after %i exits in a row waits %i ms", (exits, ms) => {
    expect(restartDelayMs(exits, backoff)).toBe(ms);
  });
});

describe("Supervisor", () => {
  const dir = mkdtempSync(join(tmpdir(), "ferry-supervisor-"));
  let supervisor: Supervisor | undefined;
  let lines: string[] = [];
  const supervise = (specs: PartSpec[], backoff = { initialMs: 50, maxMs: 400, resetAfterMs: 60_000 }, stopGraceMs = 5_000) => {
    lines = [];
    supervisor = new Supervisor(specs, { backoff, stopGraceMs, readyPollMs: 20, log: (line) => lines.push(line) });
    return supervisor;
  };
  const exits = (s: Supervisor) => {
    const seen: PartExit[] = [];
    s.on("exit", (e) => seen.push(e));
    return seen;
  };
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("restarts a part that was killed, says so, and says when it is back", async () => {
    const s = supervise([node("agent-2", FOREVER), node("other", FOREVER)]);
    const seen = exits(s);
    await s.start();
    const first = await s.whenUp("agent-2");
    expect(s.pid("agent-2")).toBe(first.pid);
    expect(s.kill("agent-2", "SIGKILL")).toBe(true);
    const back = await s.whenUp("agent-2", 1);
    expect(back.pid).not.toBe(first.pid);
    expect(s.pid("agent-2")).toBe(back.pid);
    expect(s.restartCount("agent-2")).toBe(1);
    expect(s.restartCount("other")).toBe(0);
    expect(seen).toMatchObject([{ name: "agent-2", pid: first.pid, signal: "SIGKILL", code: null, restart: 1, restartInMs: 50 }]);
    expect(lines).toEqual([
      "ferry: agent-2 exited (signal SIGKILL); restarting in 0.05s (restart 1)",
      expect.stringMatching(new RegExp(`^ferry: agent-2 is back \\(pid ${back.pid}, restart 1, up [0-9.]+s after it started\\)$`)),
    ]);
  });

  it("backs off a part that crashes at once: the delay doubles up to the maximum", async () => {
    const s = supervise([node("crasher", "process.exit(3)")]);
    const seen = exits(s);
    await s.start();
    await eventually(() => (seen.length >= 5 ? true : undefined), "five exits");
    expect(seen.slice(0, 5).map((e) => [e.code, e.restart, e.restartInMs])).toEqual([
      [3, 1, 50],
      [3, 2, 100],
      [3, 3, 200],
      [3, 4, 400],
      [3, 5, 400],
    ]);
    expect(lines[0]).toBe("ferry: crasher exited (code 3); restarting in 0.05s (restart 1)");
  });

  it("starts again from the first delay once the part had stayed up long enough", async () => {
    const s = supervise([node("flaky", "setTimeout(() => process.exit(1), 300)")], { initialMs: 50, maxMs: 400, resetAfterMs: 200 });
    const seen = exits(s);
    await s.start();
    await eventually(() => (seen.length >= 3 ? true : undefined), "three exits");
    expect(seen.slice(0, 3).map((e) => e.restartInMs)).toEqual([50, 50, 50]);
    expect(seen.every((e) => e.uptimeMs >= 200)).toBe(true);
  });

  it("backs off a command that cannot be started at all", async () => {
    const s = supervise([{ name: "missing", command: join(dir, "no-such-command"), args: [] }]);
    const seen = exits(s);
    await s.start();
    await eventually(() => (seen.length >= 3 ? true : undefined), "three failed starts");
    expect(seen.slice(0, 3).map((e) => [e.pid, e.restartInMs])).toEqual([
      [undefined, 50],
      [undefined, 100],
      [undefined, 200],
    ]);
    expect(lines[0]).toMatch(/^ferry: missing could not start: spawn .*ENOENT; restarting in 0.05s \(restart 1\)$/);
  });

  it("counts a part up only once its ready probe answers", async () => {
    let probes = 0;
    const s = supervise([node("slow", FOREVER, { ready: async () => ++probes >= 5 })]);
    await s.start();
    expect(s.status("slow")).toBe("starting");
    const up = await s.whenUp("slow");
    expect(probes).toBe(5);
    expect(up.startedInMs).toBeGreaterThanOrEqual(4 * 20);
    expect(s.status("slow")).toBe("up");
  });

  it("starts only the named parts, then the rest", async () => {
    const s = supervise([node("controller", FOREVER), node("agent-1", FOREVER)]);
    await s.start(["controller"]);
    expect(s.status("agent-1")).toBe("not started");
    expect(s.pid("agent-1")).toBeUndefined();
    await s.start();
    expect(s.pid("agent-1")).toBeGreaterThan(0);
    expect(() => s.pid("agent-9")).toThrow(/no part named agent-9 \(parts: controller, agent-1\)/);
  });

  it("appends a part's output to its log file across restarts", async () => {
    const logFile = join(dir, "echo.log");
    const logged = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
    const s = supervise([node("echo", "console.log('hello from', process.pid); console.error('to stderr'); setInterval(() => {}, 1000)", { logFile })]);
    await s.start();
    const first = await s.whenUp("echo");
    await eventually(() => (logged().includes("to stderr") ? true : undefined), "the first output");
    s.kill("echo");
    const second = await s.whenUp("echo", 1);
    await eventually(() => (logged().includes(`hello from ${second.pid}`) ? true : undefined), "the second output");
    expect(logged()).toContain(`hello from ${first.pid}`);
    expect(lines[0]).toBe(`ferry: echo exited (signal SIGKILL); restarting in 0.05s (restart 1); see ${logFile}`);
  });

  it("stop ends every part with SIGTERM, kills one that ignores it after the grace period, and restarts none", async () => {
    // The stubborn part is up once it has installed its handler, which it says with a file.
    const armed = join(dir, "armed");
    const s = supervise(
      [
        node("polite", FOREVER),
        node("stubborn", `process.on("SIGTERM", () => {}); require("node:fs").writeFileSync(${JSON.stringify(armed)}, ""); ${FOREVER}`, {
          ready: async () => existsSync(armed),
        }),
        node("crasher", "process.exit(1)"),
      ],
      { initialMs: 50, maxMs: 400, resetAfterMs: 60_000 },
      300,
    );
    const seen = exits(s);
    await s.start();
    await s.whenUp("stubborn");
    const started = Date.now();
    await s.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const before = seen.length;
    await sleep(500);
    expect(seen.length).toBe(before);
    for (const name of s.names()) {
      expect(s.status(name)).toBe("stopped");
      expect(s.pid(name)).toBeUndefined();
    }
    expect(s.kill("polite")).toBe(false);
    await expect(s.start()).rejects.toThrow(/stopped/);
  });
});
