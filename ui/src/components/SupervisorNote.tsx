/** Why there is no Book, Amend or Cancel: said once where the controls would be, not hidden silently. */
export function SupervisorNote() {
  return (
    <p className="notice supervisor-note" data-testid="supervisor-note">
      Supervisors can review bookings and appointments; booking, changing and cancelling are for call handlers and
      clinicians.
    </p>
  );
}
