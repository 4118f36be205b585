import { readdirSync } from "node:fs";
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

// Dependencies point one way: app → features → shared (src/lib, src/components).
// A feature is used from outside only through its index.ts.
const features = readdirSync(new URL("./src/features", import.meta.url), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
const indexes = features.map((f) => `./${f}/index.ts`);
const zones = [
  { target: ["./src/lib", "./src/components"], from: ["./src/features", "./src/app"], message: "Shared code (src/lib, src/components) knows no feature and no page: pass what it needs in." },
  { target: "./src/features", from: "./src/app", message: "Features do not import the app layer." },
  { target: "./src/app", from: "./src/features", except: indexes, message: "Pages import a feature through its index.ts." },
  ...features.map((f) => ({
    target: `./src/features/${f}`,
    from: "./src/features",
    except: [`./${f}`, ...indexes],
    message: "Import another feature only through its index.ts.",
  })),
];

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  globalIgnores([".next/**", "out/**", "node_modules/**", "src/lib/api/schema.d.ts", "next-env.d.ts"]),
  {
    files: ["src/**/*.{ts,tsx}"],
    rules: {
      "import/no-restricted-paths": ["error", { basePath: import.meta.dirname, zones }],
    },
  },
]);
