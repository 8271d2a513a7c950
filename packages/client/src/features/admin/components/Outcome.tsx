/**
 * What an action achieved, announced: the live region is there before the message, since a
 * screen reader announces only the changes of a region it already knows.
 */
export function Outcome({ message }: { message: string | null }) {
  return (
    <div aria-live="polite" className="feedback">
      {message && <p className="success">{message}</p>}
    </div>
  );
}
