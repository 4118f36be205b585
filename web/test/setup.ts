import "@testing-library/dom";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeAll } from "vitest";
import { loadEnglish } from "@/lib/i18n";

// The app fetches the English dictionary on demand; tests render English at
// once (i18n.test.tsx covers the loading itself, on a fresh module).
beforeAll(() => loadEnglish());

afterEach(() => cleanup());
