// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { SessionProvider, useSession } from './SessionContext.tsx';
import { SignInPage } from './SignInPage.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function Who() {
  const { operator } = useSession();
  return operator ? <p>signed in as {operator.name}</p> : <SignInPage />;
}

describe('the sign-in page', () => {
  test('says where the first admin token is', () => {
    render(
      <SessionProvider initial={null}>
        <SignInPage />
      </SessionProvider>,
    );
    expect(screen.getAllByText(/\.hookpost\/admin-token/).length).toBeGreaterThan(0);
  });

  test("shows the server's reason for a refused token, then signs in with a good one", async () => {
    const fetchMock = vi.fn(async (_url: string, init?: RequestInit) => {
      const { token } = JSON.parse(String(init?.body)) as { token: string };
      return token === 'hpt_good'
        ? new Response(JSON.stringify({ name: 'on-call', role: 'operator' }), { status: 200 })
        : new Response(
            JSON.stringify({
              error: { code: 'unauthenticated', message: 'That access token is not valid (or was revoked).' },
            }),
            { status: 401 },
          );
    });
    vi.stubGlobal('fetch', fetchMock);
    render(
      <SessionProvider initial={null}>
        <Who />
      </SessionProvider>,
    );
    const input = screen.getByLabelText('Access token');
    fireEvent.change(input, { target: { value: 'hpt_bad' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('not valid'));
    fireEvent.change(input, { target: { value: '  hpt_good  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByText('signed in as on-call')).toBeTruthy());
    expect(JSON.parse(String(fetchMock.mock.calls[1]![1]!.body))).toEqual({ token: 'hpt_good' });
  });
});
