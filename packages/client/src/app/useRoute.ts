import { useSyncExternalStore } from 'react';
import { adminSections, type AdminSection } from '../features/admin/admin-sections';

export type Route =
  { page: 'dashboard' } | { page: 'account' } | { page: 'admin'; section: AdminSection };

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

function routeOf(hash: string): Route {
  if (hash === '#/account') return { page: 'account' };
  if (hash === '#/admin') return { page: 'admin', section: 'boards' };
  const section = adminSections.find((s) => hash === `#/admin/${s.id}`);
  return section ? { page: 'admin', section: section.id } : { page: 'dashboard' };
}

/**
 * The page the address names: `#/account`, `#/admin` (its boards) or `#/admin/<section>`, or
 * the dashboard (a reload stays on the page).
 */
export function useRoute(): Route {
  return routeOf(useSyncExternalStore(subscribe, () => window.location.hash));
}
