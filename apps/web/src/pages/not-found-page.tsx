import { rich, useT } from "../i18n/index.js";
import { PageHeading, usePageTitle } from "../layout/page.js";
import { paths } from "../routing/paths.js";
import { Link } from "../routing/router.js";

export function NotFoundPage() {
  const t = useT();
  usePageTitle(t.notFound.title);
  return (
    <section className="card">
      <PageHeading>{t.notFound.title}</PageHeading>
      <p className="lead">{t.notFound.lead}</p>
      <p className="aside">
        {rich(t.notFound.aside, {
          create: <Link to={paths.createAccount}>{t.notFound.create}</Link>,
          signIn: <Link to={paths.signIn()}>{t.notFound.signIn}</Link>,
        })}
      </p>
    </section>
  );
}
