/** What a view for admins shows everyone else: what it is, and why they cannot see it. */
import { ShieldAlert } from 'lucide-react';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { EmptyState } from '../ui/States.tsx';
import { useSession } from './SessionContext.tsx';

export function AdminsOnly({ title, what }: { title: string; what: string }) {
  usePageTitle(title);
  const { operator } = useSession();
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>{title}</h1>
        </div>
      </header>
      <EmptyState icon={ShieldAlert} title="Admins only">
        {what} Your access token has the {operator?.role ?? 'viewer'} role; ask an admin if you need this.
      </EmptyState>
    </div>
  );
}
