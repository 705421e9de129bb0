/** The shared empty, error and loading states, so every view says the same things the same way. */
import { CircleAlert, type LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import { errorMessage, type AnyError } from '../graphql/errorMessage.ts';

export function EmptyState({
  icon: Icon,
  title,
  children,
  action,
}: {
  icon: LucideIcon;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="empty-state">
      <div className="empty-icon">
        <Icon aria-hidden size={22} />
      </div>
      <h3>{title}</h3>
      {children ? <div className="empty-body">{children}</div> : null}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

export function ErrorState({
  title = 'Could not load this',
  error,
  onRetry,
}: {
  title?: string;
  error: AnyError;
  onRetry?: () => void;
}) {
  const message = errorMessage(error);
  return (
    <div className="error-state" role="alert">
      <CircleAlert aria-hidden size={18} />
      <div>
        <strong>{title}</strong>
        <p>{message}</p>
      </div>
      {onRetry ? (
        <button type="button" className="button button-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Loading({ label = 'Loading…', rows = 0 }: { label?: string; rows?: number }) {
  if (rows > 0) {
    return (
      <div className="skeleton-list" aria-busy="true" aria-label={label}>
        {Array.from({ length: rows }, (_, i) => (
          <div key={i} className="skeleton-row" />
        ))}
      </div>
    );
  }
  return (
    <div className="loading" aria-busy="true">
      <span className="spinner" aria-hidden />
      {label}
    </div>
  );
}
