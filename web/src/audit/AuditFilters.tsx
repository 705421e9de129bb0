/** The audit log's filter bar: action, actor, target type and time. The URL holds the state. */
import { useState } from 'react';
import { useQuery } from 'urql';
import { AuditActorsQuery } from './auditDocuments.ts';
import { isAuditFiltered, type AuditFilterState } from './auditFilterParams.ts';
import { auditActionLabels, auditRanges, auditTargetTypes, type AuditRange } from './auditWording.ts';

const toLocalInput = (iso: string) => {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : '');

export function AuditFilters({ state, onChange }: { state: AuditFilterState; onChange(next: AuditFilterState): void }) {
  const [actors] = useQuery({ query: AuditActorsQuery });
  const tokens = actors.data?.accessTokens.edges.map((edge) => edge.node) ?? [];
  const custom = !state.range && Boolean(state.since || state.until);
  const [showCustom, setShowCustom] = useState(custom);
  const set = (patch: Partial<AuditFilterState>) => onChange({ ...state, ...patch });

  return (
    <section className="filters audit-filters" aria-label="Filters">
      <div className="filter-row">
        <label className="select-field">
          <span className="visually-hidden">Action</span>
          <select aria-label="Action" value={state.action} onChange={(event) => set({ action: event.target.value })}>
            <option value="">All actions</option>
            {Object.entries(auditActionLabels).map(([action, label]) => (
              <option key={action} value={action}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="select-field">
          <span className="visually-hidden">Actor</span>
          <select aria-label="Actor" value={state.actor} onChange={(event) => set({ actor: event.target.value })}>
            <option value="">Everyone</option>
            {tokens.map((token) => (
              <option key={token.id} value={token.id}>
                {token.name} ({token.prefix}…){token.revokedAt ? ' · revoked' : ''}
              </option>
            ))}
          </select>
        </label>
        <label className="select-field">
          <span className="visually-hidden">Target type</span>
          <select
            aria-label="Target type"
            value={state.targetType}
            onChange={(event) => set({ targetType: event.target.value })}
          >
            <option value="">All targets</option>
            {Object.entries(auditTargetTypes).map(([type, label]) => (
              <option key={type} value={type}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <div className="segmented" role="group" aria-label="Time range">
          {(['', ...Object.keys(auditRanges)] as (AuditRange | '')[]).map((range) => (
            <button
              key={range || 'all'}
              type="button"
              aria-pressed={!showCustom && state.range === range && (range !== '' || !custom)}
              onClick={() => {
                setShowCustom(false);
                set({ range, since: '', until: '' });
              }}
            >
              {range ? `Last ${range}` : 'All time'}
            </button>
          ))}
          <button type="button" aria-pressed={showCustom || custom} onClick={() => setShowCustom(true)}>
            Custom
          </button>
        </div>
        {isAuditFiltered(state) ? (
          <button
            type="button"
            className="button button-ghost button-small clear-filters"
            onClick={() => {
              setShowCustom(false);
              onChange({ action: '', actor: '', targetType: '', range: '', since: '', until: '' });
            }}
          >
            Clear filters
          </button>
        ) : null}
      </div>
      {showCustom || custom ? (
        <div className="filter-row">
          <label className="inline-field">
            From
            <input
              type="datetime-local"
              value={toLocalInput(state.since)}
              onChange={(event) => set({ range: '', since: fromLocalInput(event.target.value) })}
            />
          </label>
          <label className="inline-field">
            Until
            <input
              type="datetime-local"
              value={toLocalInput(state.until)}
              onChange={(event) => set({ range: '', until: fromLocalInput(event.target.value) })}
            />
          </label>
        </div>
      ) : null}
    </section>
  );
}
