import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from './ErrorBoundary';

/** A panel that fails to render while `broken.now` holds. */
const broken = { now: true };
function Panel() {
  if (broken.now) throw new Error('cannot read the data');
  return <p>The panel</p>;
}

describe('ErrorBoundary', () => {
  beforeEach(() => {
    broken.now = true;
    // React reports the caught error on the console; that is expected here.
    vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => {
    cleanup();
    vi.restoreAllMocks();
  });

  it('shows a message with Try again and Reload in place of a child that throws, and only there', () => {
    render(
      <>
        <ErrorBoundary name="My stats">
          <Panel />
        </ErrorBoundary>
        <p>Another panel</p>
      </>,
    );
    const fallback = screen.getByRole('alert', { name: 'My stats' });
    expect(fallback.textContent).toContain('Something went wrong showing this.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reload the page' })).toBeTruthy();
    expect(screen.getByText('Another panel')).toBeTruthy();
  });

  it('renders the child again on Try again', async () => {
    render(
      <ErrorBoundary name="My stats">
        <Panel />
      </ErrorBoundary>,
    );
    broken.now = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByText('The panel')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('reloads the page on Reload the page', async () => {
    const reload = vi.fn();
    vi.stubGlobal('location', { ...window.location, reload });
    render(
      <ErrorBoundary name="Scoreboard">
        <Panel />
      </ErrorBoundary>,
    );
    await userEvent.setup().click(screen.getByRole('button', { name: 'Reload the page' }));
    expect(reload).toHaveBeenCalledOnce();
    vi.unstubAllGlobals();
  });
});
