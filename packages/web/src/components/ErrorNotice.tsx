import { errorMessage } from '../api/errors';

/** Shows an API error with the API's own message (or nothing when there is no error). */
export function ErrorNotice({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <div className="notice notice-error" role="alert">
      {errorMessage(error)}
    </div>
  );
}
