import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BarChart } from "./BarChart";

describe("BarChart", () => {
  it("draws one bar per figure, longest for the largest, and says them all to a screen reader", () => {
    render(<BarChart title="Bookings per service" unit="bookings" testId="chart" bars={[{ label: "Beckside", value: 4 }, { label: "Calder", value: 8 }, { label: "Spen", value: 0 }]} />);
    const chart = screen.getByTestId("chart");
    expect(chart).toHaveAttribute("aria-label", "Bookings per service: Beckside 4 bookings, Calder 8 bookings, Spen 0 bookings");
    const bars = screen.getAllByTestId("bar");
    expect(bars.map((b) => b.getAttribute("data-value"))).toEqual(["4", "8", "0"]);
    const widths = bars.map((b) => Number(b.querySelector("rect")!.getAttribute("width")));
    expect(widths[1]).toBeGreaterThan(widths[0]);
    expect(widths[0]).toBeCloseTo(widths[1] / 2);
    expect(widths[2]).toBe(0);
  });

  it("says when there is nothing to draw", () => {
    render(<BarChart title="Errors" unit="errors" testId="chart" bars={[]} />);
    expect(screen.getByTestId("chart-empty")).toHaveTextContent("None in this period.");
  });
});
