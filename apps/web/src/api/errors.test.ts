import { ERROR_CODES } from "@switchyard/contract";
import { describe, expect, it } from "vitest";
import { ApiRequestError, ERROR_TITLES, errorMessage, failureText, toRequestError } from "./errors.ts";

describe("the message shown for a failure", () => {
  it("heads a server refusal with the title of its code, then the server's detail", () => {
    const error = new ApiRequestError(409, {
      code: "parents_unfinished",
      detail: "cannot move t_2 to ready: waiting on unfinished parent(s) t_1",
    });
    expect(errorMessage(error)).toBe(
      "Waiting on parents: cannot move t_2 to ready: waiting on unfinished parent(s) t_1",
    );
  });

  it("reads an answer that is not the API's error body as a server error with its text", async () => {
    const error = await toRequestError({ status: 502, statusText: "Bad Gateway", text: async () => "upstream down" });
    expect(errorMessage(error)).toBe("Server error: upstream down");
  });

  it("says the server cannot be reached, and what got no answer, when no answer came back", () => {
    expect(errorMessage(new TypeError("Failed to fetch"), "moving t_3 to Ready")).toBe(
      "Cannot reach the Switchyard server: moving t_3 to Ready got no answer.",
    );
    expect(errorMessage(new TypeError("NetworkError when attempting to fetch resource."))).toBe(
      "Cannot reach the Switchyard server: the request got no answer.",
    );
  });

  it("heads a failed action's notice with the action, except when the server could not be reached", () => {
    const refusal = new ApiRequestError(409, { code: "invalid_transition", detail: "it is triage" });
    expect(failureText("Move", "moving t_3 to Done", refusal)).toBe("Move failed: Move not allowed: it is triage");
    expect(failureText("Move", "moving t_3 to Done", new TypeError("Failed to fetch"))).toBe(
      "Cannot reach the Switchyard server: moving t_3 to Done got no answer.",
    );
  });

  it("keeps the plain message of any other error", () => {
    expect(errorMessage(new TypeError("x is undefined"))).toBe("x is undefined");
    expect(errorMessage(new Error("boom"))).toBe("boom");
    expect(errorMessage("odd")).toBe("odd");
  });

  it("has a title for every code of the contract", () => {
    for (const code of ERROR_CODES) expect(ERROR_TITLES[code].length).toBeGreaterThan(0);
  });
});
