/** The whole dashboard: the session decides between the sign-in page and the signed-in views. */
import { BrowserRouter, Route, Routes } from 'react-router';
import { EventDetailPage } from '../events/EventDetailPage.tsx';
import { EventsPage } from '../events/EventsPage.tsx';
import { LiveProvider } from '../graphql/LiveProvider.tsx';
import { MailboxPage } from '../mailboxes/MailboxPage.tsx';
import { MailboxesPage } from '../mailboxes/MailboxesPage.tsx';
import { OverviewPage } from '../overview/OverviewPage.tsx';
import { SessionProvider, useSession } from '../session/SessionContext.tsx';
import { SignInPage } from '../session/SignInPage.tsx';
import { Loading } from '../ui/States.tsx';
import { ToastProvider } from '../ui/Toasts.tsx';
import { Layout } from './Layout.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';

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
          <Route index element={<OverviewPage />} />
          <Route path="events" element={<EventsPage />} />
          <Route path="events/:trackingNumber" element={<EventDetailPage />} />
          <Route path="mailboxes" element={<MailboxesPage />} />
          <Route path="mailboxes/:mailboxId" element={<MailboxPage />} />
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
