/** The dialog that shows two chosen attempts side by side, differences marked. */
import { Dialog } from '../ui/Dialog.tsx';
import { compareAttempts, type ComparableAttempt } from './compareAttempts.ts';

export function AttemptCompare({
  pair,
  onClose,
}: {
  pair: [ComparableAttempt & { endpointUrl: string }, ComparableAttempt & { endpointUrl: string }] | null;
  onClose(): void;
}) {
  const lines = pair ? compareAttempts(pair[0], pair[1]) : [];
  return (
    <Dialog open={pair !== null} title="Two attempts side by side" onClose={onClose} wide>
      {pair ? (
        <div className="compare">
          <p className="muted small">
            Lines that differ are marked. The signature and timestamp differ on every attempt.
          </p>
          <table className="table compare-table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Field</span>
                </th>
                <th scope="col">Attempt {pair[0].number}</th>
                <th scope="col">Attempt {pair[1].number}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr
                  key={line.label}
                  className={line.differs ? 'compare-differs' : undefined}
                  data-differs={line.differs}
                >
                  <th scope="row">
                    {line.label}
                    {line.differs ? <span className="visually-hidden"> (differs)</span> : null}
                  </th>
                  <td className="mono">{line.left}</td>
                  <td className="mono">{line.right}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Dialog>
  );
}
