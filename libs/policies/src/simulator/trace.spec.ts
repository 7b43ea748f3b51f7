import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PoliciesError } from "../model/errors";
import { loadDayTrace } from "./trace";

const root = mkdtempSync(join(tmpdir(), "ferry-trace-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A day folder with the given files (name -> content). */
function day(name: string, files: Record<string, string>): string {
  const folder = join(root, name);
  mkdirSync(folder);
  for (const [file, content] of Object.entries(files)) writeFileSync(join(folder, file), content);
  return folder;
}

describe("loading a day", () => {
  it("reads every VM file, in name order, as fractions; names may contain spaces", () => {
    const folder = day("good", { "b_node_ yale_p4p": "10\n20\n30\n", a_node_slice: "0\n100\n50\n", ".hidden": "x\n" });
    const trace = loadDayTrace(folder);
    expect(trace.vmNames).toEqual(["a_node_slice", "b_node_ yale_p4p"]);
    expect(trace.samplesPerVm).toBe(3);
    expect([...trace.utilization]).toEqual([0, 1, 0.5, 0.1, 0.2, 0.3]);
    expect(trace.day).toBe("good");
  });
  it("in directory order, reads the files the folder lists, unsorted, as CloudSim's File.listFiles()", () => {
    const folder = day("listing", { c: "1\n", a: "2\n", b: "3\n" });
    const listed = loadDayTrace(folder, "directory");
    expect([...listed.vmNames].sort()).toEqual(["a", "b", "c"]);
    expect(listed.fileOrder).toBe("directory");
    const byName = loadDayTrace(folder, "name");
    expect(byName.vmNames).toEqual(["a", "b", "c"]);
    // each VM keeps its own samples whatever the order
    listed.vmNames.forEach((name, i) => expect(listed.utilization[i]).toBe(byName.utilization[byName.vmNames.indexOf(name)]));
  });
  it("accepts a missing final newline and CRLF line ends", () => {
    const trace = loadDayTrace(day("crlf", { vm: "5\r\n6\r\n7" }));
    expect([...trace.utilization]).toEqual([0.05, 0.06, 0.07]);
  });
});

describe("bad trace folders give a clear error", () => {
  it.each([
    { name: "missing folder", folder: () => join(root, "nope"), code: "TraceNotFound", message: /not found/ },
    { name: "a file, not a folder", folder: () => day("file-parent", { f: "1\n" }) + "/f", code: "TraceNotFound", message: /not a folder/ },
    { name: "empty folder", folder: () => day("empty", {}), code: "TraceEmpty", message: /no VM files/ },
    { name: "only hidden files", folder: () => day("hidden-only", { ".DS_Store": "" }), code: "TraceEmpty", message: /no VM files/ },
    { name: "a word instead of a number", folder: () => day("word", { vm1: "10\nabc\n30\n" }), code: "TraceMalformed", message: /vm1:2: "abc" is not a CPU utilisation/ },
    { name: "a percentage above 100", folder: () => day("big", { vm1: "10\n150\n" }), code: "TraceMalformed", message: /vm1:2: "150"/ },
    { name: "a negative number", folder: () => day("negative", { vm1: "-5\n" }), code: "TraceMalformed", message: /vm1:1: "-5"/ },
    { name: "an empty line", folder: () => day("blank", { vm1: "10\n\n30\n" }), code: "TraceMalformed", message: /vm1:2: ""/ },
    { name: "an empty file", folder: () => day("empty-file", { vm1: "" }), code: "TraceMalformed", message: /empty file/ },
    { name: "files of different lengths", folder: () => day("ragged", { a: "1\n2\n3\n", b: "1\n2\n" }), code: "TraceMalformed", message: /2 samples, but a has 3/ },
  ])("$name", ({ folder, code, message }) => {
    const path = folder();
    let error: unknown;
    try {
      loadDayTrace(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PoliciesError);
    expect((error as PoliciesError).code).toBe(code);
    expect((error as PoliciesError).message).toMatch(message);
  });
});
