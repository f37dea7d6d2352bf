import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link } from "../routing/router.js";

export function NotFoundPage() {
  usePageTitle("Page not found");
  return (
    <section className="card">
      <PageHeading>Page not found</PageHeading>
      <p className="lead">There is nothing at this address.</p>
      <p className="aside">
        <Link to={paths.createAccount}>Create an account</Link> or{" "}
        <Link to={paths.signIn()}>sign in</Link>
      </p>
    </section>
  );
}
