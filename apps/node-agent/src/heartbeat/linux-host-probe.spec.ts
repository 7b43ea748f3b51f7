import type { Heartbeat, HostedVm } from "@ferry/protocol";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LinuxHostProbe, type WattsSource } from "./linux-host-probe";
import { SimulatedHostProbe } from "./simulated-host-probe";
import { TraceLibrary } from "./workload/trace-library";

/** What the fixture tree holds: /proc/stat's cpu line, /proc/meminfo, NIC, RAPL, hwmon, thermal and EDAC files. */
interface FakeHost {
  /** user nice system idle iowait irq softirq steal, in jiffies since boot. */
  cpu: number[];
  memKiB: { total: number; available: number };
  nics: Record<string, { rx: number; tx: number }>;
  rapl?: Record<string, { energyUj: number; maxUj: number }>;
  hwmonMilliC?: number[];
  thermalMilliC?: number[];
  edacCe?: number[];
}

const power = { idleWatts: 100, peakWatts: 300 };
const cpu = (busy: number, idle: number) => [busy, 0, 0, idle, 0, 0, 0, 0];
const mem = { total: 1_000_000, available: 250_000 };
const quiet: FakeHost = { cpu: cpu(400, 600), memKiB: mem, nics: {} };
const vmId = "9f1c2d3e-0000-4000-8000-000000000001";
const hosted: HostedVm[] = [
  { id: vmId, name: "web", cpu: 4, memMiB: 8192, dirtyRateMiBps: 10, workload: { kind: "constant", cpuFraction: 0.5, memFraction: 0.5 }, peers: [] },
];
const guests = new SimulatedHostProbe({ capacity: { cpu: 16, memMiB: 65536 }, power }, new TraceLibrary(new Map(), 1));

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function write(root: string, relative: string, content: string | number): void {
  const file = join(root, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${content}\n`);
}

/** Replaces the fixture tree under `root` by `host`. */
function build(root: string, host: FakeHost): void {
  rmSync(root, { recursive: true, force: true });
  write(root, "proc/stat", `cpu  ${host.cpu.join(" ")} 0 0\ncpu0 ${host.cpu.join(" ")} 0 0\nintr 12345\n`);
  write(root, "proc/meminfo", `MemTotal:       ${host.memKiB.total} kB\nMemFree:        1000 kB\nMemAvailable:   ${host.memKiB.available} kB\n`);
  mkdirSync(join(root, "sys/class/net"), { recursive: true });
  for (const [nic, { rx, tx }] of Object.entries(host.nics)) {
    write(root, `sys/class/net/${nic}/statistics/rx_bytes`, rx);
    write(root, `sys/class/net/${nic}/statistics/tx_bytes`, tx);
  }
  for (const [zone, { energyUj, maxUj }] of Object.entries(host.rapl ?? {})) {
    write(root, `sys/class/powercap/${zone}/energy_uj`, energyUj);
    write(root, `sys/class/powercap/${zone}/max_energy_range_uj`, maxUj);
  }
  host.hwmonMilliC?.forEach((t, i) => write(root, `sys/class/hwmon/hwmon0/temp${i + 1}_input`, t));
  host.thermalMilliC?.forEach((t, i) => write(root, `sys/class/thermal/thermal_zone${i}/temp`, t));
  host.edacCe?.forEach((n, i) => write(root, `sys/devices/system/edac/mc/mc${i}/ce_count`, n));
}

/** A probe on a fixture tree that held `before` at 0 ms and `after` at `ms`: the second sample and the sources told. */
function sampleTwice(before: FakeHost, after: FakeHost, ms: number): { first: Heartbeat; second: Heartbeat; sources: WattsSource[] } {
  const root = mkdtempSync(join(tmpdir(), "ferry-probe-"));
  dirs.push(root);
  const sources: WattsSource[] = [];
  build(root, before);
  const probe = new LinuxHostProbe({ root, power, guests, onWattsSource: (s) => sources.push(s) });
  const first = probe.sample(hosted, 0);
  build(root, after);
  return { first, second: probe.sample(hosted, ms), sources };
}

describe("LinuxHostProbe", () => {
  it.each<{ name: string; before: FakeHost; after: FakeHost; ms: number; expected: Partial<Heartbeat>; sources: WattsSource[] }>([
    {
      // CPU: 300 of 400 jiffies busy. NICs: eth0 12.5 MB in, 1.25 MB out in a second; loopback ignored.
      // RAPL: packages 0 and 1 draw 50 J and 30 J in a second; the core subzone is part of package 0.
      name: "rates over the interval, loopback and RAPL subzones left out",
      before: {
        ...quiet,
        nics: { eth0: { rx: 1_000_000, tx: 2_000_000 }, lo: { rx: 0, tx: 0 } },
        rapl: { "intel-rapl:0": { energyUj: 10e6, maxUj: 262e9 }, "intel-rapl:1": { energyUj: 5e6, maxUj: 262e9 }, "intel-rapl:0:0": { energyUj: 0, maxUj: 262e9 } },
      },
      after: {
        cpu: cpu(700, 700),
        memKiB: mem,
        nics: { eth0: { rx: 13_500_000, tx: 3_250_000 }, lo: { rx: 9e9, tx: 9e9 } },
        rapl: { "intel-rapl:0": { energyUj: 60e6, maxUj: 262e9 }, "intel-rapl:1": { energyUj: 35e6, maxUj: 262e9 }, "intel-rapl:0:0": { energyUj: 1e9, maxUj: 262e9 } },
      },
      ms: 1000,
      expected: { cpuLoad: 0.75, memLoad: 0.75, netRxMbps: 100, netTxMbps: 10, watts: 80 },
      sources: ["rapl"],
    },
    {
      // 10 mJ short of the wrap at 1 kJ, then 40 J past it: 50 J in 2 s.
      name: "a RAPL counter that wrapped at max_energy_range_uj",
      before: { ...quiet, rapl: { "intel-rapl:0": { energyUj: 990e6, maxUj: 1000e6 } } },
      after: { ...quiet, cpu: cpu(500, 700), rapl: { "intel-rapl:0": { energyUj: 40e6, maxUj: 1000e6 } } },
      ms: 2000,
      expected: { cpuLoad: 0.5, watts: 25 },
      sources: ["rapl"],
    },
    {
      // eth0's counters restarted: 2.5 MB since. eth1 appeared: no baseline, so no rate yet.
      name: "a NIC counter reset, and a NIC that appeared",
      before: { ...quiet, nics: { eth0: { rx: 5e9, tx: 6e9 } } },
      after: { ...quiet, nics: { eth0: { rx: 2_500_000, tx: 0 }, eth1: { rx: 7e9, tx: 7e9 } } },
      ms: 1000,
      expected: { netRxMbps: 20, netTxMbps: 0 },
      sources: ["model"],
    },
    {
      // No powercap: half the CPU busy draws half-way between 100 W and 300 W.
      name: "no RAPL: watts from the load between idle and peak",
      before: quiet,
      after: { ...quiet, cpu: cpu(900, 1100) },
      ms: 1000,
      expected: { cpuLoad: 0.5, watts: 200 },
      sources: ["model"],
    },
    {
      name: "RAPL that appears later: the model first, then the counters",
      before: quiet,
      after: { ...quiet, cpu: cpu(400, 1600), rapl: { "intel-rapl:0": { energyUj: 1e6, maxUj: 1e9 } } },
      ms: 1000,
      expected: { cpuLoad: 0, watts: 100 },
      sources: ["model", "rapl"],
    },
    {
      name: "no jiffy passed: the CPU load since boot",
      before: quiet,
      after: quiet,
      ms: 5,
      expected: { cpuLoad: 0.4 },
      sources: ["model"],
    },
  ])("$name", ({ before, after, ms, expected, sources }) => {
    const { second, sources: told } = sampleTwice(before, after, ms);
    for (const [field, value] of Object.entries(expected)) expect(second[field as keyof Heartbeat], field).toBeCloseTo(value as number, 9);
    expect(told).toEqual(sources);
  });

  it("first sample: CPU load since boot, no network rates, the model's watts even with RAPL", () => {
    const withRapl = { ...quiet, nics: { eth0: { rx: 9e9, tx: 9e9 } }, rapl: { "intel-rapl:0": { energyUj: 5e9, maxUj: 262e9 } } };
    const { first, sources } = sampleTwice(withRapl, withRapl, 1000);
    expect(first).toMatchObject({ cpuLoad: 0.4, memLoad: 0.75, netRxMbps: 0, netTxMbps: 0, watts: 180, power: "on" });
    expect(sources).toEqual(["rapl"]);
  });

  it.each<{ name: string; host: Partial<FakeHost>; health: Heartbeat["health"] }>([
    { name: "the hottest sensor and EDAC's corrected errors summed", host: { hwmonMilliC: [45_000, 61_500], thermalMilliC: [58_000], edacCe: [3, 2] }, health: { correctedMemoryErrors: 5, temperatureC: 61.5 } },
    { name: "a broken sensor's reading left out", host: { hwmonMilliC: [-273_000, 255_000], thermalMilliC: [40_000] }, health: { correctedMemoryErrors: 0, temperatureC: 40 } },
    { name: "no EDAC: no errors seen", host: { thermalMilliC: [52_000] }, health: { correctedMemoryErrors: 0, temperatureC: 52 } },
    { name: "no temperature sensor: no health", host: { edacCe: [7] }, health: undefined },
  ])("health: $name", ({ host, health }) => {
    const { second } = sampleTwice({ ...quiet, ...host }, { ...quiet, ...host }, 1000);
    expect(second.health).toEqual(health);
  });

  it("takes each VM's figures from the workload model", () => {
    const { second } = sampleTwice(quiet, quiet, 1000);
    expect(second.vms).toEqual(guests.sample(hosted, 1000).vms);
    expect(second.vms[0]).toMatchObject({ vmId, cpuFraction: 0.5, memUsedMiB: 4096 });
  });

  it("refuses a root without /proc/stat", () => {
    const root = mkdtempSync(join(tmpdir(), "ferry-probe-"));
    dirs.push(root);
    expect(() => new LinuxHostProbe({ root, power, guests })).toThrow(/FERRY_HOST_PROBE=linux needs .*proc\/stat/);
  });

  it.runIf(process.platform === "linux")("reads this machine's /proc and /sys", async () => {
    const probe = new LinuxHostProbe({ power, guests });
    probe.sample([], Date.now());
    await new Promise((r) => setTimeout(r, 100));
    const beat = probe.sample([], Date.now());
    expect(beat.cpuLoad).toBeGreaterThanOrEqual(0);
    expect(beat.cpuLoad).toBeLessThanOrEqual(1);
    expect(beat.memLoad).toBeGreaterThan(0);
    expect(beat.memLoad).toBeLessThan(1);
    expect(beat.watts).toBeGreaterThan(0);
    expect(beat.netRxMbps).toBeGreaterThanOrEqual(0);
    expect(beat.netTxMbps).toBeGreaterThanOrEqual(0);
  });
});
