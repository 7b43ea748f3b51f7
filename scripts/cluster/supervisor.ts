/**
 * Keeps a set of named child processes ("parts") running: a part that exits while the supervisor runs is
 * started again from the same recipe, after a delay that doubles with each exit in a row (1 s, 2 s, 4 s ... up
 * to 30 s by default) and falls back to the first once the part had stayed up for a while (60 s), so a part
 * that crashes at once keeps backing off instead of spinning. `npm start` (scripts/local-cluster.ts) runs the
 * controller and the node agents with it; a test or a chaos run can kill parts through it and watch them
 * come back.
 *
 *   const supervisor = new Supervisor([{ name: "agent-1", command: process.execPath, args: [...], env }]);
 *   supervisor.on("exit", (e) => ...);   // a part exited; e.restartInMs: when it starts again
 *   supervisor.on("up", (e) => ...);     // a part is up (its `ready` probe answered), first or after a restart
 *   await supervisor.start();            // spawns every part not started yet (or the ones named)
 *   supervisor.kill("agent-1", "SIGKILL");  // restarted like any exit
 *   await supervisor.whenUp("agent-1", 1); // up after its first restart
 *   supervisor.restartCount("agent-1");  // 1
 *   await supervisor.stop();             // SIGTERM to all, SIGKILL after the grace period; no more restarts
 */
import { spawn, type ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";

/** How to start a part, again and again. */
export interface PartSpec {
  /** Unique among the supervisor's parts; used in every message. */
  name: string;
  command: string;
  args: string[];
  /** The whole environment of the process (nothing is inherited besides it). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Its stdout and stderr are appended here, across restarts; without it they are discarded. */
  logFile?: string;
  /** True once the part serves (e.g. its /health answers); polled after each start. Without it, a part is up once spawned. */
  ready?: () => Promise<boolean>;
}

export interface Backoff {
  /** Delay before the first restart of a run of exits. */
  initialMs: number;
  /** The delay doubles with each exit in a row, up to this. */
  maxMs: number;
  /** A part that stayed up this long before exiting starts a new run (its next restart waits initialMs again). */
  resetAfterMs: number;
}

export interface SupervisorOptions {
  backoff?: Partial<Backoff>;
  /** How long `stop` waits after SIGTERM before it sends SIGKILL. */
  stopGraceMs?: number;
  /** How often `ready` is polled while a part starts. */
  readyPollMs?: number;
  /** One line per exit and per return after a restart (`ferry: agent-2 exited ...`); by default to stderr. */
  log?: (line: string) => void;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

/** The delay before restarting a part that has exited `exitsInARow` times in a row (1 for the first). */
export function restartDelayMs(exitsInARow: number, backoff: Backoff): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, exitsInARow - 1));
}

export interface PartExit {
  name: string;
  /** Undefined when the process could not be spawned at all. */
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned (e.g. ENOENT). */
  error?: string;
  uptimeMs: number;
  /** The number this restart will have (restartCount once it happens). */
  restart: number;
  restartInMs: number;
}

export interface PartSpawn {
  name: string;
  pid: number | undefined;
  /** 0 for the first start. */
  restart: number;
}

export interface PartUp {
  name: string;
  pid: number;
  /** 0 for the first start. */
  restart: number;
  /** From spawn to ready. */
  startedInMs: number;
}

/** Listeners run synchronously, before the supervisor goes on. Exits caused by `stop` emit nothing. */
export interface SupervisorEvents {
  /** A process of the part was spawned (its pid changed). */
  spawn: [PartSpawn];
  /** The part is up: its `ready` probe answered (at once without one). */
  up: [PartUp];
  /** The part exited unexpectedly (a kill through `kill` included); a restart is scheduled. */
  exit: [PartExit];
}

export type PartStatus = "not started" | "starting" | "up" | "backing off" | "stopped";

