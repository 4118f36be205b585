// The part of browser error reports that needs the SDK: a chunk of its own,
// imported by src/lib/sentry.ts only when the page carries a DSN. Named
// imports keep the chunk to what init and capture need.
import { captureException, init } from "@sentry/browser";
import { scrub } from "./sentry";

/** Starts the SDK and sends the errors thrown before it arrived. */
export function start(dsn: string, early: unknown[]): void {
  init({ dsn, beforeSend: (event) => scrub(event) });
  for (const e of early) captureException(e);
}
