/** What a bulk action did: the rows it changed and, for each refused one, why. */
export type BulkOutcome<T> = { done: T[]; failed: { row: T; error: unknown }[] };

/**
 * Runs a bulk action one row at a time, in order. A row that fails is
 * recorded and the next one still runs: one refusal never stops the rest.
 */
export async function runBulk<T>(rows: T[], action: (row: T) => Promise<unknown>): Promise<BulkOutcome<T>> {
  const out: BulkOutcome<T> = { done: [], failed: [] };
  for (const row of rows) {
    try {
      await action(row);
      out.done.push(row);
    } catch (error) {
      out.failed.push({ row, error });
    }
  }
  return out;
}
