/**
 * One endpoint of a mailbox: where it points, what it accepts, how it retries, how it did
 * in the last hour, and what an operator can do with it.
 */
import { Eye, HeartPulse, KeyRound, Pencil, Power, PowerOff, Send, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { useClient } from 'urql';
import { errorMessage } from '../graphql/errorMessage.ts';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import type { EndpointFieldsFragment } from '../generated/graphql.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { formatDuration } from '../ui/format.ts';
import { SecretOnce } from '../ui/SecretOnce.tsx';
import { useToast } from '../ui/Toasts.tsx';
import { describeRetryPolicy } from './endpointForm.ts';
import { healthText, type HealthCounts } from './health.ts';
import { HealthBadge } from './HealthBadge.tsx';
import {
  DeleteEndpointMutation,
  DisableEndpointMutation,
  EnableEndpointMutation,
  RevealSecretQuery,
  RotateSecretMutation,
  SendTestEventMutation,
} from './mailboxDocuments.ts';
import { TestEventPanel } from './TestEventPanel.tsx';

export function EndpointCard({
  endpoint,
  health,
  lastError,
  block,
  onEdit,
}: {
  endpoint: EndpointFieldsFragment;
  health: HealthCounts;
  lastError: string | null;
  block: string | null;
  onEdit(): void;
}) {
  const client = useClient();
  const toast = useToast();
  const [, enable] = useMutationAction(EnableEndpointMutation);
  const [, disable] = useMutationAction(DisableEndpointMutation);
  const [, remove] = useMutationAction(DeleteEndpointMutation);
  const [, rotate] = useMutationAction(RotateSecretMutation);
  const [sending, sendTest] = useMutationAction(SendTestEventMutation);
  const [test, setTest] = useState<{ trackingNumber: string; deliveryId: string } | null>(null);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const testBlock = block ?? (endpoint.enabled ? null : 'Enable the endpoint to send it a test event.');

  return (
    <section
      className={`card endpoint ${endpoint.enabled ? '' : 'endpoint-disabled'}`}
      id={`endpoint-${endpoint.id}`}
      data-endpoint={endpoint.url}
    >
      <header className="card-header">
        <div className="endpoint-title">
          <span className="mono endpoint-url" title={endpoint.url}>
            {endpoint.url}
          </span>
          {endpoint.description ? <span className="muted small">{endpoint.description}</span> : null}
        </div>
        <span className="spacer" />
        {endpoint.pausedAt ? <span className="pill pill-warn">Paused</span> : null}
        {endpoint.enabled ? <HealthBadge counts={health} /> : <span className="pill pill-off">Disabled</span>}
        <Link to={`/endpoints/${endpoint.id}`} className="button button-small" aria-label={`Health of ${endpoint.url}`}>
          <HeartPulse aria-hidden size={14} />
          Health
        </Link>
      </header>
      <dl className="endpoint-facts">
        <div>
          <dt>Event types</dt>
          <dd>
            {endpoint.eventTypes.length === 0 ? (
              <span className="muted">every event</span>
            ) : (
              endpoint.eventTypes.map((type) => (
                <span key={type} className="mono type-tag">
                  {type}
                </span>
              ))
            )}
          </dd>
        </div>
        <div>
          <dt>Retries</dt>
          <dd>{describeRetryPolicy(endpoint.retryPolicy)}</dd>
        </div>
        <div>
          <dt>Timeout</dt>
          <dd>{formatDuration(endpoint.timeoutMs)}</dd>
        </div>
        <div>
          <dt>Headers</dt>
          <dd>
            {endpoint.headers.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              endpoint.headers.map((header) => (
                <span key={header.name} className="mono type-tag">
                  {header.name}
                </span>
              ))
            )}
          </dd>
        </div>
        <div className="endpoint-health">
          <dt>Last hour</dt>
          <dd>
            {healthText(health)}
            {lastError ? <span className="text-bad"> · last error: {lastError}</span> : null}{' '}
            <Link to={`/events?endpoint=${endpoint.id}`} className="small">
              Its events
            </Link>
          </dd>
        </div>
      </dl>
      {test ? (
        <TestEventPanel
          trackingNumber={test.trackingNumber}
          deliveryId={test.deliveryId}
          onDismiss={() => setTest(null)}
        />
      ) : null}
      <footer className="card-actions" title={block ?? undefined}>
        <button
          type="button"
          className="button button-small"
          disabled={testBlock !== null || sending.fetching}
          title={testBlock ?? 'Send a signed test event to this endpoint'}
          onClick={() =>
            void sendTest({ endpointId: endpoint.id }).then(
              (data) =>
                data &&
                setTest({
                  trackingNumber: data.sendTestEvent.event.trackingNumber,
                  deliveryId: data.sendTestEvent.delivery.id,
                }),
            )
          }
        >
          <Send aria-hidden size={14} />
          Send test event
        </button>
        <button type="button" className="button button-small" disabled={block !== null} onClick={onEdit}>
          <Pencil aria-hidden size={14} />
          Edit
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={block !== null}
          onClick={() =>
            void client
              .query(RevealSecretQuery, { endpointId: endpoint.id }, { requestPolicy: 'network-only' })
              .toPromise()
              .then((result) =>
                result.data
                  ? setSecret({ title: 'Signing secret', value: result.data.signingSecret })
                  : result.error && toast(errorMessage(result.error), 'error'),
              )
          }
        >
          <Eye aria-hidden size={14} />
          Reveal secret
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={block !== null}
          onClick={() =>
            void rotate({ id: endpoint.id }).then(
              (data) =>
                data && setSecret({ title: 'New signing secret', value: data.rotateEndpointSecret.signingSecret }),
            )
          }
        >
          <KeyRound aria-hidden size={14} />
          Rotate secret
        </button>
        <span className="spacer" />
        {endpoint.enabled ? (
          <button
            type="button"
            className="button button-small"
            disabled={block !== null}
            onClick={() =>
              void disable({ id: endpoint.id }, 'Endpoint disabled; its waiting deliveries were cancelled.')
            }
          >
            <PowerOff aria-hidden size={14} />
            Disable
          </button>
        ) : (
          <button
            type="button"
            className="button button-small"
            disabled={block !== null}
            onClick={() => void enable({ id: endpoint.id }, 'Endpoint enabled.')}
          >
            <Power aria-hidden size={14} />
            Enable
          </button>
        )}
        <button
          type="button"
          className="button button-small button-danger-ghost"
          disabled={block !== null}
          onClick={() => setConfirmDelete(true)}
        >
          <Trash2 aria-hidden size={14} />
          Delete
        </button>
      </footer>
      <Dialog open={secret !== null} title={secret?.title ?? ''} onClose={() => setSecret(null)} wide>
        {secret ? (
          <div className="stack">
            <SecretOnce
              label="Signing secret"
              value={secret.value}
              note={
                secret.title.startsWith('New')
                  ? 'The previous secret keeps signing beside this one for the rotation grace period (24 h by default), so receivers can switch without rejecting anything.'
                  : 'Receivers verify the webhook-signature header with it. Keep it secret.'
              }
            />
            <div className="dialog-actions">
              <button type="button" className="button button-primary" onClick={() => setSecret(null)}>
                Done
              </button>
            </div>
          </div>
        ) : null}
      </Dialog>
      <Dialog open={confirmDelete} title="Delete this endpoint?" onClose={() => setConfirmDelete(false)}>
        <div className="stack">
          <p>
            <span className="mono">{endpoint.url}</span> stops receiving events at once, and its waiting deliveries are
            cancelled. Its history stays readable.
          </p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() => void remove({ id: endpoint.id }, 'Endpoint deleted.').then(() => setConfirmDelete(false))}
            >
              Delete endpoint
            </button>
          </div>
        </div>
      </Dialog>
    </section>
  );
}
