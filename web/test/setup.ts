import "@testing-library/dom";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeAll } from "vitest";
import { loadEnglish, loadPersianScreens } from "@/lib/i18n";

// The app fetches the English dictionary and the Persian screens' strings on
// demand; tests have them at once (i18n.test.tsx covers the loading itself,
// on a fresh module).
beforeAll(() => Promise.all([loadEnglish(), loadPersianScreens()]));

afterEach(() => cleanup());
