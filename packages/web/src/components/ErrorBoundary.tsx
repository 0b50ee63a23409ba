import { Component, type ErrorInfo, type ReactNode } from 'react';

type State = { error: Error | null };

/** Keeps a rendering bug from blanking the whole dashboard: shows it and offers a reload. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('RetroSync dashboard crashed', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main id="main" className="page">
        <div className="notice notice-error" role="alert">
          <strong>This page hit a problem:</strong> {this.state.error.message}
        </div>
        <p>
          <button type="button" className="btn" onClick={() => window.location.reload()}>
            Reload the page
          </button>
        </p>
      </main>
    );
  }
}
