import { describe, it } from "vitest";
import { host, vm } from "../fixtures/builders";
import type { FilterCase } from "../fixtures/harness";
import { checkFilterCase } from "../fixtures/harness";
import { antiAffinityFilter } from "./anti-affinity";

const base = { topology: { kind: "labels" as const } };
const cases: FilterCase[] = [
  {
    name: "anti-affinity: not next to a member",
    problem: { ...base, hosts: [host("h1").build(), host("h2").build()], vms: [vm("a").build(), vm("n").build()], current: { a: "h1" }, groups: [{ id: "spread", policy: "anti-affinity", vmIds: ["a", "n"] }] },
    vm: "n",
    host: "h1",
    reject: 'anti-affinity group "spread" already has a member on this host',
  },
  {
    name: "anti-affinity: another host is fine",
    problem: { ...base, hosts: [host("h1").build(), host("h2").build()], vms: [vm("a").build(), vm("n").build()], current: { a: "h1" }, groups: [{ id: "spread", policy: "anti-affinity", vmIds: ["a", "n"] }] },
    vm: "n",
    host: "h2",
  },
  {
    name: "anti-affinity: a member may stay where it is",
    problem: { ...base, hosts: [host("h1").build()], vms: [vm("a").build(), vm("b").build()], current: { a: "h1" }, groups: [{ id: "spread", policy: "anti-affinity", vmIds: ["a", "b"] }] },
    vm: "a",
    host: "h1",
  },
];

describe("anti-affinity filter", () => {
  it.each(cases)("$name", (c) => checkFilterCase(antiAffinityFilter(), c));
});
