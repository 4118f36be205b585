import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  globalIgnores([".next/**", "out/**", "node_modules/**", "src/lib/api/schema.d.ts", "next-env.d.ts"]),
  {
    // features talk to each other only through their public api files
    files: ["src/features/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["@/features/*/components/*"], message: "Import another feature through its api file, not its components." }] }],
    },
  },
]);
