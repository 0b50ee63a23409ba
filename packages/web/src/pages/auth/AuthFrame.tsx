import type { ReactNode } from 'react';
import { Brand } from '../../components/Brand';
import { useDocumentTitle } from '../../lib/useDocumentTitle';

export function AuthFrame({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  useDocumentTitle(title);
  return (
    <main id="main" className="auth">
      <div className="auth-brand">
        <Brand />
      </div>
      <section className="card auth-card" aria-labelledby="auth-title">
        <h1 id="auth-title">{title}</h1>
        {children}
      </section>
      <p className="auth-footer muted">{footer}</p>
    </main>
  );
}
