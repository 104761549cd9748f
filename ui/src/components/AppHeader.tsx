import type { AppInfo } from "../api/bindings";
import { formatRole } from "../format";
import { DemoBand } from "./DemoBand";

type Props = {
  info: AppInfo;
  /** Absent on the sign-in screen, where nobody is signed in yet. */
  onSwitchUser?: () => void;
  /** Locks the desk now, as the person steps away. */
  onLock?: () => void;
  onSettings?: () => void;
  settingsOpen?: boolean;
};

/**
 * Who is working, in what role, for which organisation: every booking is made in their name. The
 * page's banner landmark, with the DEMO band in it, so nothing at the top is outside a landmark.
 */
export function AppHeader({ info, onSwitchUser, onLock, onSettings, settingsOpen }: Props) {
  const { user, organisation } = info;
  const org = (
    <span data-testid="organisation">
      {organisation.name} ({organisation.ods})
    </span>
  );
  return (
    <header className="app-banner">
      {info.demo && <DemoBand />}
      <div className="app-header">
        <span className="app-header__name">Booking Desk</span>
        {user ? (
          <span className="app-header__user" aria-label="Signed in as">
            <span data-testid="user-name" className="app-header__person">
              {user.name}
            </span>
            <span aria-hidden="true"> · </span>
            <span data-testid="user-role">{formatRole(user.role)}</span>
            <span aria-hidden="true"> · </span>
            {org}
          </span>
        ) : (
          <span className="app-header__user">{org}</span>
        )}
        {user && (
          <span className="app-header__actions">
            {onSettings && (
              <button
                type="button"
                className="button button--small button--reverse"
                data-testid="open-settings"
                aria-current={settingsOpen ? "page" : undefined}
                onClick={onSettings}
              >
                Settings
              </button>
            )}
            {onLock && (
              <button type="button" className="button button--small button--reverse" data-testid="lock-desk" onClick={onLock}>
                Lock
              </button>
            )}
            {onSwitchUser && (
              <button type="button" className="button button--small button--reverse" data-testid="switch-user" onClick={onSwitchUser}>
                Switch user
              </button>
            )}
          </span>
        )}
        <span className="app-header__version">v{info.version}</span>
      </div>
    </header>
  );
}
