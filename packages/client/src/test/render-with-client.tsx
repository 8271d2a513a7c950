import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';

/**
 * Renders with a query client of the test's own, so that no cache outlives it; without retries,
 * so that a refusal shows at once. Returns the client, for the test to look into its cache.
 */
export function renderWithClient(ui: ReactElement): QueryClient {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
  return client;
}
