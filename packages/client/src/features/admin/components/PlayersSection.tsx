import { useState } from 'react';
import type { AdminUser } from '../../../api/types';
import { PlayerList } from './PlayerList';
import { PlayerScores } from './PlayerScores';

/** Finding players, banning and unbanning them, and a chosen player's scores. */
export function PlayersSection({ token, userId }: { token: string; userId: string }) {
  const [opened, setOpened] = useState<AdminUser | null>(null);
  return (
    <>
      <PlayerList token={token} userId={userId} opened={opened?.id ?? null} onOpen={setOpened} />
      {opened && (
        <PlayerScores
          key={opened.id}
          token={token}
          player={opened}
          onClose={() => setOpened(null)}
        />
      )}
    </>
  );
}
