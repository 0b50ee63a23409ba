import { Brand } from '../../components/Brand';
import { Link } from '../../app/router';
import { useDocumentTitle } from '../../lib/useDocumentTitle';

const STEPS = [
  {
    title: 'Create your account',
    text: 'Your saves stay on the server you run: one folder on disk, or PostgreSQL and any S3 service.',
  },
  {
    title: 'Pair each device',
    text: 'Open Devices → Add device and type the 6-digit code on the handheld or PC — or enter the code your handheld shows.',
  },
  {
    title: 'Play anywhere',
    text: 'A save written on one device appears on the others within seconds. Offline conflicts keep both sides.',
  },
];

export function LandingPage({ signedIn }: { signedIn: boolean }) {
  useDocumentTitle('');
  return (
    <>
      <header className="topbar">
        <div className="topbar-inner">
          <Brand />
          <div className="topbar-user">
            {signedIn ? (
              <Link className="btn btn-primary btn-small" to="/dashboard">
                Open dashboard
              </Link>
            ) : (
              <Link className="btn btn-small" to="/auth/login">
                Sign in
              </Link>
            )}
          </div>
        </div>
      </header>
      <main id="main" className="page landing">
        <section className="hero">
          <h1>Your retro saves, on every device.</h1>
          <p className="lead">
            RetroSync keeps game saves in step across your handhelds — Anbernic, Miyoo, muOS, Knulli, Onion, MinUI —
            and your PCs and Steam Deck. Self-hosted, and it never throws a save away.
          </p>
          <div className="row">
            {signedIn ? (
              <Link className="btn btn-primary" to="/dashboard">
                Go to your dashboard
              </Link>
            ) : (
              <>
                <Link className="btn btn-primary" to="/auth/register">
                  Create an account
                </Link>
                <Link className="btn" to="/auth/login">
                  Sign in
                </Link>
              </>
            )}
          </div>
        </section>
        <section aria-labelledby="how">
          <h2 id="how">How to start</h2>
          <ol className="steps">
            {STEPS.map((step) => (
              <li key={step.title} className="card">
                <h3>{step.title}</h3>
                <p className="muted">{step.text}</p>
              </li>
            ))}
          </ol>
        </section>
      </main>
    </>
  );
}
