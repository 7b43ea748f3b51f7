import { describe, it } from "vitest";
import { host, vm } from "../fixtures/builders";
import type { FilterCase } from "../fixtures/harness";
import { checkFilterCase } from "../fixtures/harness";
import { affinityFilter } from "./affinity";

const base = { topology: { kind: "labels" as const } };
const cases: FilterCase[] = [
  {
    name: "affinity: joins its group's host",
    problem: { ...base, hosts: [host("h1").build(), host("h2").build()], vms: [vm("a").build(), vm("n").build()], current: { a: "h1" }, groups: [{ id: "g", policy: "affinity", vmIds: ["a", "n"] }] },
    vm: "n",
    host: "h1",
  },
  {
    name: "affinity: not elsewhere",
    problem: { ...base, hosts: [host("h1").build(), host("h2").build()], vms: [vm("a").build(), vm("n").build()], current: { a: "h1" }, groups: [{ id: "g", policy: "affinity", vmIds: ["a", "n"] }] },
    vm: "n",
    host: "h2",
    reject: 'affinity group "g" runs on host "h1"',
  },
  {
    name: "affinity: first member goes anywhere",
    problem: { ...base, hosts: [host("h1").build(), host("h2").build()], vms: [vm("a").build(), vm("n").build()], groups: [{ id: "g", policy: "affinity", vmIds: ["a", "n"] }] },
    vm: "n",
    host: "h2",
  },
];

describe("affinity filter", () => {
  it.each(cases)("$name", (c) => checkFilterCase(affinityFilter(), c));
});
