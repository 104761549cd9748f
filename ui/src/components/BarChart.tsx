/** One bar: its label and value. */
export type Bar = { label: string; value: number };

type Props = {
  /** Names the chart for screen readers; the table beside it carries the figures. */
  title: string;
  bars: Bar[];
  /** Said after each value, e.g. "bookings". */
  unit: string;
  testId?: string;
};

const ROW = 22;
const LABEL_WIDTH = 180;
const BAR_WIDTH = 260;
const VALUE_WIDTH = 60;

/**
 * Horizontal bars drawn as SVG: no chart library, no scripts or styles injected at run time (the
 * app's content security policy allows neither), and nothing to load.
 */
export function BarChart({ title, bars, unit, testId }: Props) {
  if (bars.length === 0) {
    return (
      <p className="muted" data-testid={testId ? `${testId}-empty` : undefined}>
        None in this period.
      </p>
    );
  }
  const max = Math.max(...bars.map((b) => b.value), 1);
  const height = bars.length * ROW;
  const width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
  const summary = `${title}: ${bars.map((b) => `${b.label} ${b.value} ${unit}`).join(", ")}`;
  return (
    <svg
      className="bar-chart"
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      role="img"
      aria-label={summary}
      data-testid={testId}
      preserveAspectRatio="xMinYMin meet"
    >
      {bars.map((b, i) => {
        const y = i * ROW;
        const w = Math.max((b.value / max) * BAR_WIDTH, b.value > 0 ? 2 : 0);
        return (
          <g key={`${b.label}|${i}`} data-testid="bar" data-label={b.label} data-value={b.value}>
            <text className="bar-chart__label" x={LABEL_WIDTH - 8} y={y + ROW / 2} textAnchor="end" dominantBaseline="middle">
              {b.label.length > 26 ? `${b.label.slice(0, 25)}…` : b.label}
            </text>
            <rect className="bar-chart__bar" x={LABEL_WIDTH} y={y + 4} width={w} height={ROW - 8} rx={2} />
            <text className="bar-chart__value" x={LABEL_WIDTH + w + 6} y={y + ROW / 2} dominantBaseline="middle">
              {b.value}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
