// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, test } from 'vitest';
import { StatusBadge } from './StatusBadge.tsx';

afterEach(cleanup);

describe('a status badge', () => {
  test('says the status in words and with an icon, not with color alone', () => {
    const { container } = render(<StatusBadge status="failed" />);
    expect(screen.getByText('Failed')).toBeTruthy();
    expect(container.querySelector('svg')).not.toBeNull();
    expect(container.querySelector('[data-status="failed"]')?.getAttribute('title')).toMatch(/can be retried/);
  });
});
