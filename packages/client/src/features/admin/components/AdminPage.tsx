import { useQuery } from '@tanstack/react-query';
import { queries } from '../../../api/queries';
import { QueryError } from '../../../components/QueryError';
import { adminSections, type AdminSection } from '../admin-sections';
import { ApiKeysSection } from './ApiKeysSection';
import { AuditLog } from './AuditLog';
import { CreateBoard } from './CreateBoard';
import { EditBoard } from './EditBoard';
import { PlayersSection } from './PlayersSection';
import { WebhooksSection } from './WebhooksSection';

/**
 * The admin console, for admins only (the server refuses anyone else with 403): boards, players
 * and their scores, API keys, webhooks and their deliveries, and the audit log, one section at a
 * time.
 */
export function AdminPage({
  token,
  userId,
  section,
}: {
  token: string;
  userId: string;
  section: AdminSection;
}) {
  const boards = useQuery(queries.boards());
  const boardList = boards.data?.items ?? [];
  return (
    <main className="admin" aria-labelledby="admin-title">
      <h2 id="admin-title" className="page-title">
        Administration
      </h2>
      <nav aria-label="Admin sections" className="pages sections">
        {adminSections.map((s) => (
          <a
            key={s.id}
            href={`#/admin/${s.id}`}
            aria-current={s.id === section ? 'page' : undefined}
          >
            {s.label}
          </a>
        ))}
      </nav>
      <QueryError query={boards} />
      {section === 'boards' && (
        <>
          <CreateBoard token={token} />
          <EditBoard token={token} boards={boardList} />
        </>
      )}
      {section === 'players' && <PlayersSection token={token} userId={userId} />}
      {section === 'api-keys' && <ApiKeysSection token={token} boards={boardList} />}
      {section === 'webhooks' && <WebhooksSection token={token} />}
      {section === 'audit' && <AuditLog token={token} />}
    </main>
  );
}