interface Part {
  spec: PartSpec;
  proc: ChildProcess | null;
  status: PartStatus;
  spawnedAt: number;
  restarts: number;
  exitsInARow: number;
  timer: NodeJS.Timeout | null;
  log: WriteStream | null;
  lastUp: PartUp | null;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))}s`;

export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly parts = new Map<string, Part>();
  private readonly backoff: Backoff;
  private readonly stopGraceMs: number;
  private readonly readyPollMs: number;
  private readonly print: (line: string) => void;
  private stopping: Promise<void> | null = null;

  constructor(specs: PartSpec[], options: SupervisorOptions = {}) {
    super();
    for (const spec of specs) {
      if (this.parts.has(spec.name)) throw new Error(`two parts are named ${spec.name}`);
      this.parts.set(spec.name, { spec, proc: null, status: "not started", spawnedAt: 0, restarts: 0, exitsInARow: 0, timer: null, log: null, lastUp: null });
    }
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.stopGraceMs = options.stopGraceMs ?? 15_000;
    this.readyPollMs = options.readyPollMs ?? 250;
    this.print = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Spawns the named parts (by default every part not started yet). Resolves once they are spawned, not once they are up. */
  async start(names?: string[]): Promise<void> {
    if (this.stopping) throw new Error("the supervisor is stopped");
    for (const name of names ?? [...this.parts.keys()]) {
      const part = this.part(name);
      if (part.status === "not started") this.spawn(part);
    }
  }

  /** The part names, in the order they were given. */
  names(): string[] {
    return [...this.parts.keys()];
  }

  /** The running process's pid; undefined while the part is not running (not started, backing off, stopped). */
  pid(name: string): number | undefined {
    const proc = this.part(name).proc;
    return proc?.exitCode === null && proc.signalCode === null ? proc.pid : undefined;
  }

  /** How many times the part has been restarted since the supervisor started (never reset). */
  restartCount(name: string): number {
    return this.part(name).restarts;
  }

  status(name: string): PartStatus {
    return this.part(name).status;
  }

  /**
   * Sends a signal to the part's process (SIGKILL by default: a crash). The supervisor treats the exit that
   * follows like any other and restarts the part. False when no process of it is running.
   */
  kill(name: string, signal: NodeJS.Signals = "SIGKILL"): boolean {
    const pid = this.pid(name);
    return pid !== undefined && this.part(name).proc!.kill(signal);
  }

  /**
   * Resolves when the part is up after at least `restarts` restarts: at once if it is, else at the "up" event
   * that makes it so. After a kill, wait for `restartCount(name) + 1`: until the exit arrives, the part still
   * counts as up. Never resolves for a part that stays down or once the supervisor is stopped.
   */
  whenUp(name: string, restarts = 0): Promise<PartUp> {
    const part = this.part(name);
    if (part.status === "up" && part.restarts >= restarts) return Promise.resolve(part.lastUp!);
    return new Promise((resolve) => {
      const listener = (e: PartUp) => {
        if (e.name !== name || e.restart < restarts) return;
        this.off("up", listener);
        resolve(e);
      };
      this.on("up", listener);
    });
  }

  /**
   * Stops every part: no more restarts, SIGTERM to each running process at once (they shut down cleanly:
   * agents abort the migrations that have not switched over), SIGKILL to any still running after the grace
   * period. Resolves when all have exited; calling it again returns the same promise.
   */
  stop(): Promise<void> {
    this.stopping ??= Promise.all(
      [...this.parts.values()].map((part) => {
        if (part.timer) clearTimeout(part.timer);
        part.timer = null;
        const proc = part.proc;
        part.status = "stopped";
        if (!proc || proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return part.log?.end();
        return new Promise<void>((resolve) => {
          const force = setTimeout(() => proc.kill("SIGKILL"), this.stopGraceMs);
          // "close" comes after "exit", once its output has been written to the log.
          proc.once("close", () => {
            clearTimeout(force);
            part.log?.end();
            resolve();
          });
          proc.kill("SIGTERM");
        });
      }),
    ).then(() => undefined);
    return this.stopping;
  }

  private part(name: string): Part {
    const part = this.parts.get(name);
    if (!part) throw new Error(`no part named ${name} (parts: ${this.names().join(", ")})`);
    return part;
  }

  private spawn(part: Part): void {
    const { spec } = part;
    part.timer = null;
    part.status = "starting";
    part.spawnedAt = Date.now();
    if (spec.logFile && !part.log) {
      part.log = createWriteStream(spec.logFile, { flags: "a" });
      // A line written after `stop` closed the log is lost, rather than an error that ends the supervisor.
      part.log.on("error", () => undefined);
    }
    const proc = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ["ignore", part.log ? "pipe" : "ignore", part.log ? "pipe" : "ignore"] });
    part.proc = proc;
    if (part.log) {
      proc.stdout!.pipe(part.log, { end: false });
      proc.stderr!.pipe(part.log, { end: false });
    }
    let ended = false;
    const end = (code: number | null, signal: NodeJS.Signals | null, error?: string) => {
      if (ended) return;
      ended = true;
      this.exited(part, proc, code, signal, error);
    };
    proc.once("exit", (code, signal) => end(code, signal));
    // A process that cannot be spawned (no such command) reports an error and no exit.
    proc.once("error", (e) => {
      if (proc.pid === undefined) end(null, null, e.message);
    });
    this.emit("spawn", { name: spec.name, pid: proc.pid, restart: part.restarts });
    if (proc.pid !== undefined) void this.awaitReady(part, proc);
  }

  private async awaitReady(part: Part, proc: ChildProcess): Promise<void> {
    const { ready } = part.spec;
    const current = () => part.proc === proc && proc.exitCode === null && proc.signalCode === null && !this.stopping;
    while (ready && current() && !(await ready().catch(() => false))) {
      await new Promise((r) => setTimeout(r, this.readyPollMs));
    }
    if (!current()) return;
    part.status = "up";
    part.lastUp = { name: part.spec.name, pid: proc.pid!, restart: part.restarts, startedInMs: Date.now() - part.spawnedAt };
    if (part.restarts > 0) this.print(`ferry: ${part.spec.name} is back (pid ${proc.pid}, restart ${part.restarts}, up ${seconds(part.lastUp.startedInMs)} after it started)`);
    this.emit("up", part.lastUp);
  }

  private exited(part: Part, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null, error?: string): void {
    if (this.stopping || part.proc !== proc) return;
    const uptimeMs = Date.now() - part.spawnedAt;
    part.exitsInARow = uptimeMs >= this.backoff.resetAfterMs ? 1 : part.exitsInARow + 1;
    const restartInMs = restartDelayMs(part.exitsInARow, this.backoff);
    const restart = part.restarts + 1;
    part.status = "backing off";
    const how = error ? `could not start: ${error}` : `exited (${signal ? `signal ${signal}` : `code ${code}`})`;
    const see = part.spec.logFile ? `; see ${part.spec.logFile}` : "";
    this.print(`ferry: ${part.spec.name} ${how}; restarting in ${seconds(restartInMs)} (restart ${restart})${see}`);
    part.timer = setTimeout(() => {
      part.restarts = restart;
      this.spawn(part);
    }, restartInMs);
    this.emit("exit", { name: part.spec.name, pid: proc.pid, code, signal, error, uptimeMs, restart, restartInMs });
  }
}
