import { infiniteQueryOptions } from '@tanstack/react-query';
import { apiFetch } from '../../../api/http';
import type {
  AdminScorePage,
  AdminUserPage,
  ApiKeyList,
  AuditPage,
  WebhookDeliveryPage,
  WebhookList,
} from '../../../api/types';

/** Rows asked for per page of the admin lists. */
const PAGE_SIZE = 20;

/** A query string of the parameters that have a value. */
const query = (params: Record<string, string | number | null>) =>
  new URLSearchParams(
    Object.entries(params)
      .filter(([, value]) => value !== null && value !== '')
      .map(([key, value]) => [key, String(value)]),
  ).toString();

/**
 * The cache keys of the admin console. Everything of the players starts with `users`, so that an
 * action on a player refreshes every search and their scores.
 */
export const adminKeys = {
  users: ['admin', 'users'] as const,
  userSearch: (search: string) => ['admin', 'users', 'search', search] as const,
  userScores: (userId: string) => ['admin', 'users', userId, 'scores'] as const,
  apiKeys: ['admin', 'api-keys'] as const,
  webhooks: ['admin', 'webhooks'] as const,
  webhookDeliveries: (id: string) => ['admin', 'webhooks', id, 'deliveries'] as const,
  auditLog: ['admin', 'audit-log'] as const,
};

/** Fetchers for the admin routes (the server answers 403 to anyone but an admin). */
export const adminQueries = {
  /** Players whose email or display name starts with `search` (all of them when empty). */
  users: (token: string, search: string) =>
    infiniteQueryOptions({
      queryKey: adminKeys.userSearch(search),
      queryFn: async ({ pageParam }) =>
        (
          await apiFetch<AdminUserPage>(
            `/api/admin/users?${query({ query: search, limit: PAGE_SIZE, cursor: pageParam })}`,
            { token },
          )
        ).body,
      initialPageParam: null as string | null,
      getNextPageParam: (page: AdminUserPage) => page.next_cursor,
    }),
  userScores: (token: string, userId: string) =>
    infiniteQueryOptions({
      queryKey: adminKeys.userScores(userId),
      queryFn: async ({ pageParam }) =>
        (
          await apiFetch<AdminScorePage>(
            `/api/admin/users/${userId}/scores?${query({ limit: PAGE_SIZE, cursor: pageParam })}`,
            { token },
          )
        ).body,
      initialPageParam: null as string | null,
      getNextPageParam: (page: AdminScorePage) => page.next_cursor,
    }),
  apiKeys: (token: string) => ({
    queryKey: adminKeys.apiKeys,
    queryFn: async () => (await apiFetch<ApiKeyList>('/api/admin/api-keys', { token })).body,
  }),
  webhooks: (token: string) => ({
    queryKey: adminKeys.webhooks,
    queryFn: async () => (await apiFetch<WebhookList>('/api/admin/webhooks', { token })).body,
  }),
  /** The newest deliveries of one endpoint (the server keeps them all; this shows a page). */
  webhookDeliveries: (token: string, id: string) => ({
    queryKey: adminKeys.webhookDeliveries(id),
    queryFn: async () =>
      (
        await apiFetch<WebhookDeliveryPage>(
          `/api/admin/webhooks/${id}/deliveries?${query({ limit: PAGE_SIZE })}`,
          { token },
        )
      ).body,
  }),
  auditLog: (token: string) =>
    infiniteQueryOptions({
      queryKey: adminKeys.auditLog,
      queryFn: async ({ pageParam }) =>
        (
          await apiFetch<AuditPage>(
            `/api/admin/audit-log?${query({ limit: PAGE_SIZE, cursor: pageParam })}`,
            { token },
          )
        ).body,
      initialPageParam: null as string | null,
      getNextPageParam: (page: AuditPage) => page.next_cursor,
    }),
};
