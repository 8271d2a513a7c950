export type AdminSection = 'boards' | 'players' | 'api-keys' | 'webhooks' | 'audit';

/** The console's sections in the order its menu lists them; each has the address `#/admin/<id>`. */
export const adminSections: Array<{ id: AdminSection; label: string }> = [
  { id: 'boards', label: 'Boards' },
  { id: 'players', label: 'Players' },
  { id: 'api-keys', label: 'API keys' },
  { id: 'webhooks', label: 'Webhooks' },
  { id: 'audit', label: 'Audit log' },
];
