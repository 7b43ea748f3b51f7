import { parseArgs } from "node:util";
import type { MigrationInput, TechniqueName } from "../spec";
import { TECHNIQUE_NAMES } from "../spec";

/**
 * Command-line flags of migrate-sim, turned into a MigrationInput. The flags named by the issue (technique,
 * delta, hot-bitmap, auto-converge, prepaging, mem-mib, dirty-mibps, bandwidth-mbps, rtt-ms, workload, seed)
 * are fixed; the rest expose the library's defaults for experiments. Ranges are checked by the input schema,
 * so the CLI and the library reject the same things with the same reasons.
 */
export const USAGE = `usage: npm run -s migrate-sim -- --technique <non-live|pre-copy|post-copy|hybrid>
    [--delta] [--hot-bitmap] [--auto-converge] [--prepaging none|bubble|multi-pivot]
    --mem-mib M --dirty-mibps D --bandwidth-mbps B --rtt-ms R
    --workload uniform|hotset:<fraction>[:<share>]|zipf:<exponent> --seed S
  more options:
    --read-mibps R            page-read rate that can fault in post-copy (default 2 x dirty)
    --downtime-limit-ms L     pre-copy stop condition (default 300, QEMU)
    --max-rounds N            pre-copy live rounds (default 29, Xen)
    --byte-cap-factor F       stop after F x memory bytes (default 3, Xen)
    --no-convergence-rounds N rounds in a row with dirty >= sent before giving up (default 3)
    --precopy-rounds N        hybrid: pre-copy rounds before post-copy (default 2)
    --xbzrle-cache-mib C      delta compression cache (default 64, QEMU)
    --content modelled|bytes  page content model (bytes: real bytes, at most 1024 MiB)
    --write-bytes W           bytes changed per page write (default 64)
    --state-kib S             CPU and device state (default 512)
    --reservation-ms T        target reservation time (default 100)
    --contention C            guest slowdown while tracked on the source, 0..1 (default 0.05)
    --page-size-bytes P       page size, the unit of dirty tracking: 4096 (default) or huge pages (2097152)
    --zero-page-fraction Z    fraction of pages all zero at the start, sent as headers (default 0)
    --multifd                 send pages over parallel channels (QEMU multifd; not with --delta)
    --multifd-channels N      channels with --multifd (default 2, QEMU)
    --stream-mbps S           the most one stream carries (default: no limit)
    --share "T:S,T:S"         bandwidth share S from simulated time T ms (e.g. "0:1,2000:0.5")
  prints one JSON object; fields with "wall" in their name measure the simulator itself.`;

