/** "Export" on the events page: the events the filters show, as NDJSON or CSV, with progress and cancel. */
import { Download, X } from 'lucide-react';
import { useRef, useState } from 'react';
import { useClient } from 'urql';
import type { EventFilter } from '../generated/graphql.ts';
import { errorMessage } from '../graphql/errorMessage.ts';
import { formatCount } from '../ui/format.ts';
import { useToast } from '../ui/Toasts.tsx';
import { ExportEventsQuery } from './eventDocuments.ts';
import { exportEvents, type ExportFormat } from './exportEvents.ts';

/** A browser holds the file in memory until it is saved: beyond this, narrow the filters. */
const MAX_EXPORTED = 100_000;

function save(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportEvents({ filter }: { filter: EventFilter }) {
  const client = useClient();
  const toast = useToast();
  const [progress, setProgress] = useState<number | null>(null);
  const controller = useRef<AbortController | null>(null);

  const start = async (format: ExportFormat) => {
    controller.current = new AbortController();
    setProgress(0);
    try {
      const { blob, count, complete } = await exportEvents(
        async (after, first) => {
          const result = await client
            .query(ExportEventsQuery, { filter, after, first }, { requestPolicy: 'network-only' })
            .toPromise();
          if (!result.data) throw result.error ?? new Error('Hookpost gave no answer.');
          return {
            rows: result.data.events.edges.map((edge) => edge.node),
            hasNextPage: result.data.events.pageInfo.hasNextPage,
            endCursor: result.data.events.pageInfo.endCursor ?? null,
          };
        },
        format,
        { maxEvents: MAX_EXPORTED, signal: controller.current.signal, onProgress: setProgress },
      );
      save(blob, `hookpost-events-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.${format}`);
      toast(
        complete
          ? `Exported ${formatCount(count)} events.`
          : `Exported the newest ${formatCount(count)} events; narrow the filters for older ones.`,
        complete ? 'success' : 'info',
      );
    } catch (error) {
      if ((error as Error).name !== 'AbortError') toast(`Export failed: ${errorMessage(error as Error)}`, 'error');
    } finally {
      setProgress(null);
      controller.current = null;
    }
  };

  if (progress !== null)
    return (
      <div className="export-progress" role="status">
        <span className="spinner" aria-hidden />
        Exporting… {formatCount(progress)} events
        <button type="button" className="button button-ghost button-small" onClick={() => controller.current?.abort()}>
          <X aria-hidden size={14} />
          Cancel
        </button>
      </div>
    );
  return (
    <div className="export" role="group" aria-label="Export the events shown">
      <Download aria-hidden size={15} className="muted" />
      <button type="button" className="button button-small" onClick={() => void start('ndjson')}>
        Export NDJSON
      </button>
      <button type="button" className="button button-small" onClick={() => void start('csv')}>
        Export CSV
      </button>
    </div>
  );
}
