import type { Ref } from "react";

/**
 * The form's problems at its top, each a link that moves focus to its field (GOV.UK pattern). Its
 * heading is a level two, as in GOV.UK: it sits under the screen's title or beside a panel's own.
 */
export function ErrorSummary<K extends string>({
  problems,
  fieldId,
  headingId,
  summaryRef,
}: {
  problems: [K, string][];
  fieldId: (key: K) => string;
  headingId: string;
  summaryRef: Ref<HTMLDivElement>;
}) {
  if (problems.length === 0) return null;
  return (
    <div className="error-summary" ref={summaryRef} tabIndex={-1} role="alert" aria-labelledby={headingId}>
      <h2 id={headingId}>There is a problem</h2>
      <ul>
        {problems.map(([k, msg]) => (
          <li key={k}>
            <a
              href={`#${fieldId(k)}`}
              onClick={(e) => {
                e.preventDefault();
                document.getElementById(fieldId(k))?.focus();
              }}
            >
              {msg}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
