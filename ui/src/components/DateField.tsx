import { useId, useState, type KeyboardEvent } from "react";
import { addDays, formatDay, parseDay } from "../format";

type Props = {
  label: string;
  /** `yyyy-mm-dd`, or "" while what is typed is not a date. */
  value: string;
  onChange: (day: string) => void;
  describedBy?: string;
  testId?: string;
  id?: string;
};

/**
 * A date typed the UK way and shown as `01-Dec-2026` whatever the machine's locale; ↑ and ↓
 * move it a day at a time.
 */
export function DateField({ label, value, onChange, describedBy, testId, id }: Props) {
  const own = useId();
  const inputId = id ?? own;
  const [text, setText] = useState(value ? formatDay(value) : "");

  // Follow changes made from outside (the engine's default window arriving): only when the value
  // changes, as the text is the person's own while they type. Adjusted during render, so the
  // field never shows the old date for a frame.
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    if (value && parseDay(text) !== value) setText(formatDay(value));
  }

  function type(next: string) {
    setText(next);
    onChange(parseDay(next) ?? "");
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if ((e.key !== "ArrowUp" && e.key !== "ArrowDown") || !value) return;
    e.preventDefault();
    const next = addDays(value, e.key === "ArrowUp" ? 1 : -1);
    setText(formatDay(next));
    onChange(next);
  }

  const invalid = text.trim() !== "" && !parseDay(text);
  return (
    <div className="field field--inline">
      <label className="field__label" htmlFor={inputId}>
        {label}
      </label>
      <input
        id={inputId}
        className="input"
        value={text}
        placeholder="dd-Mmm-yyyy"
        autoComplete="off"
        spellCheck={false}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={describedBy}
        data-testid={testId}
        onChange={(e) => type(e.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => {
          const day = parseDay(text);
          if (day) setText(formatDay(day));
        }}
      />
    </div>
  );
}
