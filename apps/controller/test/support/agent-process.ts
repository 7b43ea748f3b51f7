import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../src/database/provision";
import type { Namespace } from "./netns";

/** A guest as its agent process sees it at one instant: its workload state and its image's SHA-256. */
export interface GuestSnapshot {
  readonly seed: number;
  readonly writes: number;
  readonly digest: string;
}

export interface AgentRequest {
  readonly id: number;
  readonly vmId: string;
  /** Writes the guest's workload makes before the snapshot. */
  readonly writes?: number;
}

export interface AgentProcess {
  readonly proc: ChildProcess;
  /** Everything the process printed, for failure messages. */
  readonly output: string[];
  /** The guest of a VM on this agent, or null when it runs none; after `writes` more writes of its workload. */
  guest(vmId: string, writes?: number): Promise<GuestSnapshot | null>;
  stop(): Promise<void>;
  /** SIGKILL, as a crash: resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * A node agent in its own process (agent-process-main.ts), inside a network namespace when one is given
 * (`ip netns exec`), configured by `env` alone. The test talks to it over an IPC channel; closing the
 * channel (`stop`) shuts the agent down.
 */
export function startAgentProcess(ns: Namespace | null, env: Record<string, string>): AgentProcess {
  const node = [process.execPath, "-r", "@swc-node/register", join("apps", "controller", "test", "support", "agent-process-main.ts")];
  const [cmd, ...args] = ns ? ["ip", "netns", "exec", ns.name, ...node] : node;
  const proc = spawn(cmd, args, { cwd: repoRoot(), env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe", "ipc"] });
  const output: string[] = [];
  proc.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
  proc.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
  const waiting = new Map<number, (guest: GuestSnapshot | null) => void>();
  proc.on("message", (m: { id: number; guest: GuestSnapshot | null }) => {
    waiting.get(m.id)?.(m.guest);
    waiting.delete(m.id);
  });
  let next = 0;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const running = () => proc.exitCode === null && proc.signalCode === null;
  return {
    proc,
    output,
    guest: (vmId, writes) => {
      if (proc.exitCode !== null || !proc.connected) return Promise.reject(new Error(`agent process exited:\n${output.join("")}`));
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        proc.send({ id, vmId, writes } satisfies AgentRequest);
      });
    },
    stop: async () => {
      if (running()) {
        if (proc.connected) proc.disconnect();
        const killer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
      }
    },
    kill: async () => {
      if (running()) proc.kill("SIGKILL");
      await exited;
    },
  };
}
