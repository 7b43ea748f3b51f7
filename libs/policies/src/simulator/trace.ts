import { opendirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { PoliciesError } from "../model/errors";

/**
 * One day of PlanetLab CPU traces: one file per VM, one integer percentage per line, every 5 minutes.
 * File names may contain spaces; they only identify the VM. The order of the files decides which VM
 * type each trace gets (CloudSim deals types in contiguous quarters of its file list), see FileOrder.
 */
export interface DayTrace {
  readonly day: string;
  readonly folder: string;
  readonly vmNames: readonly string[];
  readonly samplesPerVm: number;
  /** Row-major VM x sample, as fractions 0..1. */
  readonly utilization: Float64Array;
  /** How vmNames were ordered (absent: "name", as before this field existed). */
  readonly fileOrder?: FileOrder;
}

/**
 * - "name": sorted by file name; the same on every machine.
 * - "directory": the order the file system lists the folder in, unsorted, which is what CloudSim's
 *   File.listFiles() returns (on ext4, a hash order fixed per folder and file system). This is the order
 *   that reproduces a CloudSim run made on the same copy of the traces.
 */
export type FileOrder = "name" | "directory";

const NUMBER = /^\d+(\.\d+)?$/;

export function loadDayTrace(folder: string, fileOrder: FileOrder = "name"): DayTrace {
  let isDirectory = false;
  try {
    isDirectory = statSync(folder).isDirectory();
  } catch {
    throw new PoliciesError("TraceNotFound", `trace folder not found: ${folder}`);
  }
  if (!isDirectory) throw new PoliciesError("TraceNotFound", `trace path is not a folder: ${folder}`);

  const names = fileOrder === "directory" ? directoryOrder(folder) : sortedNames(folder);
  if (names.length === 0) throw new PoliciesError("TraceEmpty", `trace folder has no VM files: ${folder}`);

  const rows: Float64Array[] = [];
  let samples = -1;
  for (const name of names) {
    const path = join(folder, name);
    const row = parseVmFile(path, readFileSync(path, "utf8"));
    if (samples < 0) samples = row.length;
    if (row.length !== samples) {
      throw new PoliciesError(
        "TraceMalformed",
        `${path}: ${row.length} samples, but ${names[0]} has ${samples}; every VM file of a day must have the same number`,
      );
    }
    rows.push(row);
  }
  const utilization = new Float64Array(rows.length * samples);
  rows.forEach((row, i) => utilization.set(row, i * samples));
  return { day: basename(folder), folder, vmNames: names, samplesPerVm: samples, utilization, fileOrder };
}

function sortedNames(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith("."))
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Node's readdir sorts; reading the directory stream does not. */
function directoryOrder(folder: string): string[] {
  const dir = opendirSync(folder);
  const names: string[] = [];
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
      if (entry.isFile() && !entry.name.startsWith(".")) names.push(entry.name);
    }
  } finally {
    dir.closeSync();
  }
  return names;
}

function parseVmFile(path: string, text: string): Float64Array {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw new PoliciesError("TraceMalformed", `${path}: empty file, expected one CPU percentage per line`);
  const row = new Float64Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.endsWith("\r") ? lines[i]!.slice(0, -1) : lines[i]!;
    const value = NUMBER.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
    if (!(value >= 0 && value <= 100)) {
      throw new PoliciesError(
        "TraceMalformed",
        `${path}:${i + 1}: ${JSON.stringify(raw)} is not a CPU utilisation percentage (a number from 0 to 100)`,
      );
    }
    row[i] = value / 100;
  }
  return row;
}
