import swc from "unplugin-swc";
import type { ViteUserConfig } from "vitest/config";

// esbuild drops decorator metadata, which Nest's dependency injection needs; swc keeps it.
const shared: ViteUserConfig = {
  esbuild: false,
  plugins: [
    swc.vite({
      tsconfigFile: false,
      jsc: {
        target: "es2022",
        parser: { syntax: "typescript", decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
    }),
  ],
  test: {
    environment: "node",
    include: ["src/**/*.spec.ts", "test/**/*.spec.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
};
export default shared;
