import { useSyncExternalStore } from 'react';

export type Route = 'dashboard' | 'admin';

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

/** The page the address names: `#/admin` or the dashboard (a reload stays on the page). */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return hash === '#/admin' ? 'admin' : 'dashboard';
}
