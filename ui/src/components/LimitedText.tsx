import { useId, type Ref } from "react";
import { charCount } from "../format";

type Props = {
  /** The text box's id, for a screen that moves focus to it; one is made up otherwise. */
  id?: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  limit: number;
  required?: boolean;
  rows?: number;
  hint?: string;
  testId?: string;
  inputRef?: Ref<HTMLTextAreaElement>;
  disabled?: boolean;
  /** Show "required" only once the person has had a go, not on an untouched form. */
  showRequired?: boolean;
};

/**
 * A text box with a live "42/100" counter. Over-long text is kept and flagged rather than cut,
 * so nothing the caller said is silently lost.
 */
export function LimitedText(props: Props) {
  const { label, value, onChange, limit, required, rows = 2, hint, testId, inputRef, disabled } = props;
  const generated = useId();
  const id = props.id ?? generated;
  const n = charCount(value);
  const over = n - limit;
  const missing = required && props.showRequired && value.trim() === "";
  const error = over > 0 ? `${over} ${over === 1 ? "character" : "characters"} too many` : missing ? `Enter the ${label.toLowerCase()}` : "";
  return (
    <div className={error ? "field field--error" : "field"}>
      <label className="field__label" htmlFor={id}>
        {label}
        {required ? "" : " (optional)"}{" "}
        <span className={over > 0 ? "counter counter--over" : "counter"} data-testid={testId ? `${testId}-counter` : undefined}>
          ({n}/{limit})
        </span>
      </label>
      {hint && (
        <div className="field__hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <div className="field__error" id={`${id}-error`}>
          {error}
        </div>
      )}
      <textarea
        id={id}
        ref={inputRef}
        className="input"
        rows={rows}
        value={value}
        required={required}
        disabled={disabled}
        data-testid={testId}
        aria-invalid={error ? true : undefined}
        aria-describedby={[hint ? `${id}-hint` : "", error ? `${id}-error` : "", `${id}-count`].filter(Boolean).join(" ")}
        onChange={(e) => onChange(e.target.value)}
      />
      {/* Announced politely only near or over the limit, so typing is not drowned in chatter. */}
      <span className="visually-hidden" id={`${id}-count`} aria-live="polite">
        {n >= limit - 10 ? `${n} of ${limit} characters` : ""}
      </span>
    </div>
  );
}
