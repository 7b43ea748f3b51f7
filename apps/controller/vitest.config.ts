import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared";

export default mergeConfig(
  shared,
  defineProject({ test: { name: "controller", globalSetup: ["test/support/global-setup.ts"], testTimeout: 30_000 } }),
);
