import { useState } from 'react';
import { PageHead } from '../../components/PageHead';
import { useUser } from '../../app/session';
import { formatDateTime } from '../../lib/format';
import { DeleteAccountForm } from './DeleteAccountForm';
import { NameForm } from './NameForm';
import { AuditLogCard } from './AuditLogCard';
import { PasswordForm } from './PasswordForm';
import { TwoFactorCard } from './TwoFactorCard';

export function AccountPage() {
  const user = useUser();
  // Bumped when a change on this page writes to the security log, so the log re-reads.
  const [logVersion, setLogVersion] = useState(0);
  const bump = () => setLogVersion((v) => v + 1);
  return (
    <>
      <PageHead
        title="Account"
        intro={
          <>
            Signed in as <strong>{user.email}</strong> · {user.subscriptionTier} plan · member since{' '}
            {formatDateTime(user.createdAt)}
          </>
        }
      />
      <div className="grid">
        <NameForm />
        <PasswordForm onChange={bump} />
      </div>
      <div className="stack">
        <TwoFactorCard onChange={bump} />
        <AuditLogCard version={logVersion} />
      </div>
      <div className="stack account-danger">
        <DeleteAccountForm />
      </div>
    </>
  );
}
