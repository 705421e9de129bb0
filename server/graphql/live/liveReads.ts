/**
 * The rows live payloads show, read once per change and per selection, however many
 * subscribers' payloads carry that change. Every subscriber of a feed is sent the same
 * change objects (liveFeeds.ts), so the first payload of a batch to be resolved reads the
 * rows of all its changes in one statement, and the other subscribers' payloads find them
 * read (or being read) — also a subscriber that fell behind and got several batches
 * merged into one. A selection is what the subscriber's document asks for (the Prisma
 * query Pothos builds from it): subscribers with the same document share the rows; a
 * different document reads its own, again once per change. A row read after its change
 * was published is at least as new as that change, which is all a payload promises.
 * The rows are kept only as long as the change objects live, that is while some
 * subscriber has yet to take them.
 */
export interface LiveRead<C, Row> {
  /** What is read ('event', 'attempt'…): reads of different things on one change stay apart. */
  what: string;
  /** The Prisma query of the subscriber's document: equal ones share the rows. */
  selection: unknown;
  /** The row a change is about. */
  keyOf(change: C): string;
  rowKeyOf(row: Row): string;
  /** One statement reading the rows of these changes. */
  readRows(changes: C[]): Promise<Row[]>;
}

export interface LiveReads {
  /** The row of each change, in order; undefined where the row is gone (an erased event). */
  read<C extends object, Row>(changes: readonly C[], how: LiveRead<C, Row>): Promise<(Row | undefined)[]>;
}

export function createLiveReads(): LiveReads {
  const readsOf = new WeakMap<object, Map<string, Promise<unknown>>>();
  return {
    async read<C extends object, Row>(changes: readonly C[], how: LiveRead<C, Row>) {
      const key = `${how.what}:${JSON.stringify(how.selection) ?? ''}`;
      const unread = [...new Set(changes.filter((change) => !readsOf.get(change)?.has(key)))];
      if (unread.length > 0) {
        const rows = how.readRows(unread).then((list) => new Map(list.map((row) => [how.rowKeyOf(row), row])));
        for (const change of unread) {
          let reads = readsOf.get(change);
          if (!reads) readsOf.set(change, (reads = new Map()));
          reads.set(
            key,
            rows.then((byKey) => byKey.get(how.keyOf(change))),
          );
        }
        // A failed read is not kept: the next payload that needs these rows tries again.
        rows.catch(() => {
          for (const change of unread) readsOf.get(change)?.delete(key);
        });
      }
      return Promise.all(changes.map((change) => readsOf.get(change)!.get(key) as Promise<Row | undefined>));
    },
  };
}
