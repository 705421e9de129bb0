/**
 * The whole dashboard: the session decides between the sign-in page and the signed-in
 * views. Each view is its own chunk, loaded when first opened, so signing in downloads
 * only the frame and a first visit to one view only that view.
 */
import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { LiveProvider } from '../graphql/LiveProvider.tsx';
import { SessionProvider, useSession } from '../session/SessionContext.tsx';
import { SignInPage } from '../session/SignInPage.tsx';
import { Loading } from '../ui/States.tsx';
import { ToastProvider } from '../ui/Toasts.tsx';
import { Layout } from './Layout.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';

const OverviewPage = lazy(() => import('../overview/OverviewPage.tsx').then((m) => ({ default: m.OverviewPage })));
const EventsPage = lazy(() => import('../events/EventsPage.tsx').then((m) => ({ default: m.EventsPage })));
const EventDetailPage = lazy(() =>
  import('../events/EventDetailPage.tsx').then((m) => ({ default: m.EventDetailPage })),
);
const MailboxesPage = lazy(() => import('../mailboxes/MailboxesPage.tsx').then((m) => ({ default: m.MailboxesPage })));
const MailboxPage = lazy(() => import('../mailboxes/MailboxPage.tsx').then((m) => ({ default: m.MailboxPage })));
const AccessTokensPage = lazy(() =>
  import('../accessTokens/AccessTokensPage.tsx').then((m) => ({ default: m.AccessTokensPage })),
);
const AuditLogPage = lazy(() => import('../audit/AuditLogPage.tsx').then((m) => ({ default: m.AuditLogPage })));
const EndpointHealthPage = lazy(() =>
  import('../endpoints/EndpointHealthPage.tsx').then((m) => ({ default: m.EndpointHealthPage })),
);
const AlertsPage = lazy(() => import('../alerts/AlertsPage.tsx').then((m) => ({ default: m.AlertsPage })));

const view = (element: React.ReactNode) => <Suspense fallback={<Loading rows={6} />}>{element}</Suspense>;

function SignedIn() {
  const { operator } = useSession();
  if (operator === undefined) return <Loading label="Checking your session…" />;
  // Any URL opens the sign-in page while signed out, and stays put, so a shared link
  // lands on its view right after signing in.
  if (operator === null) return <SignInPage />;
  return (
    <LiveProvider key={operator.name}>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={view(<OverviewPage />)} />
          <Route path="events" element={view(<EventsPage />)} />
          <Route path="events/:trackingNumber" element={view(<EventDetailPage />)} />
          <Route path="mailboxes" element={view(<MailboxesPage />)} />
          <Route path="mailboxes/:mailboxId" element={view(<MailboxPage />)} />
          <Route path="access-tokens" element={view(<AccessTokensPage />)} />
          <Route path="audit-log" element={view(<AuditLogPage />)} />
          <Route path="endpoints/:endpointId" element={view(<EndpointHealthPage />)} />
          <Route path="alerts" element={view(<AlertsPage />)} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </LiveProvider>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <ToastProvider>
          <SignedIn />
        </ToastProvider>
      </SessionProvider>
    </BrowserRouter>
  );
}
