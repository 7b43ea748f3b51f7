import type { Heartbeat, HostedVm, NodeHealth } from "@ferry/protocol";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { HostProbe } from "./host-probe";
import { linearWatts, type PowerModel } from "./linear-power";

/** Where a heartbeat's watts came from: the RAPL energy counters, or the linear model of the CPU load. */
export type WattsSource = "rapl" | "model";

export interface LinuxHostOptions {
  /** The file system root the probe reads /proc and /sys under: "/" on a host, a fixture tree in tests. */
  root?: string;
  /** The registered power model: the watts estimate while no RAPL counter gives a measurement. */
  power: PowerModel;
  /**
   * Where each hosted VM's figures come from. The VMs Ferry places are not processes this kernel accounts
   * for, so their usage stays that of their workloads (the simulated probe); the host totals are Linux's.
   */
  guests: HostProbe;
  /** Told the watts source at the first sample and whenever it changes, with a sentence for the log. */
  onWattsSource?: (source: WattsSource, why: string) => void;
}

interface Counters {
  atMs: number;
  cpu: { idle: number; total: number };
  /** rx and tx bytes of each interface but loopback. */
  net: Map<string, { rx: number; tx: number }>;
  /** Each top-level RAPL package zone's energy counter and the value it wraps at (µJ). */
  rapl: Map<string, { energyUj: number; maxUj: number }>;
}

const RAPL_PACKAGE = /^intel-rapl:\d+$/;
/** The protocol's temperature range: readings outside it are unwired or broken sensors. */
const PLAUSIBLE_C = { min: -50, max: 200 };

/**
 * The load of the Linux machine the agent runs on, from the kernel's counters. Rates are deltas between
 * this sample and the previous one: CPU load from /proc/stat (idle and iowait against all time), network
 * from /sys/class/net/<nic>/statistics (loopback skipped), watts from the RAPL package energy counters
 * under /sys/class/powercap, else the linear model of the CPU load. The first sample has no previous one:
 * its CPU load is the average since boot (a real figure, where 0 would claim an idle host), its network
 * rates are 0, and its watts are the model's estimate even on a host with RAPL. A counter that falls
 * between samples either wrapped (RAPL, at max_energy_range_uj) or was reset, and counts from 0 (NIC
 * statistics are 64-bit on 64-bit kernels and do not wrap in practice; they restart when a driver
 * reloads). Memory used is MemTotal - MemAvailable from /proc/meminfo. Health is the hottest hwmon or
 * thermal-zone sensor and the corrected errors EDAC counts; a host without EDAC reports 0 errors, and one
 * without any temperature sensor sends no health (the protocol needs both figures).
 */
export class LinuxHostProbe implements HostProbe {
  private readonly root: string;
  private previous: Counters | null = null;
  private wattsSource: WattsSource | null = null;

  constructor(private readonly options: LinuxHostOptions) {
    this.root = options.root ?? "/";
    const stat = this.path("proc/stat");
    if (!existsSync(stat)) throw new Error(`FERRY_HOST_PROBE=linux needs ${stat}: is this a Linux host?`);
  }

  sample(vms: readonly HostedVm[], atMs: number): Heartbeat {
    const now = this.counters(atMs);
    const before = this.previous;
    this.previous = now;
    const seconds = before ? (now.atMs - before.atMs) / 1000 : 0;
    const cpuLoad = clamp01(this.cpuLoad(before, now));
    const net = before && seconds > 0 ? netBytes(before, now) : { rx: 0, tx: 0 };
    const raplJoules = before && seconds > 0 ? raplJ(before, now) : null;
    const watts = raplJoules === null ? linearWatts(this.options.power, cpuLoad) : raplJoules / seconds;
    this.report(now);
    const health = this.health();
    return {
      cpuLoad,
      memLoad: this.memLoad(),
      watts: Math.min(100_000, watts),
      netTxMbps: seconds > 0 ? (net.tx * 8) / 1e6 / seconds : 0,
      netRxMbps: seconds > 0 ? (net.rx * 8) / 1e6 / seconds : 0,
      power: "on",
      ...(health ? { health } : {}),
      vms: this.options.guests.sample(vms, atMs).vms,
    };
  }

  private cpuLoad(before: Counters | null, now: Counters): number {
    const total = now.cpu.total - (before?.cpu.total ?? 0);
    const idle = now.cpu.idle - (before?.cpu.idle ?? 0);
    // No jiffy passed between two samples: the average since boot is the best figure there is.
    if (total <= 0) return now.cpu.total > 0 ? 1 - now.cpu.idle / now.cpu.total : 0;
    return 1 - idle / total;
  }

