import { useEffect, useState } from 'react';

type ScoreRange = { score_min: number; score_max: number };

/** Placeholder until the dashboard lands: shows that the API is up and the allowed range. */
export function App() {
  const [range, setRange] = useState<ScoreRange | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetch('/api/config')
      .then((response) =>
        response.ok ? response.json() : Promise.reject(new Error(response.statusText)),
      )
      .then(setRange, (reason: Error) => setError(reason.message));
  }, []);

  return (
    <main
      style={{
        fontFamily: 'system-ui, sans-serif',
        maxWidth: 640,
        margin: '4rem auto',
        padding: '0 1rem',
      }}
    >
      <h1>Scoreboard</h1>
      <p>
        The API is served under <code>/api</code>; its documentation is at{' '}
        <a href="/api/docs">/api/docs</a>.
      </p>
      {range && (
        <p>
          Scores from {range.score_min} to {range.score_max} are accepted.
        </p>
      )}
      {error && <p role="alert">The API did not answer: {error}</p>}
    </main>
  );
}
