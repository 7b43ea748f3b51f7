import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { type LinkSpecInput, type MigrationResult, predict, runMigration, type TechniqueSpec, type VmSpec } from "@ferry/migration";
import { REPO_ROOT, gitCommit } from "../bench-env";
import { type Line, sweepFigure } from "./figures";

/**
 * bench:migration. Sweeps dirty rate against bandwidth for every technique on one VM, checks the survey's three
 * claims against the sweep, measures the predictor's error against the simulator on a wider grid, and times the
 * simulator on a 16 GiB VM. Writes libs/migration/bench/{results.md,results.json,downtime.svg,total.svg} and
 * copies results.md into the library README between its bench markers. Deterministic apart from wall times.
 */
const ROOT = REPO_ROOT;
const OUT = join(ROOT, "libs/migration/bench");
const SEED = 1;
const RTT_MS = 0.5;
const SWEEP_VM_MIB = 4096;
const SWEEP_WORKLOAD = "hotset:0.1";
const DIRTY_MIBPS = [10, 25, 50, 100, 200, 400, 800];
const BANDWIDTH_MBPS = [1000, 2500, 10000, 25000];

interface Variant extends Line {
  readonly spec: TechniqueSpec;
}

const VARIANTS: Variant[] = [
  { label: "non-live", spec: { name: "non-live" }, color: "#555555", dash: "6 3" },
  { label: "pre-copy", spec: { name: "pre-copy" }, color: "#1f77b4" },
  { label: "pre-copy+delta", spec: { name: "pre-copy", delta: true }, color: "#17becf", dash: "5 2" },
  { label: "pre-copy+hot-bitmap", spec: { name: "pre-copy", hotBitmap: true }, color: "#2ca02c", dash: "2 2" },
  { label: "pre-copy+auto-converge", spec: { name: "pre-copy", autoConverge: true }, color: "#9467bd" },
  { label: "post-copy(none)", spec: { name: "post-copy", prepaging: "none" }, color: "#d62728", dash: "5 2" },
  { label: "post-copy(bubble)", spec: { name: "post-copy", prepaging: "bubble" }, color: "#ff7f0e" },
  { label: "post-copy(multi-pivot)", spec: { name: "post-copy", prepaging: "multi-pivot" }, color: "#e377c2", dash: "2 2" },
  { label: "hybrid", spec: { name: "hybrid" }, color: "#8c564b" },
];

type Row = Pick<
  MigrationResult,
  | "preparationMs"
  | "downtimeMs"
  | "resumeMs"
  | "pagesTransferred"
  | "totalMs"
  | "degradation"
  | "rounds"
  | "bytesTransferred"
  | "networkFaults"
  | "lostWorkMs"
  | "stopReason"
  | "memoryPages"
> & { variant: string; bandwidthMbps: number; dirtyMiBps: number; wallMs: number };

async function run(variant: string, vm: VmSpec, bandwidthMbps: number, technique: TechniqueSpec): Promise<Row> {
  const t0 = performance.now();
  const r = await runMigration({ vm, link: { bandwidthMbps, rttMs: RTT_MS }, technique, seed: SEED });
  const wallMs = performance.now() - t0;
  return {
    variant,
    bandwidthMbps,
    dirtyMiBps: vm.workload.dirtyMiBps,
    wallMs,
    preparationMs: r.preparationMs,
    downtimeMs: r.downtimeMs,
    resumeMs: r.resumeMs,
    pagesTransferred: r.pagesTransferred,
    totalMs: r.totalMs,
    degradation: r.degradation,
    rounds: r.rounds,
    bytesTransferred: r.bytesTransferred,
    networkFaults: r.networkFaults,
    lostWorkMs: r.lostWorkMs,
    stopReason: r.stopReason,
    memoryPages: r.memoryPages,
  };
}

const sweepVm = (dirtyMiBps: number, extra: Partial<VmSpec["workload"]> = {}): VmSpec => ({
  memMiB: SWEEP_VM_MIB,
  workload: { dirtyMiBps, locality: SWEEP_WORKLOAD, ...extra },
});

