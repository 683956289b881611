import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Native code runs in worker threads of the test pool; forks isolate a crash to one file.
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
