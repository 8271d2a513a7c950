import { useQuery } from '@tanstack/react-query';
import { queries } from '../../../api/queries';
import { CreateBoard } from './CreateBoard';
import { EditBoard } from './EditBoard';

/** Board administration, for admins only (the server refuses anyone else with 403). */
export function AdminPage({ token }: { token: string }) {
  const boards = useQuery(queries.boards());
  return (
    <main className="admin" aria-labelledby="admin-title">
      <h2 id="admin-title" className="page-title">
        Boards administration
      </h2>
      <CreateBoard token={token} />
      <EditBoard token={token} boards={boards.data?.items ?? []} />
    </main>
  );
}
