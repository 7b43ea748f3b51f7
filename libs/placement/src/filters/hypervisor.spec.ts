import { describe, it } from "vitest";
import { host, vm } from "../fixtures/builders";
import type { FilterCase } from "../fixtures/harness";
import { checkFilterCase } from "../fixtures/harness";
import { hypervisorFilter } from "./hypervisor";

const base = { topology: { kind: "labels" as const } };
const cases: FilterCase[] = [
  {
    name: "hypervisor: match",
    problem: { ...base, hosts: [host("h").hypervisor("kvm").build()], vms: [vm("n").hypervisor("kvm").build()] },
    vm: "n",
    host: "h",
  },
  {
    name: "hypervisor: mismatch",
    problem: { ...base, hosts: [host("h").hypervisor("xen").build()], vms: [vm("n").hypervisor("kvm").build()] },
    vm: "n",
    host: "h",
    reject: "needs hypervisor kvm, host runs xen",
  },
  {
    name: "hypervisor: host of unknown kind",
    problem: { ...base, hosts: [host("h").build()], vms: [vm("n").hypervisor("kvm").build()] },
    vm: "n",
    host: "h",
    reject: "host runs an unknown kind",
  },
  {
    name: "hypervisor: a VM that names none goes anywhere",
    problem: { ...base, hosts: [host("h").hypervisor("xen").build()], vms: [vm("n").build()] },
    vm: "n",
    host: "h",
  },
];

describe("hypervisor filter", () => {
  it.each(cases)("$name", (c) => checkFilterCase(hypervisorFilter(), c));
});
