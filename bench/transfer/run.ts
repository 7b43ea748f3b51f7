/**
 * `npm run bench:transfer`: real migrations between two agents' guest images over loopback TCP, measured.
 *
 * 1. Throughput: raw loopback TCP (1 MiB writes into a sink that only counts) against a migration of a VM whose
 *    every page is random (no zero page to skip), interleaved, same size, median of the runs, after one unmeasured
 *    run of each. The receiving side
 *    runs in a worker thread in both cases, so sender and receiver each have a core, as two agents would. A third
 *    receiver, interleaved too, does with raw TCP the least a target must do: a CRC32 per 4 KiB and writing the
 *    bytes into a fresh file.
 * 2. The six metrics of pre-copy migrations with a running workload, capped by the token bucket, beside what the
 *    migration library's simulator and closed-form predictor say for the same parameters.
 * 3. The same for post-copy and hybrid, each with the reverse stream (the VM's postCopyRecovery) on and off: the
 *    pages the target faulted in, and what the reverse stream sent back and cost the workload.
 * Prints a table and writes bench/transfer/results.json.
 */
import { predict, runMigration } from "@ferry/migration";
import type { ClaimedMigration, Technique } from "@ferry/protocol";
import { randomFillSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { GuestHost } from "../../apps/node-agent/src/guest/guest-host";
import { TcpExecutor, type TransferRun } from "../../apps/node-agent/src/migration/tcp-executor";
import { splitAddress } from "../../apps/node-agent/src/transfer/tcp-transport";
import { gitCommit, machine } from "../bench-env";

const { values: args } = parseArgs({
  options: {
    "mem-mib": { type: "string", default: "256" },
    runs: { type: "string", default: "3" },
    "cap-mbps": { type: "string", default: "800" },
  },
});
const memMiB = Number(args["mem-mib"]);
const runs = Number(args.runs);
const capMbps = Number(args["cap-mbps"]);
if (!(memMiB >= 16 && memMiB % 4 === 0) || !(runs >= 1) || !(capMbps > 0)) {
  console.error("bench:transfer: --mem-mib >= 16 (a multiple of 4), --runs >= 1, --cap-mbps > 0");
  process.exit(2);
}
const LOCALITY = { kind: "hotset", fraction: 0.1, share: 0.9 } as const;
const dir = mkdtempSync(join(tmpdir(), "ferry-bench-transfer-"));
let vmCounter = 0;

async function startWorker(mode: "sink" | "image-sink" | "agent"): Promise<{ address: string; worker: Worker }> {
  const worker = new Worker(join(__dirname, "target-worker.ts"), { workerData: { mode, dataDir: join(dir, `target-${mode}`), locality: LOCALITY } });
  const address = await new Promise<string>((resolve, reject) => {
    worker.once("message", (m: { address: string }) => resolve(m.address));
    worker.once("error", reject);
  });
  return { address, worker };
}

/** Seconds to push `bytes` through loopback TCP into the sink, until the sink has them all. */
async function rawSeconds(address: string, bytes: number): Promise<number> {
  const [host, port] = splitAddress(address);
  const socket = connect({ host, port, noDelay: true });
  await new Promise((r) => socket.once("connect", r));
  const chunk = Buffer.allocUnsafe(1 << 20);
  randomFillSync(chunk);
  const header = Buffer.alloc(8);
  header.writeBigUInt64BE(BigInt(bytes));
  const done = new Promise((r) => socket.once("data", r));
  const start = performance.now();
  socket.write(header);
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!socket.write(chunk)) await new Promise((r) => socket.once("drain", r));
  }
  await done;
  const s = (performance.now() - start) / 1000;
  socket.destroy();
  return s;
}

