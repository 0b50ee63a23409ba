import { PageHead } from '../../components/PageHead';
import { useUser } from '../../app/session';
import { formatDateTime } from '../../lib/format';
import { DeleteAccountForm } from './DeleteAccountForm';
import { NameForm } from './NameForm';
import { PasswordForm } from './PasswordForm';

export function AccountPage() {
  const user = useUser();
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
        <PasswordForm />
      </div>
      <div className="stack account-danger">
        <DeleteAccountForm />
      </div>
    </>
  );
}
