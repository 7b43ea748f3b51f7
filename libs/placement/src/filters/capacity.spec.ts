import { describe, it } from "vitest";
import { host, vm } from "../fixtures/builders";
import type { FilterCase } from "../fixtures/harness";
import { checkFilterCase } from "../fixtures/harness";
import { capacityFilter } from "./capacity";

const base = { topology: { kind: "labels" as const } };
const cases: FilterCase[] = [
  {
    name: "capacity: fits exactly",
    problem: { ...base, hosts: [host("h").cpus(4).memMiB(8192).build()], vms: [vm("a").cpus(2).memMiB(4096).build(), vm("n").cpus(2).memMiB(4096).build()], current: { a: "h" } },
    vm: "n",
    host: "h",
  },
  {
    // 8192 - 6144 = 2048 MiB free, the VM needs 4096.
    name: "capacity: short of memory",
    problem: { ...base, hosts: [host("h").cpus(8).memMiB(8192).build()], vms: [vm("a").cpus(1).memMiB(6144).build(), vm("n").cpus(1).memMiB(4096).build()], current: { a: "h" } },
    vm: "n",
    host: "h",
    reject: "insufficient memMiB needs 4096, 2048 free of 8192",
  },
  {
    name: "capacity: short of cpu and memory names both",
    problem: { ...base, hosts: [host("h").cpus(2).memMiB(1024).build()], vms: [vm("n").cpus(4).memMiB(4096).build()] },
    vm: "n",
    host: "h",
    reject: "cpu needs 4, 2 free of 2; memMiB needs 4096",
  },
  {
    name: "capacity: a VM already on the host fits where it is",
    problem: { ...base, hosts: [host("h").cpus(2).memMiB(4096).build()], vms: [vm("a").cpus(2).memMiB(4096).build()], current: { a: "h" } },
    vm: "a",
    host: "h",
  },
  {
    name: "capacity: extra resources (gpu) count",
    problem: { ...base, hosts: [host("h").resource("gpu", 1).build()], vms: [vm("a").resource("gpu", 1).build(), vm("n").resource("gpu", 1).build()], current: { a: "h" } },
    vm: "n",
    host: "h",
    reject: "gpu needs 1, 0 free of 1",
  },
];

describe("capacity filter", () => {
  it.each(cases)("$name", (c) => checkFilterCase(capacityFilter(), c));
});