const OPTIONS = {
  technique: { type: "string" },
  delta: { type: "boolean" },
  "hot-bitmap": { type: "boolean" },
  "auto-converge": { type: "boolean" },
  prepaging: { type: "string" },
  "mem-mib": { type: "string" },
  "dirty-mibps": { type: "string" },
  "bandwidth-mbps": { type: "string" },
  "rtt-ms": { type: "string" },
  workload: { type: "string" },
  seed: { type: "string" },
  "read-mibps": { type: "string" },
  "downtime-limit-ms": { type: "string" },
  "max-rounds": { type: "string" },
  "byte-cap-factor": { type: "string" },
  "no-convergence-rounds": { type: "string" },
  "precopy-rounds": { type: "string" },
  "xbzrle-cache-mib": { type: "string" },
  content: { type: "string" },
  "write-bytes": { type: "string" },
  "state-kib": { type: "string" },
  "reservation-ms": { type: "string" },
  contention: { type: "string" },
  "page-size-bytes": { type: "string" },
  "zero-page-fraction": { type: "string" },
  multifd: { type: "boolean" },
  "multifd-channels": { type: "string" },
  "stream-mbps": { type: "string" },
  share: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const REQUIRED = ["technique", "mem-mib", "dirty-mibps", "bandwidth-mbps", "rtt-ms", "workload", "seed"] as const;

/** Which techniques take each technique flag. */
const APPLIES_TO: Record<string, readonly TechniqueName[]> = {
  delta: ["pre-copy", "hybrid"],
  "hot-bitmap": ["pre-copy", "hybrid"],
  "auto-converge": ["pre-copy", "hybrid"],
  "downtime-limit-ms": ["pre-copy", "hybrid"],
  "max-rounds": ["pre-copy", "hybrid"],
  "byte-cap-factor": ["pre-copy", "hybrid"],
  "no-convergence-rounds": ["pre-copy", "hybrid"],
  "xbzrle-cache-mib": ["pre-copy", "hybrid"],
  prepaging: ["post-copy", "hybrid"],
  multifd: ["non-live", "pre-copy", "hybrid"],
  "multifd-channels": ["non-live", "pre-copy", "hybrid"],
  "precopy-rounds": ["hybrid"],
};

export type ParsedArgs = { help: true } | { input: MigrationInput } | { error: string };

export function parseMigrateSimArgs(argv: readonly string[]): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    return { error: (e as Error).message };
  }
  if (values.help) return { help: true };
  const missing = REQUIRED.filter((f) => values[f] === undefined);
  if (missing.length > 0) return { error: `missing ${missing.map((f) => `--${f}`).join(", ")}` };
  const technique = values.technique as string;
  if (!(TECHNIQUE_NAMES as readonly string[]).includes(technique)) {
    return { error: `--technique: "${technique}" is not one of ${TECHNIQUE_NAMES.join(", ")}` };
  }
  for (const [flag, techniques] of Object.entries(APPLIES_TO)) {
    if (values[flag] !== undefined && !techniques.includes(technique as TechniqueName)) {
      return { error: `--${flag} applies to ${techniques.join(" and ")}, not ${technique}` };
    }
  }
  const errors: string[] = [];
  const num = (flag: string): number | undefined => {
    const v = values[flag];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n)) {
      errors.push(`--${flag}: "${String(v)}" is not a number`);
      return undefined;
    }
    return n;
  };
  const shareSchedule = values.share === undefined ? undefined : parseShare(values.share as string, errors);
  const techniqueSpec: Record<string, unknown> = { name: technique };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) techniqueSpec[key] = value;
  };
  set("delta", values.delta);
  set("hotBitmap", values["hot-bitmap"]);
  set("autoConverge", values["auto-converge"]);
  set("prepaging", values.prepaging);
  set("downtimeLimitMs", num("downtime-limit-ms"));
  set("maxRounds", num("max-rounds"));
  set("byteCapFactor", num("byte-cap-factor"));
  set("noConvergenceRounds", num("no-convergence-rounds"));
  set("precopyRounds", num("precopy-rounds"));
  set("xbzrleCacheMiB", num("xbzrle-cache-mib"));
  set("multifd", values.multifd);
  set("multifdChannels", num("multifd-channels"));
  const workload: Record<string, unknown> = { dirtyMiBps: num("dirty-mibps"), locality: values.workload };
  if (values["read-mibps"] !== undefined) workload.readMiBps = num("read-mibps");
  if (values["write-bytes"] !== undefined) workload.writeBytes = num("write-bytes");
  if (values.contention !== undefined) workload.contention = num("contention");
  if (values["zero-page-fraction"] !== undefined) workload.zeroPageFraction = num("zero-page-fraction");
  const vm: Record<string, unknown> = { memMiB: num("mem-mib"), workload };
  if (values["state-kib"] !== undefined) vm.deviceStateKiB = num("state-kib");
  if (values["page-size-bytes"] !== undefined) vm.pageSizeBytes = num("page-size-bytes");
  const input: Record<string, unknown> = {
    vm,
    link: {
      bandwidthMbps: num("bandwidth-mbps"),
      rttMs: num("rtt-ms"),
      ...(values["stream-mbps"] === undefined ? {} : { streamMbps: num("stream-mbps") }),
      ...(shareSchedule ? { shareSchedule } : {}),
    },
    technique: techniqueSpec,
    seed: num("seed"),
  };
  if (values.content !== undefined) input.content = values.content;
  if (values["reservation-ms"] !== undefined) input.reservationMs = num("reservation-ms");
  if (errors.length > 0) return { error: errors.join("; ") };
  return { input: input as unknown as MigrationInput };
}

function parseShare(text: string, errors: string[]): { atMs: number; share: number }[] {
  const out: { atMs: number; share: number }[] = [];
  for (const part of text.split(",")) {
    const [at, share] = part.split(":").map((s) => Number(s.trim()));
    if (part.split(":").length !== 2 || !Number.isFinite(at) || !Number.isFinite(share)) {
      errors.push(`--share: "${part}" is not <ms>:<share>`);
      continue;
    }
    out.push({ atMs: at, share });
  }
  return out;
}
