import { Link } from '../../app/router';
import { EmptyState } from '../../components/EmptyState';
import { useDocumentTitle } from '../../lib/useDocumentTitle';

export function NotFoundPage() {
  useDocumentTitle('Not found');
  return (
    <main id="main" className="page">
      <EmptyState title="This page does not exist">
        <p>
          <Link to="/">Back to the start</Link>
        </p>
      </EmptyState>
    </main>
  );
}