function claimed(
  vm: { id: string; memMiB: number; dirtyRateMiBps: number },
  address: string,
  technique: Technique,
  techniqueOptions: Record<string, unknown>,
  postCopyRecovery: boolean,
): ClaimedMigration {
  return {
    id: crypto.randomUUID(),
    technique,
    techniqueOptions,
    vm: { ...vm, name: vm.id.slice(0, 8), cpu: 1, postCopyRecovery },
    sourceNodeId: crypto.randomUUID(),
    target: { id: crypto.randomUUID(), name: "target", dataAddress: address },
    sla: { maxDowntimeMs: null, maxTotalMs: null },
    bandwidthMbps: null,
    transferSecret: "bench",
  };
}

/** A VM on the source whose every page holds random bytes, running its workload at `dirtyMiBps`. */
function filledGuest(host: GuestHost, dirtyMiBps: number) {
  const vm = { id: `00000000-0000-4000-8000-${String(++vmCounter).padStart(12, "0")}`, memMiB, dirtyRateMiBps: dirtyMiBps };
  const guest = host.guestFor(vm);
  const chunk = Buffer.allocUnsafe(1 << 20);
  for (let at = 0; at < guest.image.byteLength; at += chunk.length) {
    randomFillSync(chunk);
    guest.image.writeAt(at, chunk);
  }
  return vm;
}

