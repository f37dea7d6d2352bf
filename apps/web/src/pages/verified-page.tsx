import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link } from "../routing/router.js";

export function VerifiedPage({ email }: { email: string | null }) {
  usePageTitle("Email verified");
  const known = email !== null && email !== "";
  return (
    <section className="card card--success">
      <div className="success-mark" aria-hidden="true">
        ✓
      </div>
      <PageHeading>Your email is verified</PageHeading>
      {known ? (
        <p className="lead">
          <strong className="address">{email}</strong> is confirmed. You can sign in now.
        </p>
      ) : (
        <p className="lead">Your address is confirmed. You can sign in now.</p>
      )}
      <Link to={paths.signIn({ email })} className="button button--primary">
        Sign in
      </Link>
      <p className="aside">
        <Link to={paths.createAccount}>Create another account</Link>
      </p>
    </section>
  );
}
