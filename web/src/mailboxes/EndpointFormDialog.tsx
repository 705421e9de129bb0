/** Adding or changing an endpoint: URL, event-type filter, timeout, retry policy, limits, ordering and custom headers. */
import { Plus, Trash2 } from 'lucide-react';
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { errorMessage } from '../graphql/errorMessage.ts';
import type { EndpointFieldsFragment } from '../generated/graphql.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { Field } from '../ui/Field.tsx';
import { SecretOnce } from '../ui/SecretOnce.tsx';
import {
  defaultEndpointForm,
  endpointChangesOf,
  endpointInputOf,
  formFromEndpoint,
  retryFields,
  retryPresetChoices,
  type EndpointFormValues,
} from './endpointForm.ts';
import { CreateEndpointMutation, UpdateEndpointMutation } from './mailboxDocuments.ts';

type Errors = Partial<Record<keyof EndpointFormValues, string>>;

export function EndpointFormDialog({
  mailboxId,
  endpoint,
  open,
  onClose,
}: {
  mailboxId: string;
  endpoint: EndpointFieldsFragment | null;
  open: boolean;
  onClose(): void;
}) {
  const [values, setValues] = useState<EndpointFormValues>(defaultEndpointForm);
  const [errors, setErrors] = useState<Errors>({});
  const [secret, setSecret] = useState<string | null>(null);
  const [created, create] = useMutation(CreateEndpointMutation);
  const [updated, update] = useMutation(UpdateEndpointMutation);
  const busy = created.fetching || updated.fetching;
  const failure = endpoint ? updated.error : created.error;
  const serverError = failure ? errorMessage(failure) : null;

  useEffect(() => {
    if (!open) return;
    setValues(endpoint ? formFromEndpoint(endpoint) : defaultEndpointForm);
    setErrors({});
    setSecret(null);
  }, [open, endpoint]);

  const set = (patch: Partial<EndpointFormValues>) => setValues((current) => ({ ...current, ...patch }));
  const input = (
    key: keyof Omit<EndpointFormValues, 'headers' | 'orderedByKey'>,
    props: React.InputHTMLAttributes<HTMLInputElement> = {},
  ) => (
    <input
      name={key}
      value={values[key]}
      onChange={(event) => set({ [key]: event.target.value })}
      aria-invalid={errors[key] ? true : undefined}
      spellCheck={false}
      {...props}
    />
  );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = endpoint ? endpointChangesOf(endpoint, values) : endpointInputOf(values);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    if (endpoint) {
      if (Object.keys(result.input).length === 0) return onClose();
      const answer = await update({ id: endpoint.id, input: result.input });
      if (!answer.error) onClose();
    } else {
      const answer = await create({ input: { ...result.input, mailboxId } });
      if (answer.data) setSecret(answer.data.createEndpoint.signingSecret);
    }
  };

  const scheduled = values.schedule.trim() !== '';
  return (
    <Dialog
      open={open}
      title={secret ? 'Endpoint added' : endpoint ? 'Edit endpoint' : 'Add an endpoint'}
      onClose={onClose}
      wide
    >
      {secret ? (
        <div className="stack">
          <SecretOnce
            label="Signing secret"
            value={secret}
            note="Receivers verify the webhook-signature header with this secret. Operators can reveal it again from the endpoint."
          />
          <div className="dialog-actions">
            <button type="button" className="button button-primary" onClick={onClose}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={(event) => void submit(event)} noValidate>
          <Field label="URL" error={errors.url} help="Events are POSTed here, signed with Standard Webhooks headers.">
            {input('url', {
              type: 'url',
              placeholder: 'https://example.com/webhooks',
              autoFocus: true,
              required: true,
            })}
          </Field>
          <div className="form-grid">
            <Field
              label="Event types"
              error={errors.eventTypes}
              help="Comma-separated, * wildcards (order.*). Empty: every event."
            >
              {input('eventTypes', { placeholder: 'every event' })}
            </Field>
            <Field label="Timeout (seconds)" error={errors.timeoutSeconds} help="Whole request, 1 to 60.">
              {input('timeoutSeconds', { type: 'number', min: 1, max: 60, step: 'any' })}
            </Field>
          </div>
          <Field label="Description" help="A note for your team (optional).">
            {input('description', { maxLength: 500 })}
          </Field>
          <fieldset className="fieldset">
            <legend>Retry policy</legend>
            <Field label="Preset" help="Blank fields below take the preset's values.">
              <select
                name="preset"
                value={values.preset}
                onChange={(event) =>
                  // A new preset applies whole: the fields typed for the previous one are cleared.
                  set({
                    preset: event.target.value as EndpointFormValues['preset'],
                    ...Object.fromEntries(retryFields.map((field) => [field, ''])),
                  })
                }
              >
                {endpoint ? null : <option value="">The instance default</option>}
                {retryPresetChoices.map((choice) => (
                  <option key={choice.value} value={choice.value}>
                    {choice.label}
                  </option>
                ))}
              </select>
            </Field>
            <div className="form-grid form-grid-5">
              <Field label="Attempts" error={errors.maxAttempts}>
                {input('maxAttempts', { type: 'number', min: 1, max: 50, disabled: scheduled, placeholder: 'preset' })}
              </Field>
              <Field label="First retry after (s)" error={errors.baseDelaySeconds}>
                {input('baseDelaySeconds', {
                  type: 'number',
                  min: 0,
                  step: 'any',
                  disabled: scheduled,
                  placeholder: 'preset',
                })}
              </Field>
              <Field label="Then × factor" error={errors.factor}>
                {input('factor', {
                  type: 'number',
                  min: 1,
                  max: 10,
                  step: 'any',
                  disabled: scheduled,
                  placeholder: 'preset',
                })}
              </Field>
              <Field label="Longest wait (s)" error={errors.maxDelaySeconds}>
                {input('maxDelaySeconds', {
                  type: 'number',
                  min: 0,
                  step: 'any',
                  disabled: scheduled,
                  placeholder: 'preset',
                })}
              </Field>
              <Field label="Jitter (±%)" error={errors.jitterPercent}>
                {input('jitterPercent', { type: 'number', min: 0, max: 100, step: 'any', placeholder: 'preset' })}
              </Field>
            </div>
            <Field
              label="Or an explicit schedule (seconds)"
              error={errors.schedule}
              help="Delays between attempts, e.g. 1, 10, 60, 600. Replaces the rule above."
            >
              {input('schedule', { placeholder: 'none' })}
            </Field>
          </fieldset>
          <fieldset className="fieldset">
            <legend>Limits</legend>
            <div className="form-grid">
              <Field
                label="Rate limit (per second)"
                error={errors.rateLimitPerSecond}
                help="Deliveries a second, across every worker; a burst is spread out, nothing dropped. Blank: no limit."
              >
                {input('rateLimitPerSecond', {
                  type: 'number',
                  min: 0.01,
                  max: 10000,
                  step: 'any',
                  placeholder: 'no limit',
                })}
              </Field>
              <Field
                label="Max in flight"
                error={errors.maxInFlight}
                help="Requests at a time, across every worker. Blank: each worker's fair share."
              >
                {input('maxInFlight', { type: 'number', min: 1, max: 1000, placeholder: 'fair share' })}
              </Field>
            </div>
          </fieldset>
          <fieldset className="fieldset">
            <legend>Ordering</legend>
            <label className="inline-field">
              <input
                type="checkbox"
                name="orderedByKey"
                checked={values.orderedByKey}
                onChange={(event) => set({ orderedByKey: event.target.checked })}
              />
              Ordered by key
            </label>
            <p className="muted small">
              Events with the same <code>x-ordering-key</code> are delivered one at a time, in arrival order; other keys
              go in parallel. A delivery that keeps failing holds back only its key until its retries end or you cancel
              it.
            </p>
            <Field
              label="Key field (optional)"
              error={errors.orderingKeyField}
              help="A JSON body field the key is read from when an event has no x-ordering-key, e.g. data.customer_id. Events with neither go unordered."
            >
              {input('orderingKeyField', { placeholder: 'header only', disabled: !values.orderedByKey })}
            </Field>
          </fieldset>
          <fieldset className="fieldset">
            <legend>Custom headers</legend>
            {values.headers.length === 0 ? (
              <p className="muted small">None. Stored encrypted; sent with every delivery.</p>
            ) : null}
            {values.headers.map((header, index) => (
              <div key={index} className="header-row">
                <input
                  aria-label={`Header ${index + 1} name`}
                  placeholder="Authorization"
                  value={header.name}
                  spellCheck={false}
                  onChange={(event) =>
                    set({
                      headers: values.headers.map((h, i) => (i === index ? { ...h, name: event.target.value } : h)),
                    })
                  }
                />
                <input
                  aria-label={`Header ${index + 1} value`}
                  placeholder="value"
                  value={header.value}
                  spellCheck={false}
                  onChange={(event) =>
                    set({
                      headers: values.headers.map((h, i) => (i === index ? { ...h, value: event.target.value } : h)),
                    })
                  }
                />
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Remove header ${index + 1}`}
                  onClick={() => set({ headers: values.headers.filter((_, i) => i !== index) })}
                >
                  <Trash2 aria-hidden size={15} />
                </button>
              </div>
            ))}
            {errors.headers ? <span className="field-error">{errors.headers}</span> : null}
            <button
              type="button"
              className="button button-ghost button-small"
              onClick={() => set({ headers: [...values.headers, { name: '', value: '' }] })}
              disabled={values.headers.length >= 20}
            >
              <Plus aria-hidden size={14} />
              Add header
            </button>
          </fieldset>
          {serverError ? (
            <p className="field-error" role="alert">
              {serverError}
            </p>
          ) : null}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Saving…' : endpoint ? 'Save changes' : 'Add endpoint'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
