import type { AuditEntry, AuditPerson } from '../../api/types';

const idOf = (target: string) => target.slice(target.indexOf(':') + 1);

/**
 * A person by name and email; one whose account is gone by the id the entry kept (and anyone by
 * their id on a server that names no one).
 */
function who(person: AuditPerson | null | undefined, id: string, withEmail = true): string {
  if (person === undefined) return `user #${id}`;
  if (person === null) return `user #${id} (deleted)`;
  return withEmail ? `${person.display_name} (${person.email})` : person.display_name;
}

/** Who did it: an admin, or the command-line tool (which acts as no one). */
export function describeActor(entry: AuditEntry): string {
  if (entry.actor_id === null) return 'Command line';
  return who(entry.actor, entry.actor_id);
}

/** What was done, in words: "banned Ada (ada@example.com)", "made Ada an admin". */
export function describeAction(entry: AuditEntry): string {
  const id = idOf(entry.target);
  const player = who(entry.target_user, id, false);
  switch (entry.action) {
    case 'boards.create':
      return `created the board ${id}`;
    case 'boards.update':
      return `changed the board ${id}`;
    case 'api-keys.create':
      return `created the API key #${id}`;
    case 'api-keys.revoke':
      return `revoked the API key #${id}`;
    case 'users.ban':
      return `banned ${player}`;
    case 'users.unban':
      return `lifted the ban on ${player}`;
    case 'users.delete':
      return `deleted the account of ${player}`;
    case 'users.set-role':
      return /\bplayer\b/.test(entry.reason ?? '')
        ? `made ${player} a player`
        : `made ${player} an admin`;
    case 'scores.remove':
      return `removed the score #${id}`;
    case 'webhooks.create':
      return `added the webhook #${id}`;
    case 'webhooks.update':
      return `changed the webhook #${id}`;
    case 'webhooks.delete':
      return `deleted the webhook #${id}`;
    case 'webhooks.redeliver':
      return `sent a delivery of the webhook #${id} again`;
    default:
      return `${entry.action} ${entry.target}`;
  }
}