  private memLoad(): number {
    const file = this.path("proc/meminfo");
    const fields = new Map<string, number>();
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const m = /^(\w+):\s+(\d+)/.exec(line);
      if (m) fields.set(m[1]!, Number(m[2]));
    }
    const total = fields.get("MemTotal");
    const available = fields.get("MemAvailable");
    if (!total || available === undefined) throw new Error(`${file} has no MemTotal or MemAvailable (kernels before 3.14 lack the latter)`);
    return clamp01((total - available) / total);
  }

  private counters(atMs: number): Counters {
    return { atMs, cpu: this.cpuTimes(), net: this.nicBytes(), rapl: this.raplZones() };
  }

  /** The aggregate "cpu" line: user nice system idle iowait irq softirq steal (guest time is inside user). */
  private cpuTimes(): Counters["cpu"] {
    const file = this.path("proc/stat");
    const line = readFileSync(file, "utf8").split("\n").find((l) => l.startsWith("cpu "));
    const times = line?.trim().split(/\s+/).slice(1, 9).map(Number);
    if (!times || times.length < 5 || times.some((t) => !Number.isFinite(t))) throw new Error(`${file} has no aggregate "cpu" line`);
    return { idle: times[3]! + times[4]!, total: times.reduce((a, b) => a + b, 0) };
  }

  private nicBytes(): Counters["net"] {
    const net = new Map<string, { rx: number; tx: number }>();
    for (const nic of this.list("sys/class/net")) {
      if (nic === "lo") continue;
      const rx = this.number(`sys/class/net/${nic}/statistics/rx_bytes`);
      const tx = this.number(`sys/class/net/${nic}/statistics/tx_bytes`);
      if (rx !== null && tx !== null) net.set(nic, { rx, tx });
    }
    return net;
  }

  /** Packages only: their subzones (core, uncore, dram) are parts of a package's energy or not comparable across hosts. */
  private raplZones(): Counters["rapl"] {
    const zones = new Map<string, { energyUj: number; maxUj: number }>();
    for (const zone of this.list("sys/class/powercap").filter((z) => RAPL_PACKAGE.test(z))) {
      // Kernels patched for CVE-2020-8694 let only root read energy_uj: unreadable counts as absent.
      const energyUj = this.number(`sys/class/powercap/${zone}/energy_uj`);
      if (energyUj !== null) zones.set(zone, { energyUj, maxUj: this.number(`sys/class/powercap/${zone}/max_energy_range_uj`) ?? 0 });
    }
    return zones;
  }

  private health(): NodeHealth | null {
    const celsius = [
      ...this.list("sys/class/hwmon").flatMap((h) =>
        this.list(`sys/class/hwmon/${h}`)
          .filter((f) => /^temp\d+_input$/.test(f))
          .map((f) => this.number(`sys/class/hwmon/${h}/${f}`)),
      ),
      ...this.list("sys/class/thermal")
        .filter((z) => z.startsWith("thermal_zone"))
        .map((z) => this.number(`sys/class/thermal/${z}/temp`)),
    ]
      .filter((milli): milli is number => milli !== null)
      .map((milli) => milli / 1000)
      .filter((c) => c >= PLAUSIBLE_C.min && c <= PLAUSIBLE_C.max);
    if (!celsius.length) return null;
    const errors = this.list("sys/devices/system/edac/mc")
      .filter((mc) => /^mc\d+$/.test(mc))
      .reduce((sum, mc) => sum + (this.number(`sys/devices/system/edac/mc/${mc}/ce_count`) ?? 0), 0);
    return { correctedMemoryErrors: errors, temperatureC: Math.max(...celsius) };
  }

  /** Says where watts come from when that changes: RAPL while the host has a readable package counter. */
  private report(now: Counters): void {
    const source: WattsSource = now.rapl.size ? "rapl" : "model";
    if (source === this.wattsSource) return;
    this.wattsSource = source;
    const powercap = this.path("sys/class/powercap");
    this.options.onWattsSource?.(
      source,
      source === "rapl"
        ? `watts from the RAPL package energy counters under ${powercap}`
        : `no readable RAPL package counter under ${powercap}: watts estimated from CPU load between idle and peak watts`,
    );
  }

  private path(relative: string): string {
    return join(this.root, relative);
  }

  private list(relative: string): string[] {
    try {
      return readdirSync(this.path(relative)).sort();
    } catch {
      return [];
    }
  }

  /** A counter or sensor file's integer, or null when it is absent or unreadable. */
  private number(relative: string): number | null {
    try {
      const value = Number(readFileSync(this.path(relative), "utf8").trim());
      return Number.isFinite(value) ? value : null;
    } catch {
      return null;
    }
  }
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** A counter's increase; a fall means it restarted from 0. */
function increase(before: number, now: number): number {
  return now >= before ? now - before : now;
}

/** Bytes each way over the interval, on the interfaces present in both samples (one that appeared has no baseline). */
function netBytes(before: Counters, now: Counters): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const [nic, n] of now.net) {
    const b = before.net.get(nic);
    if (!b) continue;
    rx += increase(b.rx, n.rx);
    tx += increase(b.tx, n.tx);
  }
  return { rx, tx };
}

/** Joules the packages drew over the interval, or null when no package has a counter in both samples. */
function raplJ(before: Counters, now: Counters): number | null {
  let microjoules = 0;
  let zones = 0;
  for (const [zone, n] of now.rapl) {
    const b = before.rapl.get(zone);
    if (!b) continue;
    zones++;
    const wrapped = n.energyUj < b.energyUj && n.maxUj > b.energyUj;
    microjoules += wrapped ? n.maxUj - b.energyUj + n.energyUj : increase(b.energyUj, n.energyUj);
  }
  return zones ? microjoules / 1e6 : null;
}
