/** A small busy indicator; the words beside it carry the meaning for screen readers. */
export function Spinner() {
  return <span className="spinner" aria-hidden="true" />;
}
