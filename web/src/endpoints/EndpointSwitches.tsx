/**
 * Pause / Resume and Disable / Enable, each behind a dialog that says what will happen to
 * the endpoint's deliveries before it happens. Below the operator role the buttons stay
 * visible but disabled, with the reason beside them.
 */
import { Pause, Play, Power, PowerOff } from 'lucide-react';
import { useState } from 'react';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import { DisableEndpointMutation, EnableEndpointMutation } from '../mailboxes/mailboxDocuments.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { formatCount } from '../ui/format.ts';
import { PauseEndpointMutation, ResumeEndpointMutation } from './endpointHealthDocuments.ts';

type Switch = 'pause' | 'resume' | 'disable' | 'enable';

const confirmations: Record<
  Switch,
  { title: string; action: string; done: string; tone: string; body(held: number): string }
> = {
  pause: {
    title: 'Pause this endpoint?',
    action: 'Pause endpoint',
    done: 'Endpoint paused: its deliveries are held.',
    tone: 'button-primary',
    body: () =>
      'Nothing is sent to it until you resume: new events still get deliveries, and they and the waiting ones are held, not dropped. Attempts in flight finish.',
  },
  resume: {
    title: 'Resume this endpoint?',
    action: 'Resume endpoint',
    done: 'Endpoint resumed: what it held goes out, oldest first.',
    tone: 'button-primary',
    body: (held) =>
      `${held > 0 ? `Its ${formatCount(held)} held deliver${held === 1 ? 'y goes' : 'ies go'}` : 'What it holds goes'} out oldest first, at a controlled rate, and new events are delivered again.`,
  },
  disable: {
    title: 'Disable this endpoint?',
    action: 'Disable endpoint',
    done: 'Endpoint disabled; its waiting deliveries were cancelled.',
    tone: 'button-danger',
    body: (held) =>
      `New events are no longer routed to it, and its waiting deliveries${held > 0 ? ` (${formatCount(held)} held among them)` : ''} are cancelled. To stop it for a while and keep everything, pause it instead.`,
  },
  enable: {
    title: 'Enable this endpoint?',
    action: 'Enable endpoint',
    done: 'Endpoint enabled.',
    tone: 'button-primary',
    body: () =>
      'New events are delivered to it again and its circuit starts closed. Events received while it was disabled were not routed to it: tick the box below to deliver those its filter accepts, behind live traffic.',
  },
};

export function EndpointSwitches({
  endpoint,
  block,
}: {
  endpoint: { id: string; enabled: boolean; pausedAt?: string | null; circuit: { heldCount: number } };
  /** Why the operator may not use them, or null. */
  block: string | null;
}) {
  const [asking, setAsking] = useState<Switch | null>(null);
  const [replayMissed, setReplayMissed] = useState(true);
  const [pausing, pause] = useMutationAction(PauseEndpointMutation);
  const [resuming, resume] = useMutationAction(ResumeEndpointMutation);
  const [enabling, enable] = useMutationAction(EnableEndpointMutation);
  const [disabling, disable] = useMutationAction(DisableEndpointMutation);
  const busy = pausing.fetching || resuming.fetching || enabling.fetching || disabling.fetching;
  const run = { pause, resume, enable, disable };
  const pauseSwitch: Switch = endpoint.pausedAt ? 'resume' : 'pause';
  const powerSwitch: Switch = endpoint.enabled ? 'disable' : 'enable';
  const pauseBlock = block ?? (endpoint.enabled ? null : 'A disabled endpoint gets no deliveries to hold: enable it.');
  const asked = asking ? confirmations[asking] : null;

  return (
    <>
      <span title={pauseBlock ?? undefined}>
        <button
          type="button"
          className="button"
          disabled={pauseBlock !== null || busy}
          aria-describedby={block ? 'switches-why' : undefined}
          onClick={() => setAsking(pauseSwitch)}
        >
          {endpoint.pausedAt ? <Play aria-hidden size={15} /> : <Pause aria-hidden size={15} />}
          {endpoint.pausedAt ? 'Resume' : 'Pause'}
        </button>
      </span>
      <span title={block ?? undefined}>
        <button
          type="button"
          className={endpoint.enabled ? 'button button-danger-ghost' : 'button'}
          disabled={block !== null || busy}
          aria-describedby={block ? 'switches-why' : undefined}
          onClick={() => setAsking(powerSwitch)}
        >
          {endpoint.enabled ? <PowerOff aria-hidden size={15} /> : <Power aria-hidden size={15} />}
          {endpoint.enabled ? 'Disable' : 'Enable'}
        </button>
      </span>
      <Dialog open={asked !== null} title={asked?.title ?? ''} onClose={() => setAsking(null)}>
        {asking && asked ? (
          <div className="stack">
            <p>{asked.body(endpoint.circuit.heldCount)}</p>
            {asking === 'enable' ? (
              <label className="check">
                <input
                  type="checkbox"
                  checked={replayMissed}
                  onChange={(event) => setReplayMissed(event.target.checked)}
                />
                Deliver the events it missed while disabled
              </label>
            ) : null}
            <div className="dialog-actions">
              <button type="button" className="button" onClick={() => setAsking(null)}>
                Keep it as it is
              </button>
              <button
                type="button"
                className={`button ${asked.tone}`}
                disabled={busy}
                onClick={() =>
                  void (
                    asking === 'enable'
                      ? enable(
                          { id: endpoint.id, replayMissed },
                          replayMissed ? 'Endpoint enabled; what it missed is on its way.' : asked.done,
                        )
                      : run[asking]({ id: endpoint.id }, asked.done)
                  ).then(() => setAsking(null))
                }
              >
                {asked.action}
              </button>
            </div>
          </div>
        ) : null}
      </Dialog>
    </>
  );
}
