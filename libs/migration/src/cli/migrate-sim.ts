import { MigrationError } from "../errors";
import { runMigration } from "../simulator/simulate";
import { parseMigrateSimArgs, USAGE } from "./migrate-sim-args";

/**
 * migrate-sim: runs one simulated migration and prints its result as one JSON object on stdout. Bad flags print
 * a message on stderr and exit 2. Every field but those with "wall" in their name depends only on the flags.
 */
async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseMigrateSimArgs(argv);
  if ("help" in parsed) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ("error" in parsed) {
    process.stderr.write(`migrate-sim: ${parsed.error} (see --help)\n`);
    return 2;
  }
  try {
    const wallStart = performance.now();
    const result = await runMigration(parsed.input);
    const wallMs = performance.now() - wallStart;
    const out = { ...result, wallMs, wallPagesPerSec: wallMs > 0 ? (result.pagesTransferred / wallMs) * 1000 : null };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof MigrationError) {
      process.stderr.write(`migrate-sim: ${e.problems.map((p) => `${cliField(p.field)}: ${p.reason}`).join("; ")}\n`);
      return 2;
    }
    throw e;
  }
}

/** Names a schema field by its flag where there is one. */
function cliField(field: string): string {
  const flags: Record<string, string> = {
    "vm.memMiB": "--mem-mib",
    "vm.workload.dirtyMiBps": "--dirty-mibps",
    "vm.workload.readMiBps": "--read-mibps",
    "vm.workload.locality": "--workload",
    "vm.workload.writeBytes": "--write-bytes",
    "vm.workload.contention": "--contention",
    "vm.deviceStateKiB": "--state-kib",
    "vm.pageSizeBytes": "--page-size-bytes",
    "vm.workload.zeroPageFraction": "--zero-page-fraction",
    "link.streamMbps": "--stream-mbps",
    "technique.multifd": "--multifd",
    "technique.multifdChannels": "--multifd-channels",
    "technique.delta": "--delta",
    "link.bandwidthMbps": "--bandwidth-mbps",
    "link.rttMs": "--rtt-ms",
    seed: "--seed",
    content: "--content",
    reservationMs: "--reservation-ms",
    "technique.prepaging": "--prepaging",
    "technique.downtimeLimitMs": "--downtime-limit-ms",
    "technique.maxRounds": "--max-rounds",
    "technique.byteCapFactor": "--byte-cap-factor",
    "technique.noConvergenceRounds": "--no-convergence-rounds",
    "technique.precopyRounds": "--precopy-rounds",
    "technique.xbzrleCacheMiB": "--xbzrle-cache-mib",
  };
  if (field.startsWith("link.shareSchedule")) return "--share";
  return flags[field] ?? field;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`migrate-sim: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
