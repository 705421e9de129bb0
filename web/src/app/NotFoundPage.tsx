import { Compass } from 'lucide-react';
import { Link } from 'react-router';
import { EmptyState } from '../ui/States.tsx';

export function NotFoundPage() {
  return (
    <EmptyState
      icon={Compass}
      title="Nothing here"
      action={
        <Link className="button" to="/">
          Go to the overview
        </Link>
      }
    >
      This address is not a page of the dashboard.
    </EmptyState>
  );
}
