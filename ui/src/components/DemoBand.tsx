/** Shown on every screen of the demo, so nobody mistakes simulated services for live ones. */
export function DemoBand() {
  return (
    <div className="demo-band" data-testid="demo-band" role="note">
      <strong>DEMO</strong> — simulated services, not live
    </div>
  );
}
