// After Sign in is sent, the NHS number field is not there yet: the sign-in is on its way, then
// the desk is fetched and asks for the services. A call handler already typing the number the
// caller reads out would lose those digits (focus is on a waiting form, or on nothing), so they
// are kept here and handed to the field when it takes focus.

let typed: string | null = null;

function onKey(e: KeyboardEvent) {
  if (typed === null || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
  if (/^[0-9]$/.test(e.key)) typed += e.key;
  else if (e.key === "Backspace") typed = typed.slice(0, -1);
  else return;
  // Meant for the NHS number, not for whatever holds focus meanwhile.
  e.preventDefault();
}

/** From now until `takeTypedDigits`, digits typed anywhere are kept for the NHS number field. */
export function keepTypedDigits(): void {
  if (typed === null) window.addEventListener("keydown", onKey, true);
  typed = "";
}

/** The digits kept so far, if any; none are kept after this. */
export function takeTypedDigits(): string {
  const digits = typed ?? "";
  if (typed !== null) window.removeEventListener("keydown", onKey, true);
  typed = null;
  return digits;
}
