import { z as zod } from "zod";

/**
 * Zod, set to validate without compiling code: its probe for eval
 * (new Function) would break the Content-Security-Policy, which allows no
 * eval. Every schema imports z from here. The setting is made in the
 * expression that gives z (not as a statement beside it), so that tree
 * shaking (package.json declares no side effects) cannot drop it.
 */
export const z = (() => {
  zod.config({ jitless: true });
  return zod;
})();

// z.infer<typeof schema> and the other type helpers, as on zod's own z
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace z {
  export type infer<T> = zod.infer<T>;
  export type input<T> = zod.input<T>;
  export type output<T> = zod.output<T>;
}