async function sweep(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const bw of BANDWIDTH_MBPS) {
    for (const d of DIRTY_MIBPS) {
      for (const v of VARIANTS) rows.push(await run(v.label, sweepVm(d), bw, v.spec));
      // Delta compression again with a cache that holds the hot set (QEMU's advice: size it to the working set).
      rows.push(await run("pre-copy+delta(1 GiB cache)", sweepVm(d), bw, { name: "pre-copy", delta: true, xbzrleCacheMiB: 1024 }));
    }
    process.stderr.write(`sweep: ${bw} Mbit/s done\n`);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

function fmtMs(ms: number): string {
  if (ms >= 100_000) return `${(ms / 1000).toFixed(0)} s`;
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function find(rows: Row[], variant: string, bw: number, d: number): Row {
  const r = rows.find((x) => x.variant === variant && x.bandwidthMbps === bw && x.dirtyMiBps === d);
  if (!r) throw new Error(`no row ${variant} ${bw} ${d}`);
  return r;
}

function sweepTables(rows: Row[]): string {
  const out: string[] = [];
  for (const bw of BANDWIDTH_MBPS) {
    out.push(`#### ${bw / 1000} Gbit/s: downtime / total time (degradation)\n`);
    out.push(`| technique | ${DIRTY_MIBPS.map((d) => `${d} MiB/s`).join(" | ")} |`);
    out.push(`|---|${DIRTY_MIBPS.map(() => "---").join("|")}|`);
    for (const v of [...VARIANTS.map((x) => x.label), "pre-copy+delta(1 GiB cache)"]) {
      const cells = DIRTY_MIBPS.map((d) => {
        const r = find(rows, v, bw, d);
        return `${fmtMs(r.downtimeMs)} / ${fmtMs(r.totalMs)} (${r.degradation.toFixed(2)})`;
      });
      out.push(`| ${v} | ${cells.join(" | ")} |`);
    }
    out.push("");
  }
  return out.join("\n");
}

function figures(rows: Row[]): { downtime: string; total: string } {
  const common = { lines: VARIANTS, dirtyMiBps: DIRTY_MIBPS, bandwidthMbps: BANDWIDTH_MBPS };
  return {
    downtime: sweepFigure(rows, {
      ...common,
      metric: "downtimeMs",
      title: `Downtime, ${SWEEP_VM_MIB / 1024} GiB VM, ${SWEEP_WORKLOAD}, RTT ${RTT_MS} ms`,
      yLabel: "downtime",
      references: [
        { y: 1000, label: "1 s (survey claim)" },
        { y: 300, label: "300 ms (QEMU limit)" },
      ],
    }),
    total: sweepFigure(rows, { ...common, metric: "totalMs", title: `Total migration time, ${SWEEP_VM_MIB / 1024} GiB VM, ${SWEEP_WORKLOAD}, RTT ${RTT_MS} ms`, yLabel: "total time", references: [] }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The survey's claims

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function claims(rows: Row[]): { text: string; data: Record<string, unknown> } {
  const out: string[] = [];
  const data: Record<string, unknown> = {};
  const payloadMiBps = (bw: number) => ((bw * 1e6) / 8 / 1048576) * (4096 / 4104);

  // 1. Pre-copy downtime under a second at ordinary dirty rates.
  out.push("**1. \"Pre-copy downtime stays under a second at ordinary dirty rates.\"**\n");
  out.push("| link | payload rate | dirty rates with pre-copy downtime < 1 s | < 300 ms | worst downtime (dirty rate, stop reason) |");
  out.push("|---|---|---|---|---|");
  const under: Record<string, number[]> = {};
  for (const bw of BANDWIDTH_MBPS) {
    const pre = DIRTY_MIBPS.map((d) => find(rows, "pre-copy", bw, d));
    const ok = pre.filter((r) => r.downtimeMs < 1000).map((r) => r.dirtyMiBps);
    const ok300 = pre.filter((r) => r.downtimeMs < 300).map((r) => r.dirtyMiBps);
    const worst = pre.reduce((a, b) => (b.downtimeMs > a.downtimeMs ? b : a));
    under[bw] = ok;
    out.push(
      `| ${bw / 1000} Gbit/s | ${payloadMiBps(bw).toFixed(0)} MiB/s | ${ok.join(", ") || "none"} | ${ok300.join(", ") || "none"} | ${fmtMs(worst.downtimeMs)} (${worst.dirtyMiBps} MiB/s, ${worst.stopReason}) |`,
    );
  }
  const cellsUnder = rows.filter((r) => r.variant === "pre-copy" && r.downtimeMs < 1000).length;
  data.preCopyUnderOneSecond = { cells: cellsUnder, of: BANDWIDTH_MBPS.length * DIRTY_MIBPS.length, byBandwidth: under };
  out.push("");

  // 2. Post-copy sends each page once but degrades longer.
  const post = rows.filter((r) => r.variant.startsWith("post-copy"));
  const postOnce = post.every((r) => r.pagesTransferred === r.memoryPages);
  const preRatios = rows.filter((r) => r.variant === "pre-copy").map((r) => r.pagesTransferred / r.memoryPages);
  const comparisons = BANDWIDTH_MBPS.flatMap((bw) =>
    DIRTY_MIBPS.map((d) => {
      const pre = find(rows, "pre-copy", bw, d);
      const pc = find(rows, "post-copy(bubble)", bw, d);
      return { bw, d, pre, pc };
    }),
  );
  const postWorse = comparisons.filter((c) => c.pc.lostWorkMs > c.pre.lostWorkMs).length;
  data.postCopy = {
    everyPageOnce: postOnce,
    preCopyPagesOverMemory: { median: median(preRatios), max: Math.max(...preRatios) },
    postCopyLosesMoreWork: { cells: postWorse, of: comparisons.length },
  };
  out.push("**2. \"Post-copy sends each page at most once, but degrades the application for longer.\"**\n");
  out.push(
    `Post-copy sent exactly one copy of every page in ${post.length} of ${post.length} runs (all three pre-paging modes): ${postOnce ? "agrees" : "DISAGREES"}. ` +
      `Pre-copy sent ${median(preRatios).toFixed(2)}x memory in pages (median; up to ${Math.max(...preRatios).toFixed(2)}x). ` +
      `Post-copy (bubble) lost more application work than pre-copy in ${postWorse} of ${comparisons.length} cells:\n`,
  );
  out.push("| link | dirty | pre-copy: work lost, degradation | post-copy(bubble): work lost, degradation, time with missing pages, faults |");
  out.push("|---|---|---|---|");
  for (const c of comparisons.filter((x) => x.d === 25 || x.d === 100 || x.d === 400)) {
    out.push(
      `| ${c.bw / 1000} Gbit/s | ${c.d} MiB/s | ${fmtMs(c.pre.lostWorkMs)}, ${pct(c.pre.degradation)} | ${fmtMs(c.pc.lostWorkMs)}, ${pct(c.pc.degradation)}, ${fmtMs(c.pc.resumeMs)}, ${c.pc.networkFaults} |`,
    );
  }
  out.push("");

  // 3. Delta compression: about a third less data and time.
  const deltaCells = comparisons
    .map(({ bw, d }) => ({ bw, d, pre: find(rows, "pre-copy", bw, d), delta: find(rows, "pre-copy+delta", bw, d), big: find(rows, "pre-copy+delta(1 GiB cache)", bw, d) }))
    .filter((c) => c.pre.rounds >= 2);
  const saving = (a: number, b: number) => 1 - b / a;
  const s = (k: "delta" | "big", m: "bytesTransferred" | "totalMs") => deltaCells.map((c) => saving(c.pre[m], c[k][m]));
  data.delta = {
    cells: deltaCells.length,
    defaultCache: { bytes: { median: median(s("delta", "bytesTransferred")), max: Math.max(...s("delta", "bytesTransferred")) }, time: { median: median(s("delta", "totalMs")), max: Math.max(...s("delta", "totalMs")) } },
    bigCache: { bytes: { median: median(s("big", "bytesTransferred")), max: Math.max(...s("big", "bytesTransferred")) }, time: { median: median(s("big", "totalMs")), max: Math.max(...s("big", "totalMs")) } },
  };
  out.push("**3. \"Delta compression cut total data by about a third and total time by about a third.\"**\n");
  out.push(
    `Over the ${deltaCells.length} cells where plain pre-copy needed two rounds or more (elsewhere there is nothing to re-send, so nothing to compress), ` +
      `pre-copy+delta saved (median / best):\n`,
  );
  out.push("| XBZRLE cache | bytes on the wire | total time |");
  out.push("|---|---|---|");
  out.push(`| 64 MiB (QEMU default) | ${pct(median(s("delta", "bytesTransferred")))} / ${pct(Math.max(...s("delta", "bytesTransferred")))} | ${pct(median(s("delta", "totalMs")))} / ${pct(Math.max(...s("delta", "totalMs")))} |`);
  out.push(`| 1 GiB (holds the hot set) | ${pct(median(s("big", "bytesTransferred")))} / ${pct(Math.max(...s("big", "bytesTransferred")))} | ${pct(median(s("big", "totalMs")))} / ${pct(Math.max(...s("big", "totalMs")))} |`);
  out.push("");
  out.push("| link | dirty | pre-copy: rounds, bytes, total | +delta (64 MiB): bytes, total | +delta (1 GiB): bytes, total |");
  out.push("|---|---|---|---|---|");
  for (const c of deltaCells) {
    out.push(
      `| ${c.bw / 1000} Gbit/s | ${c.d} MiB/s | ${c.pre.rounds}, ${(c.pre.bytesTransferred / 2 ** 30).toFixed(2)} GiB, ${fmtMs(c.pre.totalMs)} | ` +
        `${(c.delta.bytesTransferred / 2 ** 30).toFixed(2)} GiB, ${fmtMs(c.delta.totalMs)} | ${(c.big.bytesTransferred / 2 ** 30).toFixed(2)} GiB, ${fmtMs(c.big.totalMs)} |`,
    );
  }
  out.push("");
  return { text: out.join("\n"), data };
}

// ---------------------------------------------------------------------------------------------------------------
// Predictor error

interface ErrorRow {
  /** The QEMU feature on in the run ("none" for the base grid). */
  feature: string;
  technique: string;
  memMiB: number;
  dirtyMiBps: number;
  bandwidthMbps: number;
  locality: string;
  total: number;
  downtime: number;
  pages: number;
  degradation: number;
  stopAgrees: boolean;
}

const ERROR_TECHNIQUES: { label: string; spec: TechniqueSpec }[] = [
  { label: "non-live", spec: { name: "non-live" } },
  { label: "pre-copy", spec: { name: "pre-copy" } },
  { label: "pre-copy+delta", spec: { name: "pre-copy", delta: true } },
  { label: "pre-copy+auto-converge", spec: { name: "pre-copy", autoConverge: true } },
  { label: "post-copy(bubble)", spec: { name: "post-copy" } },
  { label: "hybrid", spec: { name: "hybrid" } },
];

/**
 * The grid run once as is ("none") and once per QEMU feature, on 1 and 4 GiB VMs: half the pages zero; multifd
 * with 4 channels on a link one stream fills a quarter of (not with delta, which QEMU refuses with multifd, nor
 * post-copy, whose pages go on the main stream); 2 MiB pages (not with delta, modelled for pages up to 64 KiB).
 */
const FEATURES: { name: string; memMiB: number[]; vm: (vm: VmSpec) => VmSpec; link: (l: LinkSpecInput) => LinkSpecInput; technique: (t: TechniqueSpec) => TechniqueSpec | undefined }[] = [
  { name: "none", memMiB: [1024, 4096, 16384], vm: (vm) => vm, link: (l) => l, technique: (t) => t },
  {
    name: "zero pages (half)",
    memMiB: [1024, 4096],
    vm: (vm) => ({ ...vm, workload: { ...vm.workload, zeroPageFraction: 0.5 } }),
    link: (l) => l,
    technique: (t) => t,
  },
  {
    name: "multifd (4 channels, stream = link / 4)",
    memMiB: [1024, 4096],
    vm: (vm) => vm,
    link: (l) => ({ ...l, streamMbps: l.bandwidthMbps / 4 }),
    technique: (t) => (t.name === "post-copy" || (t.name === "pre-copy" && t.delta) ? undefined : { ...t, multifd: true, multifdChannels: 4 }),
  },
  {
    name: "huge pages (2 MiB)",
    memMiB: [1024, 4096],
    vm: (vm) => ({ ...vm, pageSizeBytes: 2 << 20 }),
    link: (l) => l,
    technique: (t) => (t.name === "pre-copy" && t.delta ? undefined : t),
  },
];

async function predictorErrors(): Promise<ErrorRow[]> {
  const out: ErrorRow[] = [];
  for (const feature of FEATURES) {
    for (const memMiB of feature.memMiB) {
      for (const dirtyMiBps of [10, 100, 400]) {
        for (const bandwidthMbps of [1000, 10000]) {
          for (const locality of ["uniform", "hotset:0.1", "zipf:0.99"]) {
            for (const t of ERROR_TECHNIQUES) {
              const technique = feature.technique(t.spec);
              if (!technique) continue;
              const vm = feature.vm({ memMiB, workload: { dirtyMiBps, locality } });
              const link = feature.link({ bandwidthMbps, rttMs: RTT_MS });
              const sim = await runMigration({ vm, link, technique, seed: SEED });
              const p = predict({ vm, link, technique });
              const rel = (a: number, b: number) => Math.abs(a - b) / b;
              out.push({
                feature: feature.name,
                technique: t.label,
                memMiB,
                dirtyMiBps,
                bandwidthMbps,
                locality,
                total: rel(p.totalMs, sim.totalMs),
                downtime: rel(p.downtimeMs, sim.downtimeMs),
                pages: rel(p.pagesTransferred, sim.pagesTransferred),
                degradation: Math.abs(p.degradation - sim.degradation),
                stopAgrees: p.stopReason === sim.stopReason,
              });
            }
          }
        }
      }
      process.stderr.write(`predictor grid: ${feature.name}, ${memMiB} MiB done\n`);
    }
  }
  return out;
}

function errorTable(rows: ErrorRow[]): string {
  const out: string[] = [];
  const techniques = [...new Set(rows.map((r) => r.technique))];
  const cells = (rs: ErrorRow[]) => {
    const m = (k: "total" | "downtime" | "pages" | "degradation") => rs.map((r) => r[k]);
    const three = (xs: number[]) => `${pct(median(xs))} / ${pct(quantile(xs, 0.9))} / ${pct(Math.max(...xs))}`;
    const stops = rs.filter((r) => r.stopAgrees).length;
    return (
      `${rs.length} | ${three(m("total"))} | ${three(m("downtime"))} | ${pct(median(m("pages")))} / ${pct(Math.max(...m("pages")))} | ` +
      `${median(m("degradation")).toFixed(3)} / ${Math.max(...m("degradation")).toFixed(3)} | ${stops} of ${rs.length} |`
    );
  };
  const header = "runs | total time: median / p90 / max | downtime: median / p90 / max | pages: median / max | degradation (abs.): median / max | same stop reason |";
  const base = rows.filter((r) => r.feature === "none");
  out.push(`| technique | ${header}`);
  out.push("|---|---|---|---|---|---|---|");
  for (const t of techniques) out.push(`| ${t} | ${cells(base.filter((r) => r.technique === t))}`);
  out.push(`| all | ${cells(base)}`);
  out.push("");
  out.push("With each of QEMU's features on (1 and 4 GiB VMs, the same dirty rates, links and workloads):\n");
  out.push(`| feature | technique | ${header}`);
  out.push("|---|---|---|---|---|---|---|---|");
  for (const f of [...new Set(rows.map((r) => r.feature))].filter((x) => x !== "none")) {
    const fr = rows.filter((r) => r.feature === f);
    for (const t of techniques) if (fr.some((r) => r.technique === t)) out.push(`| ${f} | ${t} | ${cells(fr.filter((r) => r.technique === t))}`);
    out.push(`| ${f} | all | ${cells(fr)}`);
  }
  out.push(`| every feature and none | all | ${cells(rows)}`);
  const worst = [...rows].sort((a, b) => b.total - a.total).slice(0, 8);
  out.push("");
  out.push("Largest total-time errors:\n");
  out.push("| feature | technique | memory | dirty | link | workload | total | downtime | degradation (abs.) | same stop reason |");
  out.push("|---|---|---|---|---|---|---|---|---|---|");
  for (const r of worst) {
    out.push(
      `| ${r.feature} | ${r.technique} | ${r.memMiB / 1024} GiB | ${r.dirtyMiBps} MiB/s | ${r.bandwidthMbps / 1000} Gbit/s | ${r.locality} | ${pct(r.total)} | ${pct(r.downtime)} | ${r.degradation.toFixed(3)} | ${r.stopAgrees ? "yes" : "no"} |`,
    );
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------------------------
// Simulator speed

async function speed(): Promise<{ text: string; data: Record<string, unknown> }> {
  const cases: { label: string; vm: VmSpec; technique: TechniqueSpec }[] = [
    {
      // A hot set (1.6 GiB) written at 1 GiB/s never fits in a 1 ms downtime limit, so all 30 rounds run.
      label: "pre-copy, 30 rounds",
      vm: { memMiB: 16384, workload: { dirtyMiBps: 1024, locality: "hotset:0.1:1" } },
      technique: { name: "pre-copy", maxRounds: 30, byteCapFactor: 100, noConvergenceRounds: 100, downtimeLimitMs: 1 },
    },
    {
      label: "pre-copy+delta+hot-bitmap, 30 rounds",
      vm: { memMiB: 16384, workload: { dirtyMiBps: 1024, locality: "hotset:0.1:1" } },
      technique: { name: "pre-copy", delta: true, hotBitmap: true, maxRounds: 30, byteCapFactor: 100, noConvergenceRounds: 100, downtimeLimitMs: 1 },
    },
    {
      // The worst case: a uniform writer at 2.5x the link's rate re-dirties ~90% of memory every round.
      label: "pre-copy, 30 rounds, uniform 3000 MiB/s",
      vm: { memMiB: 16384, workload: { dirtyMiBps: 3000, locality: "uniform" } },
      technique: { name: "pre-copy", maxRounds: 30, byteCapFactor: 100, noConvergenceRounds: 100, downtimeLimitMs: 1 },
    },
    {
      label: "pre-copy+delta, 30 rounds, uniform 3000 MiB/s",
      vm: { memMiB: 16384, workload: { dirtyMiBps: 3000, locality: "uniform" } },
      technique: { name: "pre-copy", delta: true, maxRounds: 30, byteCapFactor: 100, noConvergenceRounds: 100, downtimeLimitMs: 1 },
    },
    { label: "post-copy(bubble)", vm: { memMiB: 16384, workload: { dirtyMiBps: 200, locality: "zipf:0.99" } }, technique: { name: "post-copy" } },
    { label: "hybrid", vm: { memMiB: 16384, workload: { dirtyMiBps: 400, locality: "hotset:0.1" } }, technique: { name: "hybrid" } },
  ];
  const out: string[] = [
    "| 16 GiB VM (4 194 304 pages), 10 Gbit/s | rounds | pages transferred | wall time (best of 3) | pages / wall second |",
    "|---|---|---|---|---|",
  ];
  const data: Record<string, unknown> = {};
  for (const c of cases) {
    let best = Infinity;
    let r: MigrationResult | undefined;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      r = await runMigration({ vm: c.vm, link: { bandwidthMbps: 10000, rttMs: RTT_MS }, technique: c.technique, seed: SEED });
      best = Math.min(best, performance.now() - t0);
    }
    const pps = (r!.pagesTransferred / best) * 1000;
    data[c.label] = { rounds: r!.rounds, pagesTransferred: r!.pagesTransferred, wallMs: best, pagesPerWallSecond: pps };
    out.push(`| ${c.label} | ${r!.rounds} | ${r!.pagesTransferred.toLocaleString("en")} | ${best.toFixed(0)} ms | ${(pps / 1e6).toFixed(1)} M |`);
  }
  return { text: out.join("\n"), data };
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  mkdirSync(OUT, { recursive: true });
  const commit = gitCommit();
  const rows = await sweep();
  const figs = figures(rows);
  writeFileSync(join(OUT, "downtime.svg"), figs.downtime);
  writeFileSync(join(OUT, "total.svg"), figs.total);
  const claim = claims(rows);
  const errors = await predictorErrors();
  const spd = await speed();
  const sweepWallMs = rows.reduce((s, r) => s + r.wallMs, 0);
  const sweepPages = rows.reduce((s, r) => s + r.pagesTransferred, 0);
  const machine = `${cpus().length} CPU(s) (${cpus()[0]?.model.trim() ?? "unknown"}), Node ${process.version}, shared with other jobs while it ran`;
  const md = [
    `<!-- written by \`npm run bench:migration\` (bench/migration/run.ts); commit ${commit}; seed ${SEED} -->`,
    `### Sweep: ${SWEEP_VM_MIB / 1024} GiB VM, workload \`${SWEEP_WORKLOAD}\` (10% of memory takes 90% of the writes), RTT ${RTT_MS} ms, seed ${SEED}`,
    "",
    "Each cell: downtime / total migration time (degradation over the migration). Defaults otherwise: QEMU's 300 ms downtime",
    "limit, Xen's 29 rounds and 3x byte cap, a 64 MiB XBZRLE cache, reads at twice the write rate, 5% tracking overhead.",
    "",
    "![downtime](downtime.svg)",
    "",
    "![total time](total.svg)",
    "",
    sweepTables(rows),
    "### The survey's claims against the sweep",
    "",
    claim.text,
    "### Predictor against simulator",
    "",
    `${errors.filter((r) => r.feature === "none").length} runs: memory 1, 4 and 16 GiB x dirty rate 10, 100 and 400 MiB/s x 1 and 10 Gbit/s x uniform, hotset:0.1 and`,
    "zipf:0.99 x six techniques, one seed each, with 4 KiB pages, no zero pages and one stream; then the same grid on 1 and 4 GiB",
    `with each of QEMU's features on (${errors.length} runs in all). Relative error of the prediction against the simulated run`,
    "(degradation: absolute difference, as it is already a fraction).",
    "",
    errorTable(errors),
    "",
    "### Simulator speed",
    "",
    spd.text,
    "",
    `The whole sweep (${rows.length} runs, ${(sweepPages / 1e6).toFixed(0)} M page transfers) took ${(sweepWallMs / 1000).toFixed(1)} s of simulation, ` +
      `${((sweepPages / sweepWallMs) * 1000 / 1e6).toFixed(1)} M pages per wall second. Machine: ${machine}.`,
    "",
  ].join("\n");
  writeFileSync(join(OUT, "results.md"), md);
  writeFileSync(
    join(OUT, "results.json"),
    `${JSON.stringify({ commit, seed: SEED, machine, sweep: { vmMiB: SWEEP_VM_MIB, workload: SWEEP_WORKLOAD, rttMs: RTT_MS, rows }, claims: claim.data, predictorErrors: errors, speed: spd.data }, null, 1)}\n`,
  );
  // The README sits one folder up from the plots.
  updateReadme(md.replace(/\]\((downtime|total)\.svg\)/g, "](bench/$1.svg)"));
  process.stdout.write(md);
  process.stderr.write(`bench:migration done in ${((performance.now() - started) / 1000).toFixed(0)} s; wrote ${OUT}\n`);
}

function updateReadme(md: string): void {
  const path = join(ROOT, "libs/migration/README.md");
  if (!existsSync(path)) return;
  const text = readFileSync(path, "utf8");
  const begin = "<!-- bench:begin -->";
  const end = "<!-- bench:end -->";
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return;
  writeFileSync(path, `${text.slice(0, i + begin.length)}\n${md}\n${text.slice(j)}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
