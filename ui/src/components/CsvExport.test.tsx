import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as client from "../test/mockClient";
import { ok } from "../test/mockClient";
import { CsvExport } from "./CsvExport";

vi.mock("../api/client", () => import("../test/mockClient"));

beforeEach(() => client.resetClient());

const table = { name: "Booked today", header: ["NHS number"], rows: [["9434765919"]] };

describe("CsvExport (issue 18.13)", () => {
  it("says before saving that the file holds patients' NHS numbers", () => {
    render(<CsvExport {...table} />);
    const button = screen.getByTestId("export-csv");
    expect(screen.getByTestId("export-csv-warning")).toHaveTextContent("The file holds patients' NHS numbers");
    expect(button).toHaveAccessibleDescription(/holds patients' NHS numbers/);
  });

  it("says where the person chose to save it, and that nothing was saved when they chose nowhere", async () => {
    const user = userEvent.setup();
    client.exportCsv.mockResolvedValueOnce(ok("/home/desk/Documents/booked.csv")).mockResolvedValueOnce(ok(null));
    render(<CsvExport {...table} />);
    await user.click(screen.getByTestId("export-csv"));
    expect(client.exportCsv).toHaveBeenCalledWith("Booked today", ["NHS number"], [["9434765919"]]);
    expect(await screen.findByTestId("export-csv-path")).toHaveTextContent("/home/desk/Documents/booked.csv");
    await user.click(screen.getByTestId("export-csv"));
    expect(await screen.findByTestId("export-csv-cancelled")).toHaveTextContent("Not saved: no file was chosen.");
    expect(screen.queryByTestId("export-csv-path")).toBeNull();
  });
});
