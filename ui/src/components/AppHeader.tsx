import type { AppInfo } from "../api/bindings";
import { formatRole } from "../format";

export function AppHeader({ info }: { info: AppInfo }) {
  return (
    <header className="app-header">
      <span className="app-header__name">Booking Desk</span>
      <span className="app-header__user" aria-label="Signed in as">
        <span data-testid="user-name">{info.user_name}</span>
        <span aria-hidden="true"> · </span>
        <span>{formatRole(info.user_role)}</span>
        <span aria-hidden="true"> · </span>
        <span>
          {info.organisation_name} ({info.organisation_ods})
        </span>
      </span>
      <span className="app-header__version">v{info.version}</span>
    </header>
  );
}
