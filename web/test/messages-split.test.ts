import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fa } from "@/lib/messages";
import { en } from "@/lib/messages.en";
import { faScreens } from "@/lib/messages.screens";

// The code of the first load (the frame, login and the orders screens): every
// Persian string it names must be in messages.ts, which ships with it, not in
// messages.screens.ts, which is fetched later (a string from there would show
// empty until it came).
const firstLoad = [
  "src/lib", "src/components", "src/app/layout.tsx", "src/app/providers.tsx", "src/app/shell.tsx", "src/app/not-found.tsx",
  "src/app/login", "src/app/orders", "src/features/orders", "src/features/auth",
  "src/features/twofactor/components/EnrolmentGate.tsx", "src/features/twofactor/index.ts",
  "src/features/chat/components/UnreadBadge.tsx", "src/features/chat/index.ts",
];
const files = (p: string): string[] => (statSync(p).isDirectory() ? readdirSync(p).flatMap((f) => files(join(p, f))) : /\.tsx?$/.test(p) && !/messages[.\w]*\.ts$/.test(p) ? [p] : []);

describe("the Persian strings' two parts", () => {
  it("hold every key once, and English has every key of both", () => {
    const both = Object.keys(fa).filter((k) => k in faScreens);
    expect(both).toEqual([]);
    expect(Object.keys(en).sort()).toEqual([...Object.keys(fa), ...Object.keys(faScreens)].sort());
  });

  it("put every key the first-load code names in the first-load part", () => {
    const missing: string[] = [];
    for (const f of firstLoad.flatMap(files)) {
      const src = readFileSync(f, "utf8");
      for (const [, key] of src.matchAll(/"([A-Za-z][\w.]*)"/g)) if (key in faScreens) missing.push(`${f}: ${key}`);
      // keys built from a prefix (t(`status.${s}`)): the whole family ships first
      for (const [, prefix] of src.matchAll(/t\(`([\w.]+)\$\{/g)) for (const key of Object.keys(faScreens)) if (key.startsWith(prefix)) missing.push(`${f}: ${key}`);
    }
    expect(missing).toEqual([]);
  });
});
