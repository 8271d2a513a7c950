import { useMutation } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { errorMessage } from '../../../api/error-message';
import { apiFetch } from '../../../api/http';

const FILE_NAME = 'scoreboard-export.json';

/**
 * GET /api/me/export, offered as a file: the request needs the token, so a plain link to the
 * route would not do; the answer becomes a download link to an object URL instead.
 */
export function ExportData({ token }: { token: string }) {
  const titleId = useId();
  const [fileUrl, setFileUrl] = useState<string | null>(null);
  // Frees the file when a newer export replaces it, or the page is left.
  useEffect(() => {
    if (!fileUrl) return;
    return () => URL.revokeObjectURL(fileUrl);
  }, [fileUrl]);

  const exporting = useMutation({
    mutationFn: async () => (await apiFetch<unknown>('/api/me/export', { token })).body,
    onSuccess: (data) =>
      setFileUrl(
        URL.createObjectURL(
          new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
        ),
      ),
  });

  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId}>Export my data</h2>
      <p className="hint">Your account, your scores and your standings, as one JSON file.</p>
      <button type="button" onClick={() => exporting.mutate()} disabled={exporting.isPending}>
        {exporting.isPending ? 'Preparing…' : 'Export my data'}
      </button>
      {exporting.isError && (
        <p className="error" role="alert">
          {errorMessage(exporting.error)}
        </p>
      )}
      <div aria-live="polite" className="feedback">
        {fileUrl && !exporting.isPending && (
          <p className="success">
            Your data is ready:{' '}
            <a href={fileUrl} download={FILE_NAME}>
              Download {FILE_NAME}
            </a>
          </p>
        )}
      </div>
    </section>
  );
}
