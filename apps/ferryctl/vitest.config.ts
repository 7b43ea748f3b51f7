import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared";

export default mergeConfig(
  shared,
  defineProject({ test: { name: "ferryctl", include: ["src/**/*.spec.ts", "test/**/*.spec.ts"], globalSetup: ["../controller/test/support/global-setup.ts"], testTimeout: 60_000 } }),
);