async function migrate(
  host: GuestHost,
  target: { address: string; worker: Worker },
  vm: { id: string; memMiB: number; dirtyRateMiBps: number },
  cap: number | null,
  technique: Technique = "pre-copy",
  techniqueOptions: Record<string, unknown> = {},
  postCopyRecovery = true,
) {
  let run: TransferRun | undefined;
  const executor = new TcpExecutor(host, { compress: false, bandwidthMbps: cap, onTransferred: (r) => (run = r) });
  const m = claimed(vm, target.address, technique, techniqueOptions, postCopyRecovery);
  await new Promise((resolve) => {
    target.worker.once("message", resolve);
    target.worker.postMessage({ migrationId: m.id, terms: { secret: m.transferSecret, vmId: vm.id, memMiB: vm.memMiB } });
  });
  const result = await executor.run(m, {
    signal: new AbortController().signal,
    progress: async () => undefined,
    beforeSwitchover: async () => undefined,
    onShare: () => undefined,
  });
  if (result.imageDigest!.source !== result.imageDigest!.target) throw new Error("digest mismatch in the benchmark");
  await result.settle!(true);
  return { metrics: result.metrics, run: run! };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const sink = await startWorker("sink");
  const imageSink = await startWorker("image-sink");
  const agent = await startWorker("agent");
  const source = new GuestHost({ dataDir: join(dir, "source"), locality: LOCALITY });
  const bytes = memMiB * 1048576;

  // 1. Throughput, interleaved so that a change in the machine's load hits both alike. One unmeasured round of each
  // first: on this machine the first pass over fresh memory and unoptimised code runs two to three times slower.
  await rawSeconds(sink.address, bytes);
  await rawSeconds(imageSink.address, bytes);
  await migrate(source, agent, filledGuest(source, 0), null);
  const loadAtThroughput = { start: load1() } as { start: number; end?: number };
  const raw: number[] = [];
  const imageRaw: number[] = [];
  const migration: number[] = [];
  for (let i = 0; i < runs; i++) {
    raw.push(bytes / 1e6 / (await rawSeconds(sink.address, bytes)));
    imageRaw.push(bytes / 1e6 / (await rawSeconds(imageSink.address, bytes)));
    const vm = filledGuest(source, 0);
    const { run } = await migrate(source, agent, vm, null);
    // Round 1 sends every page; the stop-and-copy ends with the target's answer to the state, so every byte arrived.
    const round1 = run.timeline.find((e) => e.phase === "round" && e.round === 1)!;
    const end = run.timeline.find((e) => e.phase === "stop-and-copy")!;
    migration.push(run.bytesSent / 1e6 / ((end.endMs - round1.startMs) / 1000));
  }
  loadAtThroughput.end = load1();
  const ratios = raw.map((r, i) => migration[i]! / r);
  const throughput = {
    rawMBps: r1(median(raw)),
    migrationMBps: r1(median(migration)),
    ratio: r3(median(migration) / median(raw)),
    /** Raw TCP into a sink that CRCs every 4 KiB and writes the bytes into a fresh file: the least a target does. */
    imageSinkMBps: r1(median(imageRaw)),
    ratioToImageSink: r3(median(migration) / median(imageRaw)),
    runs: { raw: raw.map(r1), imageSink: imageRaw.map(r1), migration: migration.map(r1), ratio: ratios.map(r3) },
    loadAverage: loadAtThroughput,
  };

  // 2. The six metrics with a running workload, capped, against the simulator and the predictor.
  const cases = [{ dirtyMiBps: 4 }, { dirtyMiBps: 16 }];
  const rows = [];
  for (const c of cases) {
    const vm = filledGuest(source, c.dirtyMiBps);
    await new Promise((r) => setTimeout(r, 500));
    const measured = await migrate(source, agent, vm, capMbps);
    const rttMs = 0.1;
    const input = {
      vm: { memMiB, workload: { dirtyMiBps: c.dirtyMiBps, locality: "hotset:0.1", contention: 0 } },
      link: { bandwidthMbps: capMbps, rttMs },
      technique: { name: "pre-copy" as const },
      reservationMs: 1,
      seed: 1,
    };
    const simulated = await runMigration(input);
    const predicted = predict(input);
    const downtimeWithoutDigest = measured.metrics.downtimeMs - measured.run.digestMs;
    rows.push({
      dirtyMiBps: c.dirtyMiBps,
      capMbps,
      measured: { ...roundMetrics(measured.metrics), downtimeWithoutDigestMs: r1(downtimeWithoutDigest), digestMs: r1(measured.run.digestMs), rounds: measured.run.rounds },
      simulated: { ...roundMetrics(simulated), rounds: simulated.rounds },
      predicted: { ...roundMetrics(predicted), rounds: predicted.rounds },
    });
  }
  // 3. Post-copy and hybrid with the reverse stream on and off. The hybrid's downtime limit is one its rounds never
  // reach, so that it switches to post-copy rather than finishing as a stop-and-copy.
  const postCopyDirtyMiBps = 16;
  const postCopyRows = [];
  const postCopyCases = [
    { technique: "post-copy", options: {} },
    { technique: "hybrid", options: { downtimeLimitMs: 10 } },
  ] as const;
  for (const { technique, options } of postCopyCases) {
    const input = {
      // The guest here only writes: a read never faults, so the simulator's reads are off.
      vm: { memMiB, workload: { dirtyMiBps: postCopyDirtyMiBps, readMiBps: 0, locality: "hotset:0.1", contention: 0 } },
      link: { bandwidthMbps: capMbps, rttMs: 0.1 },
      technique: { name: technique, ...options },
      reservationMs: 1,
      seed: 1,
    };
    const simulated = await runMigration(input);
    const predicted = predict(input);
    for (const reverseStream of [true, false]) {
      const vm = filledGuest(source, postCopyDirtyMiBps);
      await new Promise((r) => setTimeout(r, 500));
      const measured = await migrate(source, agent, vm, capMbps, technique, options, reverseStream);
      const { reverseBytes, reverseBatches } = measured.run.counts;
      postCopyRows.push({
        technique,
        options,
        reverseStream,
        dirtyMiBps: postCopyDirtyMiBps,
        capMbps,
        measured: {
          ...roundMetrics(measured.metrics),
          digestMs: r1(measured.run.digestMs),
          rounds: measured.run.rounds,
          demandPages: measured.run.demandPages,
          bytesSent: measured.run.bytesSent,
          reverseBytes,
          reverseBatches,
          reverseShare: r3(reverseBytes / measured.run.bytesSent),
        },
        simulated: { ...roundMetrics(simulated), rounds: simulated.rounds, demandPages: simulated.demandPages, networkFaults: simulated.networkFaults },
        predicted: { ...roundMetrics(predicted), rounds: predicted.rounds, networkFaults: r1(predicted.networkFaults) },
      });
    }
  }

  await sink.worker.terminate();
  await imageSink.worker.terminate();
  await agent.worker.terminate();
  source.close();
  rmSync(dir, { recursive: true, force: true });

  const out = { commit: gitCommit(), machine: machine(), memMiB, throughput, metrics: rows, postCopy: postCopyRows };
  writeFileSync(join(__dirname, "results.json"), JSON.stringify(out, null, 2) + "\n");
  console.log(
    `throughput over loopback, ${memMiB} MiB, median of ${runs}: raw TCP ${throughput.rawMBps} MB/s, migration ${throughput.migrationMBps} MB/s (${Math.round(throughput.ratio * 100)} %)`,
  );
  console.log(`  raw TCP into a sink that CRCs every 4 KiB and writes a fresh file: ${throughput.imageSinkMBps} MB/s (the migration ${Math.round(throughput.ratioToImageSink * 100)} % of it)`);
  console.log(`  runs: raw [${throughput.runs.raw.join(", ")}], image sink [${throughput.runs.imageSink.join(", ")}], migration [${throughput.runs.migration.join(", ")}], ratio per pair [${throughput.runs.ratio.join(", ")}]`);
  console.log(`  1-minute load average: ${loadAtThroughput.start} before, ${loadAtThroughput.end} after`);
  console.log("");
  console.log("| dirty MiB/s | metric | measured | simulator | predictor | error (sim vs measured) |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) {
    for (const k of ["preparationMs", "downtimeMs", "resumeMs", "pagesTransferred", "totalMs", "degradation"] as const) {
      const m = r.measured[k];
      const s = r.simulated[k];
      const err = m === 0 ? (s === 0 ? "0 %" : "n/a") : `${Math.round(((s - m) / m) * 100)} %`;
      console.log(`| ${r.dirtyMiBps} | ${k} | ${m} | ${s} | ${r.predicted[k]} | ${err} |`);
    }
    console.log(`| ${r.dirtyMiBps} | (downtime without the digests) | ${r.measured.downtimeWithoutDigestMs} | | | |`);
  }
  console.log("");
  console.log(`| technique (dirty ${postCopyDirtyMiBps} MiB/s) | reverse stream | metric | measured | simulator | predictor |`);
  console.log("|---|---|---|---|---|---|");
  for (const r of postCopyRows) {
    const row = (metric: string, m: number | string, s: number | string = "", p: number | string = "") =>
      console.log(`| ${r.technique} | ${r.reverseStream ? "on" : "off"} | ${metric} | ${m} | ${s} | ${p} |`);
    for (const k of ["preparationMs", "downtimeMs", "resumeMs", "pagesTransferred", "totalMs", "degradation"] as const) row(k, r.measured[k], r.simulated[k], r.predicted[k]);
    row("demand pages (predictor: faults)", r.measured.demandPages, r.simulated.demandPages, r.predicted.networkFaults);
    row("reverse stream: bytes, batches", `${r.measured.reverseBytes} B, ${r.measured.reverseBatches}`);
    row("reverse bytes / forward bytes", r.measured.reverseShare);
    row("(digests in the total, ms)", r.measured.digestMs);
  }
}

const load1 = () => Math.round(loadavg()[0]! * 100) / 100;

function roundMetrics(m: { preparationMs: number; downtimeMs: number; resumeMs: number; pagesTransferred: number; totalMs: number; degradation: number }) {
  return {
    preparationMs: r1(m.preparationMs),
    downtimeMs: r1(m.downtimeMs),
    resumeMs: r1(m.resumeMs),
    pagesTransferred: Math.round(m.pagesTransferred),
    totalMs: r1(m.totalMs),
    degradation: r3(m.degradation),
  };
}

main().catch((e: unknown) => {
  console.error(`bench:transfer: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(1);
});
